/** The local EventBridge's public shapes: what it delivers, to whom, and what a test can control and read. */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { LocalCredentials } from '../../shared/aws/clients';
import type { RuleDefinition } from './rules';

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
  /** A fixed port (make local keeps its endpoints across restarts); default a free one. */
  port?: number;
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
