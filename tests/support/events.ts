/** Builders for EventBridge envelopes and settlement events as AWS delivers them. */
import { randomUUID } from 'node:crypto';
import type { SettlementEvent } from '../../shared/ledger/types';

export interface DetailOverrides {
  jobId?: string;
  userId?: string;
  seconds?: number;
  model?: string;
  credits?: number;
  reason?: string;
  [extra: string]: unknown;
}

export function envelope(
  kind: 'rendered' | 'failed',
  detail: DetailOverrides = {},
  id: string = randomUUID(),
): Record<string, unknown> {
  return {
    version: '0',
    id,
    'detail-type': kind === 'rendered' ? 'video.rendered' : 'video.failed',
    source: 'video.generation',
    account: '123456789012',
    time: '2026-11-23T10:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail: { jobId: 'job-1', userId: 'user-1', seconds: 8, model: 'gen-standard', ...detail },
  };
}

export function settlementEvent(
  kind: 'rendered' | 'failed',
  overrides: Partial<SettlementEvent> = {},
): SettlementEvent {
  return {
    eventId: randomUUID(),
    kind,
    jobId: 'job-1',
    userId: 'user-1',
    seconds: 8,
    model: 'gen-standard',
    ...overrides,
  };
}
