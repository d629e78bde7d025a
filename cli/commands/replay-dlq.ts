/**
 * `reconciler replay-dlq` (and `make replay-dlq WS=<ws> [DRY_RUN=1] [MAX=n]`): the on-call tool. Resolves
 * the workspace's DLQ and bus, shows what waits, replays through the shared core (shared/replay) with a
 * progress bar, and ends with a summary; exit 1 when anything was left. Ctrl-C finishes the batch in
 * hand (≤ 10 messages) and stops: nothing received is lost, everything not replayed stays in the DLQ.
 *
 * It publishes only what provably came from the workspace (shared/replay/provenance.ts), so it needs
 * the workspace; the DLQ is the one SQS names for it in the caller's account and region, and a
 * --queue-url or DLQ_URL must be exactly that queue (security review M7). A local DLQ is replayed only
 * from a local SQS onto a local bus, an AWS one only from AWS onto AWS: messages of a local fake never
 * reach a real bus, and real messages are never deleted after a local bus took them.
 */
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { configuredEndpoint, isLoopbackEndpoint, makeEventBridgeClient, makeSqsClient } from '../../shared/aws/clients';
import { checkDlqUrl, type DlqLocation } from '../../shared/dlq/queue-url';
import { workspaceNames, type WorkspaceNames } from '../../shared/naming';
import { UsageError } from '../../shared/errors';
import { DEFAULT_PRICE_BOOK } from '../../shared/pricing';
import {
  DEFAULT_DRAIN_MESSAGES,
  DEFAULT_VISIBILITY_TIMEOUT_SECONDS,
  MAX_DRAIN_MESSAGES,
  drainDlq,
  queueDepth,
  resolveDlqUrl,
  type DrainReport,
} from '../../shared/replay/drain';
import { expectedOrigin, type ExpectedOrigin } from '../../shared/replay/provenance';
import { DEFAULT_MAX_REPLAYS, MAX_REPLAYS_LIMIT } from '../../shared/replay/redeliver';
import { leftCount, type MessageResult, type ReplaySummary } from '../../shared/replay/types';
import { isDlqMessageId } from '../../shared/events/ids';
import { grouped } from '../../shared/text/numbers';
import { printable } from '../../shared/text/printable';
import { parse, parseInteger } from '../args';
import { EXIT, unreachableCode, type CliContext } from '../context';
import type { Command } from './types';

/** Message lines printed in human output (--json has up to MAX_REPORTED_RESULTS). */
const MAX_LISTED = 200;
const BAR_WIDTH = 30;
const MAX_RATE_PER_SECOND = 10_000;

export interface ReplayDlqIo {
  sqs?: SQSClient;
  eventBridge?: EventBridgeClient;
  env?: Record<string, string | undefined>;
  /** Stops the run (tests); the command itself wires SIGINT to one. */
  signal?: AbortSignal;
  /** Install the SIGINT handler (default true; tests turn it off). */
  handleSigint?: boolean;
}

type Output = Pick<CliContext, 'options' | 'out' | 'progress'>;

const USAGE =
  'reconciler replay-dlq --workspace <ws> [--queue-url <url>] [--bus <name>] [--dry-run] [--max <n>] [--rate <n/s>] [--drop-invalid <message-id>[,<message-id>…]]… [--max-replays <n>] [--visibility-timeout <s>]';
/** At most this many ids per run: each is a decision about one message, taken from a dry run. */
export const MAX_DROP_INVALID_IDS = 1_000;

