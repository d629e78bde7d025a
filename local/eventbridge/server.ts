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
import { makeEventBridgeClient } from '../../shared/aws/clients';
import { accessKeyIdOf } from '../sigv4';
import { busWorldFrom } from './bus-world';
import { deadLetters } from './dead-letters';
import { concurrencyLimit, deliverer } from './delivery';
import { FaultSwitches } from './fault-switches';
import { HttpError } from './http-error';
import { publishPolicy } from './publish-policy';
import { putEventsWith, type PutEventsAnswer } from './put-events';
import type {
  DeliveredEvent,
  LocalEventBridge,
  LocalEventBridgeOptions,
  LocalEventBridgeStats,
  TargetHandler,
} from './types';

export type {
  DeliveredEvent,
  DlqSender,
  FaultControls,
  LocalEventBridge,
  LocalEventBridgeOptions,
  LocalEventBridgeStats,
  LocalLambdaContext,
  TargetHandler,
} from './types';

const MAX_REQUEST_BYTES = 1_048_576;
const MAX_INFLIGHT = 100_000;

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES)
      throw new HttpError(413, 'RequestEntityTooLarge', `request larger than ${MAX_REQUEST_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

type PutEvents = (input: { Entries?: unknown }, caller: string | undefined) => PutEventsAnswer;

/** The AWS JSON 1.1 wire: POST, X-Amz-Target AWSEvents.PutEvents, errors as `__type` + message. */
async function answerHttp(putEvents: PutEvents, request: IncomingMessage, response: ServerResponse): Promise<void> {
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
    if (target !== 'AWSEvents.PutEvents')
      throw new HttpError(
        400,
        'UnknownOperationException',
        `the local EventBridge speaks PutEvents only, not ${target || '(no X-Amz-Target)'}`,
      );
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

async function listenOnLoopback(putEvents: PutEvents, port = 0): Promise<{ server: Server; endpoint: string }> {
  const server: Server = createServer((req, res) => {
    void answerHttp(putEvents, req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return { server, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Deliveries run after PutEvents answered; each is tracked so idle() and stop() can wait for it. */
function inflightTracker() {
  const inflight = new Set<Promise<void>>();
  return {
    track(work: Promise<void>): void {
      if (inflight.size >= MAX_INFLIGHT)
        throw new HttpError(400, 'LimitExceededException', 'too many events in flight on the local bus');
      const p = work.catch(() => undefined).finally(() => inflight.delete(p));
      inflight.add(p);
    },
    async idle(): Promise<void> {
      // Deliveries may start more deliveries' retries; wait until nothing is left in flight.
      while (inflight.size > 0) await Promise.allSettled([...inflight]);
    },
  };
}

export async function startLocalEventBridge(options: LocalEventBridgeOptions): Promise<LocalEventBridge> {
  const world = busWorldFrom(options);
  const targets = new Map<string, TargetHandler>(Object.entries(options.targets ?? {}));
  const stats: LocalEventBridgeStats = {
    putRequests: 0,
    entriesAccepted: 0,
    entriesFailed: 0,
    entriesDenied: 0,
    deliveries: 0,
    invocations: 0,
    invocationErrors: 0,
    sentToDlq: 0,
    failedToSendToDlq: 0,
    unmatched: 0,
  };
  const log: DeliveredEvent[] = [];
  const faults = new FaultSwitches();
  const inflight = inflightTracker();
  const deliver = deliverer({
    world,
    targets,
    faults,
    stats,
    letters: deadLetters(world, options, stats),
    withSlot: concurrencyLimit(world.maxConcurrency),
  });
  const putEvents = putEventsWith({
    world,
    faults,
    stats,
    log,
    policy: options.publishers ? publishPolicy(options.publishers) : undefined,
    // Delivery is asynchronous, after PutEvents has answered (as in AWS).
    schedule: (rule, event) =>
      inflight.track(new Promise<void>((resolve) => setImmediate(resolve)).then(() => deliver(rule, event))),
  });
  const { server, endpoint } = await listenOnLoopback(putEvents, options.port);
  const { region, account } = world;
  return {
    endpoint,
    region,
    account,
    busName: world.eventBusName,
    client: (credentials) =>
      makeEventBridgeClient({
        endpoint,
        region,
        maxAttempts: 1,
        ...(credentials ? { localCredentials: credentials } : {}),
      }),
    route: (target, handler) => {
      targets.set(target, handler);
    },
    idle: inflight.idle,
    stop: async () => {
      await inflight.idle();
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
