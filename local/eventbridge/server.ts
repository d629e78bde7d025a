/**
 * A small local EventBridge for tests and the demo (no emulator exists as a package). An HTTP endpoint
 * on 127.0.0.1 that speaks PutEvents (AWS JSON 1.1, X-Amz-Target AWSEvents.PutEvents) to the real
 * @aws-sdk/client-eventbridge, assigns ids/time/account/region like AWS, and routes each event by the
 * Terraform rules (rules.ts) to registered handlers, the way production does it:
 *
 *   EventBridge → target (retry_policy: delivery retries, then the target DLQ message: the event as
 *   body, RULE_ARN / TARGET_ARN / ERROR_CODE / ERROR_MESSAGE / EXHAUSTED_RETRY_CONDITION / RETRY_ATTEMPTS)
 *   → Lambda asynchronous invocation (function errors retried maximum_retry_attempts times, then the
 *   on-failure destination record, or the function's dead-letter message, sent to the DLQ via SQS).
 *
 * The event rules live on the workspace's own bus (shared/naming.ts `eventBus`), as in Terraform: an
 * event put on another bus (`default`) is accepted and matches nothing. Dead letters carry what AWS
 * would write for this workspace: RULE_ARN `arn:aws:events:<region>:<account>:rule/<bus>/<rule>`,
 * TARGET_ARN and `requestContext.functionArn` the function's `live` alias; and they are sent as who
 * sends them in AWS (`sqsFor`): EventBridge for a target's dead letters, the function's execution role
 * for Lambda's destination record and dead-letter message (so the local SQS reports that SenderId).
 *
 * A publisher policy (publish-policy.ts, `publishers`) refuses `source: video.generation` entries from
 * any key not on its list, as the workspace's bus policy does in AWS.
 *
 * Fault injection (faults.*) fails PutEvents requests or entries, deliveries, or invocations. Everything
 * is bounded: request size, entries per request, in-flight deliveries, the event log.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SendMessageCommand, type MessageAttributeValue, type SQSClient } from '@aws-sdk/client-sqs';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { makeEventBridgeClient, type LocalCredentials } from '../../shared/aws/clients';
import { LIVE_ALIAS, arns, workspaceNames } from '../../shared/naming';
import { accessKeyIdOf } from '../sigv4';
import { publishPolicy, refusalOf } from './publish-policy';
import { RETRY_POLICY, RULES, matchesPattern, type RuleDefinition } from './rules';
import { sleep } from '../../shared/time';

/** An event as EventBridge delivers it to a target. */
export interface DeliveredEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

/** What a handler receives as its second argument (the part of Lambda's context our handlers touch). */
export interface LocalLambdaContext {
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  awsRequestId: string;
  memoryLimitInMB: string;
  logGroupName: string;
  logStreamName: string;
  callbackWaitsForEmptyEventLoop: boolean;
  getRemainingTimeInMillis: () => number;
}

export type TargetHandler = (event: DeliveredEvent, context: LocalLambdaContext) => Promise<unknown>;

/** Who writes a dead letter: EventBridge (a target it could not deliver to), or Lambda for a function. */
export type DlqSender = { kind: 'eventbridge' } | { kind: 'function'; functionName: string };

