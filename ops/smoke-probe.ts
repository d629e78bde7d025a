/**
 * What the smoke test does to a deployed workspace and how it looks: put an event on the bus as the
 * smoke user, read a job's settlement, a ledger entry and the balance, and wait (polling, bounded by
 * the run's timeout) until something shows. ops/smoke.ts's scenarios are written in these terms.
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { DETAIL_TYPES, EVENT_SOURCE } from '../shared/events/parse-video-event';
import { getBalance } from '../shared/ledger/queries';
import type { LedgerDeps } from '../shared/ledger/types';

export interface JobView {
  settlement?: string;
  charged?: number;
  refunded?: number;
}
export interface EntryView {
  type?: string;
  amount?: number;
  userId?: string;
  kind?: string;
}

export interface ProbeSettings {
  ledger: LedgerDeps;
  eventBridge: EventBridgeClient;
  busName: string;
  userId: string;
  runId: string;
  model: string;
  seconds: number;
  timeoutMs: number;
  pollMs: number;
  quietMs: number;
  wait: (ms: number) => Promise<void>;
  progress: (line: string) => void;
}

export interface Waited<T> {
  seen: T;
  ok: boolean;
  waitedMs: number;
}

export const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export class SmokeProbe {
  constructor(readonly settings: ProbeSettings) {}

  async balance(): Promise<number> {
    return (await getBalance(this.settings.ledger, this.settings.userId)).remaining;
  }

  async job(jobId: string): Promise<JobView> {
    const { ledger } = this.settings;
    const { Item } = await ledger.dynamodb.send(
      new GetItemCommand({ TableName: ledger.tables.settlements, Key: { jobId: { S: jobId } }, ConsistentRead: true }),
    );
    return Item ? (unmarshall(Item) as JobView) : {};
  }

  /** Job first, then balance: both change in one transaction, so a job seen settled means the balance read after it includes the change. */
  async jobAndBalance(jobId: string): Promise<{ job: JobView; balance: number }> {
    const job = await this.job(jobId);
    return { job, balance: await this.balance() };
  }

  async entry(ledgerId: string): Promise<EntryView | undefined> {
    const { ledger } = this.settings;
    const { Item } = await ledger.dynamodb.send(
      new GetItemCommand({ TableName: ledger.tables.ledger, Key: { ledgerId: { S: ledgerId } }, ConsistentRead: true }),
    );
    return Item ? (unmarshall(Item) as EntryView) : undefined;
  }

  async put(kind: 'rendered' | 'failed', jobId: string): Promise<void> {
    const { userId, model, seconds, eventBridge, busName } = this.settings;
    const detail = {
      jobId,
      userId,
      model,
      seconds,
      ...(kind === 'failed' ? { reason: 'smoke test: deliberate failure' } : {}),
    };
    const out = await eventBridge.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: EVENT_SOURCE,
            DetailType: DETAIL_TYPES[kind],
            Detail: JSON.stringify(detail),
            EventBusName: busName,
          },
        ],
      }),
    );
    const failed = out.Entries?.[0];
    if ((out.FailedEntryCount ?? 0) > 0 || failed?.ErrorCode)
      throw new Error(
        `PutEvents refused the ${DETAIL_TYPES[kind]} event for ${jobId}: ${failed?.ErrorCode ?? '?'} ${failed?.ErrorMessage ?? ''}`.trim(),
      );
  }

  /** Polls `look` until `done` says so or the timeout passes; returns the last thing seen. */
  async waitFor<T>(what: string, look: () => Promise<T>, done: (seen: T) => boolean): Promise<Waited<T>> {
    const { timeoutMs, pollMs, runId, wait, progress } = this.settings;
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      const seen = await look();
      const waitedMs = Date.now() - started;
      if (done(seen)) return { seen, ok: true, waitedMs };
      if (waitedMs >= timeoutMs) return { seen, ok: false, waitedMs };
      progress(
        `smoke ${runId}: waiting for ${what} (${Math.round(waitedMs / 1000)}/${Math.round(timeoutMs / 1000)} s)`,
      );
      await wait(Math.min(pollMs * Math.min(1 + attempt, 4), Math.max(timeoutMs - waitedMs, 10)));
    }
  }

  /** Watches for the quiet period; stops early when `changed` says something moved. */
  async waitForQuiet<T>(
    look: () => Promise<T>,
    changed: (seen: T) => boolean,
  ): Promise<{ seen: T; changed: boolean; watchedMs: number }> {
    const { quietMs, pollMs, wait } = this.settings;
    const started = Date.now();
    for (;;) {
      const seen = await look();
      const watchedMs = Date.now() - started;
      if (changed(seen)) return { seen, changed: true, watchedMs };
      if (watchedMs >= quietMs) return { seen, changed: false, watchedMs };
      await wait(Math.min(pollMs, quietMs - watchedMs + 1));
    }
  }
}