export const replayDlqCommand: Command = {
  name: 'replay-dlq',
  summary: 'put the events waiting in the DLQ back on the bus; dry run first; exit 1 when anything was left',
  usage: USAGE,
  options: [
    {
      flag: '--queue-url',
      value: '<url>',
      description: "the workspace's DLQ, when SQS cannot name it (must be exactly that queue)",
      default: 'DLQ_URL or the queue SQS names for the workspace',
    },
    {
      flag: '--bus',
      value: '<name>',
      description: 'the bus to put the events back on',
      default: "the workspace's bus",
    },
    { flag: '--dry-run', description: 'list what would be replayed, change nothing', default: 'replay' },
    {
      flag: '--max',
      value: '<n>',
      description: 'messages to take in this run',
      default: String(DEFAULT_DRAIN_MESSAGES),
    },
    { flag: '--rate', value: '<n/s>', description: 'events per second at most', default: 'unlimited' },
    {
      flag: '--drop-invalid',
      value: '<message-id>[,…]',
      description: 'delete these invalid messages (ids from a dry run); repeatable',
    },
    {
      flag: '--max-replays',
      value: '<n>',
      description: 'an event replayed this often is left for a human',
      default: `REPLAY_MAX_REPLAYS or ${DEFAULT_MAX_REPLAYS}`,
    },
    {
      flag: '--visibility-timeout',
      value: '<s>',
      description: 'seconds a received message stays hidden',
      default: String(DEFAULT_VISIBILITY_TIMEOUT_SECONDS),
    },
  ],
  example: 'reconciler replay-dlq --workspace dev --dry-run',
  run: (args, context) => runReplayDlq(args, context),
};

function parseRate(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  const rate = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(rate > 0) || rate > MAX_RATE_PER_SECOND)
    throw new UsageError(
      `--rate must be a number of messages per second in (0, ${MAX_RATE_PER_SECOND}], got "${text}"`,
    );
  return rate;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * `--drop-invalid <id>[,<id>…]`, repeatable: the invalid messages (ids from a dry run) the operator
 * decided to delete. Never "all": one run can hold money events next to the junk (security review L8).
 */
export function parseDropInvalid(values: readonly string[] | undefined): Set<string> {
  const ids = new Set<string>();
  for (const id of (values ?? []).flatMap((v) => v.split(','))) {
    const trimmed = id.trim();
    if (!isDlqMessageId(trimmed))
      throw new UsageError(
        `--drop-invalid takes the message ids of invalid messages (a dry run lists them): "${printable(trimmed)}" is not a message id; usage: --drop-invalid <id>[,<id>…]`,
      );
    ids.add(trimmed);
  }
  if (ids.size > MAX_DROP_INVALID_IDS)
    throw new UsageError(`--drop-invalid names ${ids.size} messages; at most ${MAX_DROP_INVALID_IDS} per run`);
  return ids;
}

export interface InFlight {
  atStart: number;
  atEnd: number;
}

/**
 * Messages in flight at the start or end of a run are held by someone else: another replay (an
 * operator's, or the replay-dlq function's) may be running, and this run could not see them (L5).
 */
export function inFlightWarning(when: 'start' | 'end', inFlight: number): string[] {
  if (inFlight === 0) return [];
  return [
    `warning: ${plural(inFlight, 'message')} in flight (received by someone, not yet deleted or released) at the ${when} of this run: another replay may be running (an operator, or the replay-dlq function), and this run could not see them. Do not trust "nothing was left" until it is 0 (SQS's count is approximate and can lag by a minute): look again with --dry-run`,
  ];
}

/** 1 when anything was left or not done, or (a real run) when someone else held messages: 0 only for a clean run. */
export function exitCodeOf(report: DrainReport, inFlight: InFlight): number {
  const unfinished = leftCount(report.summary) > 0 || report.stoppedBy === 'aborted' || report.undroppedIds.length > 0;
  const othersRunning = !report.dryRun && (inFlight.atStart > 0 || inFlight.atEnd > 0);
  return unfinished || othersRunning ? EXIT.findings : EXIT.ok;
}

/** One line per --drop-invalid id that dropped nothing: it was not seen, or was not an invalid message. */
export function undroppedText(report: DrainReport): string[] {
  return report.undroppedIds.map(
    (u) =>
      `--drop-invalid ${printable(u.messageId)}: ${u.outcome ? `not an invalid message in this run (it was ${u.outcome})` : 'no message with this id was seen in this run'}; nothing was dropped for it (exit 1)`,
  );
}

/**
 * One message's lines. Everything but the outcome comes from the message (ids, the DLQ attributes in
 * `failure`, reasons quoting the event), whoever wrote it to the queue: every value is escaped.
 */
