/**
 * The producer's side of holds: before it starts a render, it invokes the reserve function and
 * acts on the answer. Held: the job goes ahead. Refused: the job is never started (no Jobs item, no
 * events). An invocation that fails (throttled past its retries) is retried as a producer would;
 * some requests are sent twice at once (a producer retrying too eagerly).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createReserveHandler, type ReserveResponse } from '../shared/lambda/reserve-handler';
import { forEachBounded } from '../shared/pool';
import type { Logger } from '../shared/observability/logger';
import type { TableNames } from '../shared/tables';
import { lambdaContext } from '../local/lambda-context';
import type { Random } from './random';
import { SIM_HOLD_SECONDS, type Day } from './simulation';

const RESERVE_CONCURRENCY = 8;
const PRODUCER_ATTEMPTS = 5;

export interface ReservePhase {
  /** The last answer each job's producer acted on. */
  answers: Map<string, ReserveResponse>;
  refused: Set<string>;
  counts: { held: number; refused: number; conflict: number; invalid: number; retried: number; sentTwice: number };
}

export async function reserveBeforeRendering(
  day: Day,
  deps: { dynamodb: DynamoDBClient; tables: TableNames; logger: Logger; workspace: string; random: Random },
): Promise<ReservePhase> {
  const handler = createReserveHandler(() => ({
    holds: { dynamodb: deps.dynamodb, tables: deps.tables },
    limits: { defaultSeconds: SIM_HOLD_SECONDS },
    logger: deps.logger,
    workspace: deps.workspace,
  }));
  const phase: ReservePhase = {
    answers: new Map(),
    refused: new Set(),
    counts: { held: 0, refused: 0, conflict: 0, invalid: 0, retried: 0, sentTwice: 0 },
  };
  const invoke = async (request: object): Promise<ReserveResponse> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await handler(request, lambdaContext('reserve'));
      } catch (error) {
        if (attempt >= PRODUCER_ATTEMPTS) throw error;
        phase.counts.retried++;
      }
    }
  };
  const holding = day.jobs.filter((job) => job.hold !== undefined);
  await forEachBounded(holding, RESERVE_CONCURRENCY, async (job) => {
    const request = { jobId: job.jobId, userId: job.userId, credits: job.hold!.credits };
    const twice = deps.random.chance(0.05);
    if (twice) phase.counts.sentTwice++;
    const [answer] = await Promise.all([invoke(request), ...(twice ? [invoke(request)] : [])]);
    phase.answers.set(job.jobId, answer!);
    phase.counts[answer!.status]++;
    if (answer!.status !== 'held') phase.refused.add(job.jobId);
  });
  return phase;
}
