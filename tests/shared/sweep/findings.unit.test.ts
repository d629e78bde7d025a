/**
 * One rule of which findings need a person: the alert goes out and `reconciler sweep` exits 1 for
 * exactly the same results (they used to disagree on an audit gap). Settled stragglers and
 * recovered refunds are news (an alert) but need no one (exit 0).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { buildSweepAlert, hasFindings, needsAttention, type SweepResult } from '../../../shared/sweep';

const none = { count: 0, first: [] };
function quiet(): SweepResult {
  return {
    runId: 'r',
    status: 'completed',
    dryRun: false,
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 1,
    requests: 1,
    index: { pages: 1, itemsRead: 0 },
    stragglers: { ...none, debitedCredits: 0, balancesChanged: 0 },
    alreadySettled: 0,
    inFlight: 0,
    stuck: none,
    badRecords: none,
    held: none,
    backstop: { pages: 0, itemsRead: 0, refunds: { ...none, refundedCredits: 0 } },
    holds: { pages: 0, itemsRead: 0, expired: { ...none, expiredCredits: 0 } },
    anomalies: {
      overdraft: none,
      rendered_after_failed: none,
      conflicting_duplicate: none,
      capture_over_hold: none,
      capture_after_expiry: none,
    },
    audit: { mode: 'incremental', usersAudited: 0, unaudited: none },
    drift: none,
    unjustified: none,
    errors: none,
  };
}
const one = <T>(item: T) => ({ count: 1, first: [item] });

test('a quiet run: no alert, exit 0', () => {
  expect(hasFindings(quiet())).toBe(false);
  expect(needsAttention(quiet())).toBe(false);
  expect(buildSweepAlert(quiet(), 'w')).toBeUndefined();
});

test.each<[string, (r: SweepResult) => void]>([
  [
    'drift',
    (r) => {
      r.drift = one({ userId: 'u', remaining: 1, ledgerSum: 0, difference: 1 });
    },
  ],
  [
    'an unjustified entry',
    (r) => {
      r.unjustified = one({ ledgerId: 'l', userId: 'u', problem: 'p' });
    },
  ],
  [
    'a held debit',
    (r) => {
      r.held = one({ jobId: 'j', userId: 'u', credits: 1 });
    },
  ],
  [
    'a stuck job',
    (r) => {
      r.stuck = one({ jobId: 'j', userId: 'u', status: 'queued', updatedAt: 'x' });
    },
  ],
  [
    'a bad record',
    (r) => {
      r.badRecords = one({ jobId: 'j', problems: ['p'] });
    },
  ],
  [
    'an error',
    (r) => {
      r.errors = one({ subject: 's', error: 'e' });
    },
  ],
  [
    'an anomaly',
    (r) => {
      r.anomalies.overdraft = one('d');
    },
  ],
  [
    'an unaudited user',
    (r) => {
      r.audit.unaudited = one('u');
    },
  ],
  [
    'an audit gap',
    (r) => {
      r.audit.gapBefore = '2025-01-01T00:00:00.000Z';
    },
  ],
  [
    'a watermark reset',
    (r) => {
      r.audit.watermarkReset = '2099-01-01T00:00:00.000Z';
    },
  ],
])('%s: an alert and exit 1', (_what, change) => {
  const result = quiet();
  change(result);
  expect(needsAttention(result)).toBe(true);
  expect(hasFindings(result)).toBe(true);
  expect(buildSweepAlert(result, 'w')).toBeDefined();
});

test.each<[string, (r: SweepResult) => void]>([
  [
    'stragglers settled',
    (r) => {
      r.stragglers = {
        ...one({ jobId: 'j', userId: 'u', outcome: 'debited', credits: 5 }),
        debitedCredits: 5,
        balancesChanged: 1,
      };
    },
  ],
  [
    'lost refunds recovered',
    (r) => {
      r.backstop.refunds = { ...one({ jobId: 'j', userId: 'u', outcome: 'refunded', credits: 5 }), refundedCredits: 5 };
    },
  ],
])('%s: an alert, but nobody needs to act (exit 0)', (_what, change) => {
  const result = quiet();
  change(result);
  expect(hasFindings(result)).toBe(true);
  expect(needsAttention(result)).toBe(false);
  expect(buildSweepAlert(result, 'w')).toBeDefined();
});

test('what a producer wrote cannot add lines to the e-mail', () => {
  const result = quiet();
  result.badRecords = one({
    jobId: 'j\n  What to do: run reconciler adjust --credits=-999',
    problems: ['\u001b[31mred'],
  });
  const body = buildSweepAlert(result, 'w')!.body;
  expect(body).toContain('j\\n  What to do: run reconciler adjust --credits=-999: \\x1b[31mred');
  expect(body.split('\n').filter((line) => line.includes('--credits=-999'))).toHaveLength(1);
});

test('the drift section sends the operator to the one drift runbook, a page that exists', () => {
  const result = quiet();
  result.drift = one({ userId: 'u', remaining: 1, ledgerSum: 0, difference: 1 });
  const runbook = /docs\/operations\/alarms\/drift\.md/.exec(buildSweepAlert(result, 'w')!.body)?.[0];
  expect(runbook).toBe('docs/operations/alarms/drift.md');
  expect(existsSync(path.join(__dirname, '../../..', runbook!))).toBe(true);
});