export function describeResult(r: MessageResult): string {
  const what = [r.detailType, r.jobId && `job ${r.jobId}`, r.originalEventId && `event ${r.originalEventId}`]
    .filter(Boolean)
    .join(', ');
  const head = `  ${r.outcome.padEnd(22)} ${printable(r.messageId)}${what ? `  (${printable(what)})` : ''}`;
  const lines = [head];
  if (r.failure) lines.push(`      dead-lettered as: ${printable(r.failure)}`);
  if (r.outcome === 'would_replay' || r.outcome === 'replayed')
    lines.push(
      `      replay #${printable(r.replayCount ?? '?')}${r.newEventId ? ` → new event ${printable(r.newEventId)}` : ''}`,
    );
  if (r.reason)
    lines.push(
      `      why: ${printable(r.reason)}${r.details && r.details.length > 0 ? ` (${printable(r.details.slice(0, 5).join('; '))})` : ''}`,
    );
  if (r.hint) lines.push(`      next: ${printable(r.hint)}`);
  return lines.join('\n');
}

export function summaryText(report: DrainReport): string {
  const s: ReplaySummary = report.summary;
  const rows: [string, number, string][] = report.dryRun
    ? [
        ['would replay', s.would_replay, 'valid events that would go back on the bus'],
        [
          'would drop (invalid)',
          s.would_drop_invalid,
          'the invalid messages named by --drop-invalid, which a real run deletes',
        ],
      ]
    : [
        ['replayed', s.replayed, 'accepted by the bus and deleted from the DLQ'],
        ['dropped (invalid)', s.dropped_invalid, 'the invalid messages you named with --drop-invalid, deleted'],
      ];
  rows.push(
    [
      'left invalid',
      s.left_invalid,
      "still invalid under today's schema/pricing: fix, or drop by id: --drop-invalid <id>",
    ],
    ['left (too many replays)', s.left_too_many_replays, 'replayed the maximum number of times already: investigate'],
    [
      'failed',
      s.failed,
      'the bus refused them (or the delete failed): run again; "could not be planned": inspect by hand',
    ],
    ['unrecognised', s.left_unrecognised, 'not a known DLQ shape (or no event inside): inspect by hand'],
    [
      'unverified origin',
      s.left_unverified,
      "not provably from this workspace's rules and functions: never publish by hand; find who wrote it",
    ],
  );
  const stopped = {
    empty: 'the queue is empty (of messages this run had not seen)',
    max_messages: '--max reached; more may be waiting',
    aborted: 'interrupted (Ctrl-C); the rest is still in the DLQ',
    receive_limit: 'receive limit reached; run again',
  }[report.stoppedBy];
  const left = leftCount(s);
  return [
    `${report.dryRun ? 'DRY RUN (nothing changed): ' : ''}${plural(s.seen, 'message')} seen in ${(report.durationMs / 1000).toFixed(1)} s; stopped: ${stopped}`,
    ...rows.map(([label, n, meaning]) => `  ${label.padEnd(24)} ${grouped(n).padStart(7)}   ${meaning}`),
    left === 0
      ? report.dryRun
        ? 'nothing would be left in the DLQ'
        : 'nothing was left in the DLQ'
      : `${plural(left, 'message')} ${report.dryRun ? 'would stay' : 'left'} in the DLQ (exit 1)`,
  ].join('\n');
}