export interface LocalEventBridgeOptions {
  /** The SQS client (fauxqs) and queue that failures go to, as in Terraform. */
  sqs: SQSClient;
  dlqUrl: string;
  /** Handlers by target name (rules.ts: `debit`, `refund`); more can be routed later with route(). */
  targets?: Record<string, TargetHandler>;
  rules?: readonly RuleDefinition[];
  workspace?: string;
  region?: string;
  account?: string;
  /** The bus the event rules are on. Default: the workspace's own bus (shared/naming.ts). */
  eventBusName?: string;
  /** Buses that exist (EventBusName may be a name or an ARN). Default: `default` and the event bus. */
  busNames?: string[];
  /** The client each dead letter is sent with (who sends it in AWS). Default: `sqs` for all. */
  sqsFor?: (sender: DlqSender) => SQSClient;
  /**
   * The bus policy: the access key ids that may put `source: video.generation` events; any other
   * caller's such entry is refused (AccessDeniedException). Default: no policy, anyone may.
   */
  publishers?: readonly string[];
  /** EventBridge target retry_policy.maximum_retry_attempts (delivery failures). */
  deliveryMaxRetryAttempts?: number;
  /** Lambda async maximum_retry_attempts (function errors), 0..2. */
  lambdaMaxRetryAttempts?: number;
  /** Where Lambda sends an invocation that failed every attempt. */
  lambdaOnFailure?: 'destination' | 'dead_letter_queue';
  /** Delay between retries (AWS waits minutes; tests do not). */
  retryDelayMs?: number;
  /** At most this many handler invocations run at once (like reserved concurrency). */
  maxConcurrency?: number;
  /** Function timeout reported by context.getRemainingTimeInMillis. */
  functionTimeoutMs?: number;
}

export interface FaultControls {
  /** The next `count` PutEvents requests fail as a whole (HTTP 500 InternalException). */
  failNextPutRequests(count: number): void;
  /** The next `count` PutEvents entries are refused (per-entry ErrorCode, FailedEntryCount). */
  failNextPutEntries(count: number, errorCode?: string, errorMessage?: string): void;
  /** Refuse the entry at these positions of the next PutEvents request only (0-based). */
  failEntriesOfNextPut(indexes: number[], errorCode?: string): void;
  /** The next `count` deliveries to `target` fail before reaching Lambda (EventBridge retries, then its target DLQ). */
  failNextDeliveries(target: string, count: number, errorCode?: string, errorMessage?: string): void;
  /** The next `count` invocations of `target` throw (Lambda retries, then the on-failure destination). */
  failNextInvocations(target: string, count: number, error?: () => Error): void;
  clear(): void;
}

export interface LocalEventBridgeStats {
  putRequests: number;
  entriesAccepted: number;
  entriesFailed: number;
  /** Entries the publisher policy refused (counted in entriesFailed too). */
  entriesDenied: number;
  deliveries: number;
  invocations: number;
  invocationErrors: number;
  sentToDlq: number;
  failedToSendToDlq: number;
  unmatched: number;
}

export interface LocalEventBridge {
  endpoint: string;
  region: string;
  account: string;
  /** The bus the event rules are on (publish here). */
  busName: string;
  /** A real EventBridgeClient pointed at this endpoint, signing as `credentials` (default: the loopback default key). */
  client(credentials?: Readonly<LocalCredentials>): EventBridgeClient;
  /** Registers (or replaces) the handler behind a target name. */
  route(target: string, handler: TargetHandler): void;
  /** Resolves when every accepted event has been delivered, retried, or dead-lettered. */
  idle(): Promise<void>;
  stop(): Promise<void>;
  faults: FaultControls;
  stats: Readonly<LocalEventBridgeStats>;
  /** The last MAX_LOGGED_EVENTS accepted events, oldest first. */
  events(): readonly DeliveredEvent[];
}

const MAX_REQUEST_BYTES = 1_048_576;
const PUT_EVENTS_MAX_ENTRIES = 10;
const PUT_EVENTS_MAX_BYTES = 256 * 1024;
const MAX_LOGGED_EVENTS = 10_000;
const MAX_INFLIGHT = 100_000;
const ERROR_MESSAGE_MAX_BYTES = 1_024;

class HttpError extends Error {
  constructor(readonly status: number, readonly type: string, message: string) {
    super(message);
  }
}

interface RequestEntry {
  Source?: unknown;
  DetailType?: unknown;
  Detail?: unknown;
  Resources?: unknown;
  EventBusName?: unknown;
  Time?: unknown;
}

