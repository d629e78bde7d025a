/**
 * One resumable walk over the 16 shards of a sparse Jobs index, page by page: the straggler pass and
 * the refund backstop both use it. It stops starting work when the time budget or the page limit is
 * reached, and says where the next walk resumes (after the last item handled), or that every shard
 * was read.
 */
import { QueryCommand, type AttributeValue, type QueryCommandInput } from '@aws-sdk/client-dynamodb';
import { DEFAULT_RETRY_POLICY, withRetries } from '../ledger/retry';
import { SWEEP_SHARD_COUNT } from '../tables';
import { counted } from './balance-audit';
import { indexKeyOf, type ShardAttribute } from './job-record';
import type { SweepRun } from './run-state';
import type { ShardPosition } from './state';

type Item = Record<string, AttributeValue>;

export interface ShardWalk {
  /** The query of one page of one shard (everything but the start key). */
  query: (shard: number) => QueryCommandInput;
  /** The index's shard attribute, for resume keys. */
  shardAttribute: ShardAttribute;
  /** Handles a page; returns how many of its items it started (a prefix), fewer when out of time. */
  handlePage: (items: Item[]) => Promise<number>;
  /** Counts pages and items read. */
  onPage: (items: number) => void;
  pageLimit: number;
  label: string;
}

/** @returns where to resume, or undefined when the last shard was read to its end. */
export async function walkShards(
  run: SweepRun,
  from: ShardPosition,
  walk: ShardWalk,
): Promise<ShardPosition | undefined> {
  let at = from;
  for (let pages = 0; ; pages++) {
    if (run.outOfTime()) {
      run.stop('time_budget');
      return at;
    }
    if (pages >= walk.pageLimit) {
      run.stop('page_limit');
      return at;
    }
    const position = at;
    const page = await withRetries(
      run.ledger.retry ?? DEFAULT_RETRY_POLICY,
      `query ${walk.label} shard ${position.shard}`,
      () =>
        counted(run.counter, () =>
          run.ledger.dynamodb.send(
            new QueryCommand({ ...walk.query(position.shard), ExclusiveStartKey: position.startKey }),
          ),
        ),
    ).then((r) => r.value);
    const items = page.Items ?? [];
    walk.onPage(items.length);
    const started = await walk.handlePage(items);
    run.progress(`${walk.label}: shard ${position.shard + 1}/${SWEEP_SHARD_COUNT}, pages ${pages + 1}`);
    if (started < items.length) {
      // Budget spent mid-page: resume right after the last item handled.
      run.stop('time_budget');
      return started > 0
        ? { shard: position.shard, startKey: indexKeyOf(items[started - 1]!, walk.shardAttribute) }
        : position;
    }
    if (page.LastEvaluatedKey) {
      at = { shard: position.shard, startKey: page.LastEvaluatedKey };
      continue;
    }
    if (position.shard + 1 >= SWEEP_SHARD_COUNT) return undefined;
    at = { shard: position.shard + 1 };
  }
}