function progressBar(done: number, total: number, s: ReplaySummary): string {
  const fraction = total > 0 ? Math.min(1, done / total) : 0;
  const filled = Math.round(fraction * BAR_WIDTH);
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${grouped(done)}/${grouped(total)}  replayed ${grouped(s.replayed + s.would_replay)}  left ${grouped(leftCount(s))}`;
}

/** The workspace replay is for: provenance is judged against its rules and functions. */
function workspaceOf(context: Output, env: Record<string, string | undefined>): WorkspaceNames {
  const workspace = context.options.workspace ?? env.WORKSPACE;
  if (!workspace)
    throw new UsageError(
      `which workspace? pass --workspace <ws> (or set WORKSPACE): replay publishes only what came from that workspace's rules and functions; usage: ${USAGE}`,
    );
  try {
    return workspaceNames(workspace);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** The URL SQS gives for the workspace's DLQ, in the caller's account and the client's region. */
async function dlqUrlFromSqs(sqs: SQSClient, names: WorkspaceNames): Promise<string> {
  try {
    return await resolveDlqUrl(sqs, names.workspace);
  } catch (error) {
    const name = (error as { name?: string }).name ?? '';
    if (name.includes('NonExistentQueue') || name === 'QueueDoesNotExist') {
      throw new UsageError(
        `no queue named ${names.dlq}: is workspace "${names.workspace}" deployed (make apply WS=${names.workspace}), in this account and region?`,
      );
    }
    throw error;
  }
}

export interface ReplayTarget {
  queueUrl: string;
  location: DlqLocation;
  origin: ExpectedOrigin;
}

/**
 * The DLQ to drain and what a genuine message of it names. SQS's own answer for the workspace's DLQ
 * fixes the account; a --queue-url / DLQ_URL given as well must be that very queue.
 */
export async function resolveReplayTarget(
  names: WorkspaceNames,
  given: { url: string; source: string } | undefined,
  busName: string,
  clients: { sqs: SQSClient; eventBridge: EventBridgeClient },
): Promise<ReplayTarget> {
  const region = await clients.sqs.config.region();
  const fromSqs = await dlqUrlFromSqs(clients.sqs, names);
  const resolved = checkDlqUrl(fromSqs, { workspace: names.workspace, region });
  if (!resolved.ok) throw new UsageError(`SQS named ${fromSqs} as ${names.dlq}: ${resolved.problem}`);
  if (given) {
    const check = checkDlqUrl(given.url, {
      workspace: names.workspace,
      region,
      accountId: resolved.location.scope.accountId,
    });
    if (!check.ok) throw new UsageError(`${given.source}: ${check.problem}`);
    if (check.location.local !== resolved.location.local)
      throw new UsageError(
        `${given.source}: ${given.url} is ${check.location.local ? 'a local' : 'an AWS'} queue, but SQS is ${resolved.location.local ? 'local' : 'AWS'}`,
      );
  }
  await assertSameWorld(resolved.location, clients);
  return {
    queueUrl: fromSqs,
    location: resolved.location,
    origin: expectedOrigin(names.workspace, busName, resolved.location.scope),
  };
}

/** Local DLQ ⇔ local SQS ⇔ local bus: a fake's messages never reach a real bus, real ones never a fake. */
async function assertSameWorld(
  location: DlqLocation,
  clients: { sqs: SQSClient; eventBridge: EventBridgeClient },
): Promise<void> {
  const sqsLocal = isLoopbackEndpoint(await configuredEndpoint(clients.sqs));
  const busLocal = isLoopbackEndpoint(await configuredEndpoint(clients.eventBridge));
  if (location.local === sqsLocal && sqsLocal === busLocal) return;
  const where = (local: boolean) => (local ? 'local' : 'AWS');
  throw new UsageError(
    `the DLQ is ${where(location.local)}, SQS ${where(sqsLocal)} and EventBridge ${where(busLocal)}: replay moves messages only within one of them (check AWS_ENDPOINT_URL_SQS / AWS_ENDPOINT_URL_EVENTBRIDGE)`,
  );
}

/** What one run of replay-dlq was asked to do, from its flags and the environment. */
interface ReplaySettings {
  dryRun: boolean;
  maxMessages: number;
  maxReplays: number;
  visibilityTimeoutSeconds: number;
  ratePerSecond: number | undefined;
  dropInvalidIds: Set<string>;
  names: WorkspaceNames;
  busName: string;
  given: { url: string; source: string } | undefined;
}

/**
 * The bus to publish to: the one the event rules are on, the workspace's own unless Terraform was
 * given another. Never the default bus: no event rule listens there (only the sweep's schedule), so
 * PutEvents would accept every replayed event, replay would delete its message, and no handler would
 * ever see it (an EVENT_BUS_NAME=default left over from before the workspace had its own bus).
 */
function replayBus(flagged: string | undefined, fromEnv: string | undefined, names: WorkspaceNames): string {
  const bus = flagged ?? fromEnv ?? names.eventBus;
  if (bus === 'default' || /:event-bus\/default$/.test(bus))
    throw new UsageError(
      `${flagged ? '--bus' : 'EVENT_BUS_NAME'} is the default bus, where no event rule listens: replayed events would be accepted and never settled. Use the bus the rules are on (terraform output event_bus_name; the workspace's own is ${names.eventBus})`,
    );
  return bus;
}

function replaySettings(args: string[], context: Output, env: NodeJS.ProcessEnv): ReplaySettings {
  const { values } = parse(
    args,
    {
      'queue-url': { type: 'string' },
      bus: { type: 'string' },
      'dry-run': { type: 'boolean' },
      max: { type: 'string' },
      rate: { type: 'string' },
      'drop-invalid': { type: 'string', multiple: true },
      'max-replays': { type: 'string' },
      'visibility-timeout': { type: 'string' },
    },
    false,
  );
  const maxReplays =
    values['max-replays'] !== undefined
      ? parseInteger(values['max-replays'], '--max-replays', { min: 1, max: MAX_REPLAYS_LIMIT })
      : env.REPLAY_MAX_REPLAYS
        ? parseInteger(env.REPLAY_MAX_REPLAYS, 'REPLAY_MAX_REPLAYS', { min: 1, max: MAX_REPLAYS_LIMIT })
        : DEFAULT_MAX_REPLAYS;
  const names = workspaceOf(context, env);
  const flag = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);
  const givenUrl = flag(values['queue-url']) ?? flag(env.DLQ_URL);
  return {
    dryRun: values['dry-run'] === true,
    maxMessages:
      values.max === undefined
        ? DEFAULT_DRAIN_MESSAGES
        : parseInteger(values.max, '--max', { min: 1, max: MAX_DRAIN_MESSAGES }),
    maxReplays,
    visibilityTimeoutSeconds:
      values['visibility-timeout'] === undefined
        ? DEFAULT_VISIBILITY_TIMEOUT_SECONDS
        : parseInteger(values['visibility-timeout'], '--visibility-timeout', { min: 30, max: 43_200 }),
    ratePerSecond: parseRate(values.rate),
    dropInvalidIds: parseDropInvalid(values['drop-invalid'] as string[] | undefined),
    names,
    busName: replayBus(flag(values.bus), env.EVENT_BUS_NAME, names),
    given: givenUrl ? { url: givenUrl, source: flag(values['queue-url']) ? '--queue-url' : 'DLQ_URL' } : undefined,
  };
}