/** AWS's documented entry size (Time 14 bytes; UTF-8 bytes of Source, DetailType, Detail, Resources). */
function entrySize(entry: RequestEntry): number {
  const bytes = (v: unknown) => (typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : 0);
  return (entry.Time !== undefined ? 14 : 0) + bytes(entry.Source) + bytes(entry.DetailType) + bytes(entry.Detail)
    + (Array.isArray(entry.Resources) ? entry.Resources.reduce((s: number, r) => s + bytes(r), 0) : 0);
}

/** EventBridge's time format: ISO-8601 UTC to the second. */
const isoSeconds = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

function parseTime(value: unknown): Date | undefined {
  if (value === undefined || value === null) return undefined;
  // The SDK sends timestamps as epoch seconds (awsJson1_1); accept ISO strings too.
  const date = typeof value === 'number' ? new Date(value * 1000) : typeof value === 'string' ? new Date(value) : new Date(NaN);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) throw new HttpError(413, 'RequestEntityTooLarge', `request larger than ${MAX_REQUEST_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}


export async function startLocalEventBridge(options: LocalEventBridgeOptions): Promise<LocalEventBridge> {
  const region = options.region ?? 'us-east-1';
  const account = options.account ?? '123456789012';
  const workspace = options.workspace ?? 'local';
  const names = workspaceNames(workspace);
  const rules = options.rules ?? RULES;
  const eventBusName = options.eventBusName ?? names.eventBus;
  const busNames = new Set(options.busNames ?? ['default', eventBusName]);
  const deliveryMaxRetries = options.deliveryMaxRetryAttempts ?? RETRY_POLICY.eventBridgeMaxRetryAttempts;
  const lambdaMaxRetries = options.lambdaMaxRetryAttempts ?? RETRY_POLICY.lambdaMaxRetryAttempts;
  if (!Number.isInteger(lambdaMaxRetries) || lambdaMaxRetries < 0 || lambdaMaxRetries > 2) throw new Error('lambdaMaxRetryAttempts must be 0, 1 or 2 (Lambda limit)');
  if (!Number.isInteger(deliveryMaxRetries) || deliveryMaxRetries < 0 || deliveryMaxRetries > 185) throw new Error('deliveryMaxRetryAttempts must be 0..185 (EventBridge limit)');
  const retryDelayMs = options.retryDelayMs ?? 5;
  const maxConcurrency = options.maxConcurrency ?? 16;
  const functionTimeoutMs = options.functionTimeoutMs ?? 30_000;
  const targets = new Map<string, TargetHandler>(Object.entries(options.targets ?? {}));

  const stats: LocalEventBridgeStats = {
    putRequests: 0, entriesAccepted: 0, entriesFailed: 0, entriesDenied: 0, deliveries: 0, invocations: 0, invocationErrors: 0,
    sentToDlq: 0, failedToSendToDlq: 0, unmatched: 0,
  };
  const log: DeliveredEvent[] = [];
  const inflight = new Set<Promise<void>>();

  // --- faults -------------------------------------------------------------------------------
  let failPutRequests = 0;
  let failPutEntries = { count: 0, code: 'InternalFailure', message: 'Internal Service Failure' };
  let failEntryIndexes: { indexes: Set<number>; code: string } | undefined;
  const failDeliveries = new Map<string, { count: number; code: string; message: string }>();
  const failInvocations = new Map<string, { count: number; error: () => Error }>();
  const faults: FaultControls = {
    failNextPutRequests: (count) => { failPutRequests = count; },
    failNextPutEntries: (count, code = 'InternalFailure', message = 'Internal Service Failure') => { failPutEntries = { count, code, message }; },
    failEntriesOfNextPut: (indexes, code = 'InternalFailure') => { failEntryIndexes = { indexes: new Set(indexes), code }; },
    failNextDeliveries: (target, count, code = 'THROTTLING', message = 'Rate Exceeded.') => { failDeliveries.set(target, { count, code, message }); },
    failNextInvocations: (target, count, error = () => new Error(`injected failure of ${target}`)) => { failInvocations.set(target, { count, error }); },
    clear: () => {
      failPutRequests = 0;
      failPutEntries = { ...failPutEntries, count: 0 };
      failEntryIndexes = undefined;
      failDeliveries.clear();
      failInvocations.clear();
    },
  };
  const take = <T extends { count: number }>(map: Map<string, T>, key: string): T | undefined => {
    const fault = map.get(key);
    if (!fault || fault.count <= 0) return undefined;
    fault.count -= 1;
    return fault;
  };

  // --- concurrency (reserved concurrency) -----------------------------------------------------
  let running = 0;
  const waiting: (() => void)[] = [];
  async function withSlot<T>(work: () => Promise<T>): Promise<T> {
    if (running >= maxConcurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    running += 1;
    try {
      return await work();
    } finally {
      running -= 1;
      waiting.shift()?.();
    }
  }

  // --- the DLQ, in AWS's shapes ---------------------------------------------------------------
  const str = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value || '-' });
  const num = (value: number): MessageAttributeValue => ({ DataType: 'Number', StringValue: String(value) });
  const cut = (text: string) => Buffer.from(text, 'utf8').subarray(0, ERROR_MESSAGE_MAX_BYTES).toString('utf8');
  const sqsFor = options.sqsFor ?? (() => options.sqs);
  async function sendToDlq(sender: DlqSender, body: string, attributes?: Record<string, MessageAttributeValue>): Promise<void> {
    try {
      await sqsFor(sender).send(new SendMessageCommand({ QueueUrl: options.dlqUrl, MessageBody: body, ...(attributes ? { MessageAttributes: attributes } : {}) }));
      stats.sentToDlq += 1;
    } catch {
      stats.failedToSendToDlq += 1; // InvocationsFailedToBeSentToDLQ / DeadLetterErrors
    }
  }
  const scope = { region, accountId: account };
  const functionName = (target: string) => names.functions[target as keyof typeof names.functions] ?? `cc-agent-reconciler-${target}-${workspace}`;
  const functionArn = (target: string) => arns.function(scope, functionName(target), LIVE_ALIAS);
  const ruleBus = (rule: RuleDefinition) => (names.rules[rule.key].onDefaultBus ? 'default' : eventBusName);
  const ruleArn = (rule: RuleDefinition) => arns.rule(scope, ruleBus(rule), names.rules[rule.key].name);
  /** The bus an entry names (EventBusName may be a name or an ARN; none is `default`). */
  const busOf = (entry: RequestEntry) => (typeof entry.EventBusName === 'string' && entry.EventBusName ? entry.EventBusName.replace(/^arn:.*:event-bus\//, '') : 'default');
  const lambdaSender = (target: string): DlqSender => ({ kind: 'function', functionName: functionName(target) });

  // --- delivery: EventBridge target retries, then Lambda async invocation --------------------
  async function deliver(rule: RuleDefinition, event: DeliveredEvent): Promise<void> {
    const target = rule.target;
    for (let attempt = 0; ; attempt++) {
      stats.deliveries += 1;
      const fault = take(failDeliveries, target);
      const missing = !targets.has(target);
      if (!fault && !missing) break;
      if (attempt >= deliveryMaxRetries || missing) {
        // Retries exhausted (or no such function: EventBridge does not retry that): its target DLQ.
        await sendToDlq({ kind: 'eventbridge' }, JSON.stringify(event), {
          RULE_ARN: str(ruleArn(rule)),
          TARGET_ARN: str(functionArn(target)),
          ERROR_CODE: str(missing ? 'RESOURCE_NOT_FOUND' : fault!.code),
          ERROR_MESSAGE: str(missing ? `Function not found: ${functionArn(target)}` : fault!.message),
          EXHAUSTED_RETRY_CONDITION: str('MaximumRetryAttempts'),
          RETRY_ATTEMPTS: num(missing ? 0 : attempt),
        });
        return;
      }
      await sleep(retryDelayMs);
    }

    const requestId = randomUUID();
    let lastError: Error | undefined;
    const attempts = 1 + lambdaMaxRetries;
    for (let invoke = 1; invoke <= attempts; invoke++) {
      const handler = targets.get(target)!;
      stats.invocations += 1;
      try {
        const injected = take(failInvocations, target);
        await withSlot(async () => {
          // Lambda's clock starts when the function starts, not while the invocation waits for
          // concurrency: a deadline taken before the wait made middy time out queued invocations.
          const deadline = Date.now() + functionTimeoutMs;
          const context: LocalLambdaContext = {
            functionName: functionName(target), functionVersion: '1', invokedFunctionArn: functionArn(target),
            awsRequestId: requestId, memoryLimitInMB: '256', logGroupName: `/aws/lambda/${functionName(target)}`,
            logStreamName: 'local', callbackWaitsForEmptyEventLoop: false, getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
          };
          if (injected) throw injected.error();
          // Lambda hands the function its own copy of the event.
          await handler(structuredClone(event), context);
        });
        return;
      } catch (error) {
        stats.invocationErrors += 1;
        lastError = error instanceof Error ? error : new Error(String(error));
        if (invoke < attempts) await sleep(retryDelayMs);
      }
    }

    const errorType = lastError?.name ?? 'Error';
    const errorMessage = lastError?.message ?? 'unknown error';
    if (options.lambdaOnFailure === 'dead_letter_queue') {
      // Function DLQ: the payload unmodified; RequestID, ErrorCode (3-digit HTTP code), ErrorMessage (≤ 1 KB).
      await sendToDlq(lambdaSender(target), JSON.stringify(event), { RequestID: str(requestId), ErrorCode: num(200), ErrorMessage: str(cut(errorMessage)) });
      return;
    }
    // On-failure destination: the invocation record (Node.js runtimes report `trace`).
    await sendToDlq(lambdaSender(target), JSON.stringify({
      version: '1.0',
      timestamp: new Date().toISOString(),
      requestContext: { requestId, functionArn: functionArn(target), condition: 'RetriesExhausted', approximateInvokeCount: attempts },
      requestPayload: event,
      responseContext: { statusCode: 200, executedVersion: '1', functionError: 'Unhandled' },
      responsePayload: { errorType, errorMessage, trace: (lastError?.stack ?? '').split('\n').slice(0, 10) },
    }));
  }

  function track(work: Promise<void>) {
    if (inflight.size >= MAX_INFLIGHT) throw new HttpError(400, 'LimitExceededException', 'too many events in flight on the local bus');
    const p = work.catch(() => undefined).finally(() => inflight.delete(p));
    inflight.add(p);
  }

  // --- PutEvents ------------------------------------------------------------------------------
  const policy = options.publishers ? publishPolicy(options.publishers) : undefined;
  function putEvents(input: { Entries?: unknown }, caller: string | undefined): { FailedEntryCount: number; Entries: ({ EventId: string } | { ErrorCode: string; ErrorMessage: string })[] } {
    stats.putRequests += 1;
    const entries = input.Entries;
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > PUT_EVENTS_MAX_ENTRIES) {
      throw new HttpError(400, 'ValidationException', `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and ${PUT_EVENTS_MAX_ENTRIES}`);
    }
    const total = (entries as RequestEntry[]).reduce((s, e) => s + entrySize(e ?? {}), 0);
    if (total > PUT_EVENTS_MAX_BYTES) throw new HttpError(400, 'ValidationException', 'Total size of the entries in the request is over the limit.');
    if (failPutRequests > 0) {
      failPutRequests -= 1;
      throw new HttpError(500, 'InternalException', 'injected PutEvents failure');
    }
    const indexFaults = failEntryIndexes;
    failEntryIndexes = undefined;

    const now = new Date();
    const results = (entries as RequestEntry[]).map((raw, index) => {
      const entry = raw ?? {};
      const refuse = (ErrorCode: string, ErrorMessage: string) => ({ ErrorCode, ErrorMessage });
      if (indexFaults?.indexes.has(index)) return refuse(indexFaults.code, 'Internal Service Failure');
      if (failPutEntries.count > 0) {
        failPutEntries.count -= 1;
        return refuse(failPutEntries.code, failPutEntries.message);
      }
      if (typeof entry.Source !== 'string' || !entry.Source) return refuse('InvalidArgument', 'Parameter Source is not valid. Reason: Source is a required argument.');
      const denied = refusalOf(policy, caller, entry.Source, arns.bus(scope, busOf(entry)));
      if (denied) {
        stats.entriesDenied += 1;
        return denied;
      }
      if (typeof entry.DetailType !== 'string' || !entry.DetailType) return refuse('InvalidArgument', 'Parameter DetailType is not valid. Reason: DetailType is a required argument.');
      if (typeof entry.Detail !== 'string') return refuse('InvalidArgument', 'Parameter Detail is not valid. Reason: Detail is a required argument.');
      let detail: unknown;
      try {
        detail = JSON.parse(entry.Detail);
      } catch {
        detail = undefined;
      }
      if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) return refuse('MalformedDetail', 'Detail is malformed.');
      const bus = busOf(entry);
      if (!busNames.has(bus)) return refuse('InvalidArgument', `Event bus ${bus} does not exist.`);
      const resources = Array.isArray(entry.Resources) ? entry.Resources.filter((r): r is string => typeof r === 'string') : [];
      const event: DeliveredEvent = {
        version: '0', id: randomUUID(), 'detail-type': entry.DetailType, source: entry.Source, account,
        time: isoSeconds(parseTime(entry.Time) ?? now), region, resources, detail: detail as Record<string, unknown>,
      };
      log.push(event);
      if (log.length > MAX_LOGGED_EVENTS) log.shift();
      // A rule sees only the events of its own bus.
      const matched = rules.filter((rule) => ruleBus(rule) === bus && matchesPattern(rule.eventPattern, event as unknown as Record<string, unknown>));
      if (matched.length === 0) stats.unmatched += 1;
      // Delivery is asynchronous, after PutEvents has answered (as in AWS).
      for (const rule of matched) track(new Promise<void>((resolve) => setImmediate(resolve)).then(() => deliver(rule, event)));
      return { EventId: event.id };
    });
    const failed = results.filter((r) => 'ErrorCode' in r).length;
    stats.entriesAccepted += results.length - failed;
    stats.entriesFailed += failed;
    return { FailedEntryCount: failed, Entries: results };
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const reply = (status: number, body: unknown, errorType?: string) => {
      response.writeHead(status, {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-requestid': requestId,
        ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
      });
      response.end(JSON.stringify(body));
    };
    try {
      if (request.method !== 'POST') throw new HttpError(405, 'MethodNotAllowed', 'only POST');
      const target = String(request.headers['x-amz-target'] ?? '');
      const body = await readBody(request);
      if (target !== 'AWSEvents.PutEvents') throw new HttpError(400, 'UnknownOperationException', `the local EventBridge speaks PutEvents only, not ${target || '(no X-Amz-Target)'}`);
      let input: unknown;
      try {
        input = JSON.parse(body || '{}');
      } catch {
        throw new HttpError(400, 'SerializationException', 'request body is not JSON');
      }
      reply(200, putEvents(input as { Entries?: unknown }, accessKeyIdOf(request.headers)));
    } catch (error) {
      const e = error instanceof HttpError ? error : new HttpError(500, 'InternalException', (error as Error).message);
      reply(e.status, { __type: e.type, message: e.message }, e.type);
    }
  }

  const server: Server = createServer((req, res) => { void handle(req, res); });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;

  async function idle(): Promise<void> {
    // Deliveries may start more deliveries' retries; wait until nothing is left in flight.
    while (inflight.size > 0) await Promise.allSettled([...inflight]);
  }

  return {
    endpoint, region, account, busName: eventBusName,
    client: (credentials) => makeEventBridgeClient({ endpoint, region, maxAttempts: 1, ...(credentials ? { localCredentials: credentials } : {}) }),
    route: (target, handler) => { targets.set(target, handler); },
    idle,
    stop: async () => {
      await idle();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
    faults,
    stats,
    events: () => log,
  };
}
