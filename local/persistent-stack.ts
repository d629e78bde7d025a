/**
 * `make local`: the whole system on this machine, kept up for a producer team to integrate against.
 * DynamoDB Local keeps its data under the project (-sharedDb, so any access key sees the same
 * tables; a restart keeps the books), fauxqs holds the DLQ and the ops topic (in memory), the local
 * EventBridge runs the real debit and refund handlers behind the workspace's rules and bus policy,
 * and the sweep runs on a short schedule. Fixed ports, so the printed `export` lines stay valid
 * across restarts, checked free before anything starts. The terminal gets one line per settled or
 * refused event (persistent/settled-lines.ts). Stops everything it started on stop().
 */
import { mkdirSync, rmSync, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { createLogger, type Logger } from '../shared/observability/logger';
import { DEFAULT_PRICE_BOOK } from '../shared/pricing';
import { sweepAndReport } from '../shared/sweep';
import { PRODUCER } from './principals';
import { assertPortsFree } from './persistent/ports-free';
import { reportingTarget } from './persistent/settled-lines';
import { startLocalStack, type LocalStack } from './stack';

export const LOCAL_WORKSPACE = 'local';
/** Ports from a base: DynamoDB Local, the SQS front, fauxqs (SNS, and SQS behind the front), the local EventBridge. */
export type LocalPorts = Record<'dynamodb' | 'sqs' | 'fauxqs' | 'eventbridge', number>;
export const DEFAULT_BASE_PORT = 8000;
export const portsFrom = (base: number): LocalPorts => ({
  dynamodb: base,
  sqs: base + 1,
  fauxqs: base + 2,
  eventbridge: base + 3,
});
export const DEFAULT_SWEEP_SECONDS = 60;

export interface PersistentStackOptions {
  /** Where the books and the handler log live: `<dataDir>/dynamodb/`, `<dataDir>/handlers.log`. */
  dataDir: string;
  /** Wipe the books first. */
  fresh?: boolean;
  /** Default: portsFrom(DEFAULT_BASE_PORT). */
  ports?: LocalPorts;
  sweepEverySeconds?: number;
  /** One short line per settled event and per sweep that did anything, and other news for the terminal. */
  say?: (line: string) => void;
}

export interface PersistentStack {
  stack: LocalStack;
  /** The shell lines a producer's code, the AWS CLI and `reconciler` need. */
  exports: string[];
  logFile: string;
  stop(): Promise<void>;
}

type Stop = () => Promise<void>;

async function startServers(
  options: PersistentStackOptions,
  ports: LocalPorts,
  stops: Stop[],
): Promise<{ dynamoEndpoint: string; sqsEndpoint: string }> {
  const dbPath = join(options.dataDir, 'dynamodb');
  if (options.fresh) rmSync(dbPath, { recursive: true, force: true });
  mkdirSync(dbPath, { recursive: true });
  const { startDynamoDbLocal } = await import('../scripts/local/dynamodb-local.mjs' as string);
  const { startFauxqsLocal } = await import('../scripts/local/fauxqs-local.mjs' as string);
  const dynamo = await startDynamoDbLocal({ memoryMb: 512, sharedDb: true, dbPath, port: ports.dynamodb });
  stops.push(dynamo.stop);
  const fauxqs = await startFauxqsLocal({ port: ports.fauxqs });
  stops.push(fauxqs.stop);
  return { dynamoEndpoint: dynamo.endpoint as string, sqsEndpoint: fauxqs.endpoint as string };
}

/** The sweep every `seconds`, one run at a time; returns its stop. */
function scheduleSweep(stack: LocalStack, seconds: number, logger: Logger, say: (line: string) => void): Stop {
  let running: Promise<void> | undefined;
  const tick = () => {
    if (running) return;
    running = sweepAndReport(
      {
        ledger: { dynamodb: stack.dynamodb, tables: stack.tables },
        priceBook: DEFAULT_PRICE_BOOK,
        workspace: stack.workspace,
        alerts: { sns: stack.sns, topicArn: stack.alertsTopicArn },
        logger,
      },
      // Locally there is no index lag to wait for.
      { timeBudgetMs: Math.min(seconds * 1000, 60_000), limits: { indexLagSeconds: 0, driftRecheckDelayMs: 0 } },
    )
      .then(
        ({ result }) => {
          const r = result;
          const news =
            r.stragglers.count + r.backstop.refunds.count + r.holds.expired.count + r.drift.count + r.stuck.count;
          if (news > 0)
            say(
              `sweep: ${r.stragglers.count} stragglers settled, ${r.backstop.refunds.count} lost refunds paid, ${r.holds.expired.count} holds expired, ${r.stuck.count} stuck, drift ${r.drift.count}`,
            );
        },
        (error: unknown) => say(`sweep failed: ${(error as Error).message} (see the handler log)`),
      )
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, seconds * 1000);
  return async () => {
    clearInterval(timer);
    await running;
  };
}

/** `export` lines: the producer's own key (the bus policy lets it publish), endpoints, names. */
export function exportLines(stack: LocalStack): string[] {
  const env = {
    AWS_ACCESS_KEY_ID: PRODUCER.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: PRODUCER.credentials.secretAccessKey,
    ...stack.env(),
  };
  return Object.entries(env).map(([key, value]) => `export ${key}=${value}`);
}

export async function startPersistentStack(options: PersistentStackOptions): Promise<PersistentStack> {
  const ports = options.ports ?? portsFrom(DEFAULT_BASE_PORT);
  const say = options.say ?? (() => undefined);
  const stops: Stop[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  await assertPortsFree(Object.values(ports));
  try {
    const { dynamoEndpoint, sqsEndpoint } = await startServers(options, ports, stops);
    const logFile = join(options.dataDir, 'handlers.log');
    const logStream = createWriteStream(logFile, { flags: 'a' });
    stops.push(() => new Promise<void>((resolve) => logStream.end(() => resolve())));
    const logger = createLogger({
      component: 'local',
      workspace: LOCAL_WORKSPACE,
      level: 'info',
      destination: logStream,
    });
    const stack = await startLocalStack({
      workspace: LOCAL_WORKSPACE,
      dynamoEndpoint,
      sqsEndpoint,
      sqsPort: ports.sqs,
      logger,
      wrapTarget: reportingTarget(say),
      // The platform's retries, but at local speed.
      bus: { port: ports.eventbridge, retryDelayMs: 200 },
    });
    stops.push(() => stack.stop());
    stops.push(scheduleSweep(stack, options.sweepEverySeconds ?? DEFAULT_SWEEP_SECONDS, logger, say));
    return { stack, exports: exportLines(stack), logFile, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