/** Ctrl-C once: finish the batch in hand, then stop; twice: quit at once. Returns the signal and its undo. */
function stopOnInterrupt(io: ReplayDlqIo): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  io.signal?.addEventListener('abort', () => controller.abort(), { once: true });
  let interrupts = 0;
  const onSigint = () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130); // the operator insists; received messages reappear after the visibility timeout
    process.stderr.write('\nreplay-dlq: finishing the batch in hand, then stopping (Ctrl-C again to quit at once)\n');
    controller.abort();
  };
  if (io.handleSigint !== false) process.on('SIGINT', onSigint);
  return {
    signal: controller.signal,
    dispose: () => {
      if (io.handleSigint !== false) process.off('SIGINT', onSigint);
    },
  };
}

function startBanner(
  settings: ReplaySettings,
  queueUrl: string,
  location: DlqLocation,
  depth: Awaited<ReturnType<typeof queueDepth>>,
): string {
  const { dryRun, names, busName, maxMessages, ratePerSecond, maxReplays, dropInvalidIds } = settings;
  return [
    `replay-dlq${dryRun ? ' (DRY RUN: nothing will change)' : ''}: ${printable(queueUrl)} → bus ${printable(busName)}`,
    `publishing only what comes from workspace ${printable(names.workspace)}'s rules and functions in ${printable(location.scope.accountId)}/${printable(location.scope.region)}`,
    `waiting: ${depth.visible} visible, ${depth.inFlight} in flight, ${depth.delayed} delayed (approximate); this run takes at most ${maxMessages}${ratePerSecond ? ` at ${ratePerSecond}/s` : ''}; max replays per event ${maxReplays}${dropInvalidIds.size > 0 ? `; dropping ${plural(dropInvalidIds.size, 'named invalid message')}` : ''}`,
    ...inFlightWarning('start', depth.inFlight),
  ].join('\n');
}

