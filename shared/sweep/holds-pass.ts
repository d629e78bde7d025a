/**
 * Pass 2b, hold expiry: every ACTIVE hold whose expiry has come is expired, its credits returned to
 * the user's `available` (shared/ledger/holds.ts endHold: one conditional transaction, which loses
 * cleanly to a capture or a release that got there first). The sparse `holdsDue` index holds only
 * ACTIVE holds, by shard and expiry; each run reads the part at or before now, so its cost is the
 * holds that are due, never history. Nothing is saved between runs: an expired hold leaves the index,
 * so the next run simply reads what is still due.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { endHold } from '../ledger/holds';
import { holdFrom } from '../ledger/settlement-item';
import { forEachBounded } from '../pool';
import { SETTLEMENTS_HOLDS_DUE_INDEX } from '../tables';
import type { SweepRun } from './run-state';
import { walkShards } from './shard-walk';

type Item = Record<string, AttributeValue>;

export async function holdExpiryPass(run: SweepRun): Promise<boolean> {
  const nowIso = run.startedAt.toISOString();
  const position = await walkShards(
    run,
    { shard: 0 },
    {
      label: 'hold expiry',
      shardAttribute: 'holdShard',
      query: (shard) => ({
        TableName: run.ledger.tables.settlements,
        IndexName: SETTLEMENTS_HOLDS_DUE_INDEX,
        KeyConditionExpression: 'holdShard = :shard AND holdExpiresAt <= :now',
        ExpressionAttributeValues: { ':shard': { S: String(shard) }, ':now': { S: nowIso } },
        Limit: run.limits.pageSize,
      }),
      handlePage: (items) => expirePage(run, items),
      onPage: (n) => {
        run.holds.pages++;
        run.holds.itemsRead += n;
      },
      pageLimit: run.limits.maxPagesPerRun,
    },
  );
  return position === undefined;
}

async function expirePage(run: SweepRun, items: Item[]): Promise<number> {
  const { started } = await forEachBounded(
    items,
    run.limits.concurrency,
    async (item) => {
      const jobId = item.jobId?.S ?? '(no jobId)';
      try {
        const hold = holdFrom(unmarshall(item));
        if (!hold) return;
        if (run.dryRun) {
          noteExpired(run, jobId, hold.userId, hold.credits);
          return;
        }
        run.counter.requests++;
        const ended = await endHold(run.ledger, jobId, 'EXPIRED', hold);
        // Captured or released meanwhile: that writer's answer stands, nothing to count.
        if (ended.status === 'ended') {
          noteExpired(run, jobId, hold.userId, hold.credits);
          run.holdUsers.add(hold.userId);
        }
      } catch (error) {
        run.error(`hold of job ${jobId}`, error);
      }
    },
    () => run.outOfTime(),
  );
  return started;
}

function noteExpired(run: SweepRun, jobId: string, userId: string, credits: number): void {
  run.holdsExpired.add({ jobId, userId, credits });
  run.holds.expiredCredits += credits;
}
