/**
 * PutEvents as AWS answers it: the request's limits (1–10 entries, 256 KB), each entry checked and
 * refused on its own (ErrorCode/ErrorMessage, FailedEntryCount), the bus policy applied to the caller,
 * ids, time, account and region assigned, and every matching rule's delivery scheduled after the answer.
 */
import { randomUUID } from 'node:crypto';
import { arns } from '../../shared/naming';
import type { BusWorld } from './bus-world';
import type { FaultSwitches } from './fault-switches';
import { HttpError } from './http-error';
import { refusalOf, type PublishPolicy } from './publish-policy';
import { matchesPattern, type RuleDefinition } from './rules';
import type { DeliveredEvent, LocalEventBridgeStats } from './types';

const PUT_EVENTS_MAX_ENTRIES = 10;
const PUT_EVENTS_MAX_BYTES = 256 * 1024;
const MAX_LOGGED_EVENTS = 10_000;

export interface RequestEntry {
  Source?: unknown;
  DetailType?: unknown;
  Detail?: unknown;
  Resources?: unknown;
  EventBusName?: unknown;
  Time?: unknown;
}

type EntryResult = { EventId: string } | { ErrorCode: string; ErrorMessage: string };
export interface PutEventsAnswer {
  FailedEntryCount: number;
  Entries: EntryResult[];
}

export interface PutEventsParts {
  world: BusWorld;
  faults: FaultSwitches;
  stats: LocalEventBridgeStats;
  policy: PublishPolicy | undefined;
  /** The accepted events, the last MAX_LOGGED_EVENTS of them. */
  log: DeliveredEvent[];
  /** Delivers `event` by `rule`, after PutEvents has answered (as in AWS). */
  schedule: (rule: RuleDefinition, event: DeliveredEvent) => void;
}

/** AWS's documented entry size (Time 14 bytes; UTF-8 bytes of Source, DetailType, Detail, Resources). */
function entrySize(entry: RequestEntry): number {
  const bytes = (v: unknown) => (typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : 0);
  return (
    (entry.Time !== undefined ? 14 : 0) +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    (Array.isArray(entry.Resources) ? entry.Resources.reduce((s: number, r) => s + bytes(r), 0) : 0)
  );
}

/** EventBridge's time format: ISO-8601 UTC to the second. */
const isoSeconds = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

function parseTime(value: unknown): Date | undefined {
  if (value === undefined || value === null) return undefined;
  // The SDK sends timestamps as epoch seconds (awsJson1_1); accept ISO strings too.
  const date =
    typeof value === 'number' ? new Date(value * 1000) : typeof value === 'string' ? new Date(value) : new Date(NaN);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** The bus an entry names (EventBusName may be a name or an ARN; none is `default`). */
const busOf = (entry: RequestEntry) =>
  typeof entry.EventBusName === 'string' && entry.EventBusName
    ? entry.EventBusName.replace(/^arn:.*:event-bus\//, '')
    : 'default';
const refuse = (ErrorCode: string, ErrorMessage: string) => ({ ErrorCode, ErrorMessage });

function checkRequest(entries: unknown): RequestEntry[] {
  if (!Array.isArray(entries) || entries.length < 1 || entries.length > PUT_EVENTS_MAX_ENTRIES) {
    throw new HttpError(
      400,
      'ValidationException',
      `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and ${PUT_EVENTS_MAX_ENTRIES}`,
    );
  }
  const total = (entries as RequestEntry[]).reduce((s, e) => s + entrySize(e ?? {}), 0);
  if (total > PUT_EVENTS_MAX_BYTES)
    throw new HttpError(400, 'ValidationException', 'Total size of the entries in the request is over the limit.');
  return entries as RequestEntry[];
}

/** The entry's detail as an object, or why AWS would refuse it (after the caller passed the policy). */
function validDetail(
  parts: PutEventsParts,
  entry: RequestEntry,
  caller: string | undefined,
): { detail: Record<string, unknown> } | EntryResult {
  if (typeof entry.Source !== 'string' || !entry.Source)
    return refuse('InvalidArgument', 'Parameter Source is not valid. Reason: Source is a required argument.');
  const denied = refusalOf(parts.policy, caller, entry.Source, arns.bus(parts.world.scope, busOf(entry)));
  if (denied) {
    parts.stats.entriesDenied += 1;
    return denied;
  }
  if (typeof entry.DetailType !== 'string' || !entry.DetailType)
    return refuse('InvalidArgument', 'Parameter DetailType is not valid. Reason: DetailType is a required argument.');
  if (typeof entry.Detail !== 'string')
    return refuse('InvalidArgument', 'Parameter Detail is not valid. Reason: Detail is a required argument.');
  let detail: unknown;
  try {
    detail = JSON.parse(entry.Detail);
  } catch {
    detail = undefined;
  }
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail))
    return refuse('MalformedDetail', 'Detail is malformed.');
  const bus = busOf(entry);
  if (!parts.world.busNames.has(bus)) return refuse('InvalidArgument', `Event bus ${bus} does not exist.`);
  return { detail: detail as Record<string, unknown> };
}

/** Accepts one valid entry: the event as AWS would stamp it, logged, and routed to the rules of its bus. */
function accept(parts: PutEventsParts, entry: RequestEntry, detail: Record<string, unknown>, now: Date): EntryResult {
  const { world, log, stats } = parts;
  const resources = Array.isArray(entry.Resources)
    ? entry.Resources.filter((r): r is string => typeof r === 'string')
    : [];
  const event: DeliveredEvent = {
    version: '0',
    id: randomUUID(),
    'detail-type': entry.DetailType as string,
    source: entry.Source as string,
    account: world.account,
    time: isoSeconds(parseTime(entry.Time) ?? now),
    region: world.region,
    resources,
    detail,
  };
  log.push(event);
  if (log.length > MAX_LOGGED_EVENTS) log.shift();
  // A rule sees only the events of its own bus.
  const bus = busOf(entry);
  const matched = world.rules.filter(
    (rule) =>
      world.ruleBus(rule) === bus && matchesPattern(rule.eventPattern, event as unknown as Record<string, unknown>),
  );
  if (matched.length === 0) stats.unmatched += 1;
  for (const rule of matched) parts.schedule(rule, event);
  return { EventId: event.id };
}

export function putEventsWith(
  parts: PutEventsParts,
): (input: { Entries?: unknown }, caller: string | undefined) => PutEventsAnswer {
  return (input, caller) => {
    const { faults, stats } = parts;
    stats.putRequests += 1;
    const entries = checkRequest(input.Entries);
    if (faults.takePutRequest()) throw new HttpError(500, 'InternalException', 'injected PutEvents failure');
    const indexFaults = faults.takeEntryIndexes();
    const now = new Date();
    const results = entries.map((raw, index): EntryResult => {
      const entry = raw ?? {};
      if (indexFaults?.indexes.has(index)) return refuse(indexFaults.code, 'Internal Service Failure');
      const injected = faults.takePutEntry();
      if (injected) return refuse(injected.code, injected.message);
      const checked = validDetail(parts, entry, caller);
      return 'detail' in checked ? accept(parts, entry, checked.detail, now) : checked;
    });
    const failed = results.filter((r) => 'ErrorCode' in r).length;
    stats.entriesAccepted += results.length - failed;
    stats.entriesFailed += failed;
    return { FailedEntryCount: failed, Entries: results };
  };
}