interface ReplayClients {
  sqs: SQSClient;
  eventBridge: EventBridgeClient;
}

/** Drains, printing each message that stayed (every one in a dry run) up to MAX_LISTED; returns the exit code. */
async function drainAndReport(
  settings: ReplaySettings,
  clients: ReplayClients,
  context: Output,
  signal: AbortSignal,
): Promise<number> {
  const { sqs, eventBridge } = clients;
  const { queueUrl, location, origin } = await resolveReplayTarget(
    settings.names,
    settings.given,
    settings.busName,
    clients,
  );
  const depth = await queueDepth(sqs, queueUrl);
  const expected = Math.min(settings.maxMessages, depth.visible);
  if (!context.options.json) context.out(startBanner(settings, queueUrl, location, depth));
  let listed = 0;
  let hidden = 0;
  const { dryRun, busName, maxReplays, dropInvalidIds, maxMessages, visibilityTimeoutSeconds, ratePerSecond } =
    settings;
  const report = await drainDlq({
    sqs,
    queueUrl,
    eventBridge,
    busName,
    origin,
    priceBook: DEFAULT_PRICE_BOOK,
    maxReplays,
    dryRun,
    dropInvalidIds,
    maxMessages,
    visibilityTimeoutSeconds,
    ...(ratePerSecond ? { ratePerSecond } : {}),
    signal,
    onResult: (result, summary) => {
      context.progress(progressBar(summary.seen, Math.max(expected, summary.seen), summary));
      // Dry run: every message; real run: every message that stayed or was dropped (replayed ones are counted).
      const show = dryRun || result.outcome !== 'replayed';
      if (!show || context.options.json) return;
      if (listed < MAX_LISTED) {
        context.progress('\n');
        context.out(describeResult(result));
        listed += 1;
      } else hidden += 1;
    },
  });
  context.progress('\n');
  const inFlight: InFlight = { atStart: depth.inFlight, atEnd: (await queueDepth(sqs, queueUrl)).inFlight };
  const more = hidden > 0 ? `  … and ${hidden} more (use --json)\n` : '';
  context.out(
    [`${more}${summaryText(report)}`, ...undroppedText(report), ...inFlightWarning('end', inFlight.atEnd)].join('\n'),
    { ...report, left: leftCount(report.summary), inFlight },
  );
  return exitCodeOf(report, inFlight);
}

/** SQS or EventBridge cannot be reached: say where, exit EXIT.unreachable (nothing was deleted). */
function unreachableExit(code: string, context: Output, env: NodeJS.ProcessEnv): number {
  const where = `SQS at ${env.AWS_ENDPOINT_URL_SQS ?? env.AWS_ENDPOINT_URL ?? 'AWS'} / EventBridge at ${env.AWS_ENDPOINT_URL_EVENTBRIDGE ?? env.AWS_ENDPOINT_URL ?? 'AWS'}`;
  const message = `cannot reach ${where} (${code}); nothing was deleted`;
  if (context.options.json) process.stdout.write(`${JSON.stringify({ error: message, exitCode: EXIT.unreachable })}\n`);
  process.stderr.write(`reconciler: ${printable(message)}\n`);
  return EXIT.unreachable;
}

export async function runReplayDlq(args: string[], context: Output, io: ReplayDlqIo = {}): Promise<number> {
  const env = io.env ?? process.env;
  const settings = replaySettings(args, context, env);
  const clients = {
    sqs: io.sqs ?? makeSqsClient({ region: context.options.region, maxAttempts: 3 }),
    eventBridge: io.eventBridge ?? makeEventBridgeClient({ region: context.options.region, maxAttempts: 3 }),
  };
  const interrupt = stopOnInterrupt(io);
  try {
    return await drainAndReport(settings, clients, context, interrupt.signal);
  } catch (error) {
    const code = unreachableCode(error);
    if (code) return unreachableExit(code, context, env);
    throw error;
  } finally {
    interrupt.dispose();
  }
}
