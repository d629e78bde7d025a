/**
 * `make demo`: a simulated day of a video platform through the whole local system, then the sweep,
 * a DLQ replay, the refund backstop and a final audit (drift and justification). Ends with a short report, `.demo/report.html`, and exit code 0 only
 * when drift is 0 and every balance matches what the simulation says it must be.
 *   npx tsx demo/main.ts [--users 400] [--jobs 3000] [--seed 42] [--html .demo/report.html]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { htmlReport, textReport, type DemoReport, type WrongBalance } from './report';
import { runDay, type DayResult } from '../sim/run-day';
import { generateDay } from '../sim/simulation';

function options() {
  const { values } = parseArgs({
    options: {
      users: { type: 'string', default: '400' },
      jobs: { type: 'string', default: '3000' },
      seed: { type: 'string', default: '42' },
      html: { type: 'string', default: '.demo/report.html' },
    },
  });
  const int = (name: string, value: string, max: number) => {
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < 1 || n > max)
      throw new Error(`--${name} must be an integer between 1 and ${max}`);
    return n;
  };
  return {
    users: int('users', values.users!, 100_000),
    jobs: int('jobs', values.jobs!, 200_000),
    seed: int('seed', values.seed!, 2 ** 31),
    html: values.html!,
  };
}

function holdsSummary(result: Awaited<ReturnType<typeof runDay>>): Record<string, number> {
  const ended = (state: string) => [...result.holds.values()].filter((s) => s === state).length;
  return {
    'reserves held': result.reserves.counts.held,
    'refused (never started)': result.reserves.counts.refused,
    'sent twice at once': result.reserves.counts.sentTwice,
    captured: ended('CAPTURED'),
    released: ended('RELEASED'),
    'expired by the sweep': result.expiry.result.holds.expired.count,
    'expired at settlement': ended('EXPIRED') - result.expiry.result.holds.expired.count,
    'still active': ended('ACTIVE'),
    'credits still held': [...result.held.values()].reduce((sum, n) => sum + n, 0),
  };
}

/** Every user whose balance differs from the ledger (the audit) or from what the simulation says it must be. */
function wrongBalances(result: DayResult): WrongBalance[] {
  const byAudit = result.audit.drift.map((d): WrongBalance => ({
    userId: d.userId,
    balance: d.remaining,
    expected: d.ledgerSum,
    difference: d.difference,
    source: 'audit (ledger sum)',
  }));
  const bySimulation = [...result.expected].flatMap(([userId, expected]): WrongBalance[] => {
    const balance = result.balances.get(userId) ?? 0;
    return balance === expected
      ? []
      : [{ userId, balance, expected, difference: balance - expected, source: 'simulation expectation' }];
  });
  return [...byAudit, ...bySimulation];
}

async function main(): Promise<number> {
  const opts = options();
  const began = performance.now();
  const log = (line: string) =>
    process.stdout.write(`[${((performance.now() - began) / 1000).toFixed(1).padStart(5)}s] ${line}\n`);
  log(`starting DynamoDB Local, fauxqs and the local EventBridge (seed ${opts.seed})`);
  const day = generateDay({ seed: opts.seed, users: opts.users, jobs: opts.jobs });
  const result = await runDay(day, { onProgress: log });
  try {
    const wrong = wrongBalances(result);
    const mismatches = wrong.filter((w) => w.source === 'simulation expectation').length;
    for (const w of wrong.slice(0, 5)) log(`WRONG ${w.userId}: balance ${w.balance}, ${w.source} ${w.expected}`);
    const sum = (kind: string) => result.ledger.filter((e) => e.kind === kind).reduce((s, e) => s + e.amount, 0);
    const sweep = result.sweep.result;
    const report: DemoReport = {
      seed: opts.seed,
      users: opts.users,
      jobs: opts.jobs,
      deliveries: result.deliveries,
      durationSeconds: result.deliverySeconds,
      eventsPerSecond: result.deliveries / result.deliverySeconds,
      outcomes: Object.fromEntries(
        Object.entries(result.outcomes).map(([k, v]) => [k === 'error' ? 'retried after a transient error' : k, v]),
      ),
      anomalies: { ...result.anomalies, stuck_job: sweep.stuck.count, drift: sweep.drift.count },
      totals: {
        granted: sum('grant'),
        charged: sum('render'),
        refunded: sum('refund'),
        remaining: result.audit.totals.remaining,
      },
      sweep: {
        'stragglers settled': sweep.stragglers.count,
        'credits debited by the sweep': sweep.stragglers.debitedCredits,
        'stuck jobs flagged': sweep.stuck.count,
        'lost refunds recovered': sweep.backstop.refunds.count + result.backstop.result.backstop.refunds.count,
        'credits refunded by the sweep':
          sweep.backstop.refunds.refundedCredits + result.backstop.result.backstop.refunds.refundedCredits,
        'debits held at the floor': sweep.held.count,
        'users audited': sweep.audit.usersAudited,
        drift: sweep.drift.count,
        'unjustified entries': sweep.unjustified.count + result.audit.unjustifiedCount,
        'DynamoDB requests': sweep.requests + result.backstop.result.requests,
        'alerts sent': (result.sweep.alertMessageId ? 1 : 0) + (result.backstop.alertMessageId ? 1 : 0),
      },
      holds: holdsSummary(result),
      replay: {
        seen: result.replay.summary.seen,
        replayed: result.replay.summary.replayed,
        'left invalid': result.replay.summary.left_invalid,
        failed: result.replay.summary.failed,
        unrecognised: result.replay.summary.left_unrecognised,
        'unverified origin': result.replay.summary.left_unverified,
      },
      busPolicy: {
        attempted: result.outsider.entries,
        refused: result.outsider.refused,
        movedCredits: result.outsider.movedCredits,
        ledgerEntriesAdded: result.outsider.ledgerEntriesAdded,
      },
      drift: result.audit.drift.length,
      expectedMismatches: mismatches,
      timeline: result.timeline,
      wrong,
    };
    log(
      `injected faults: ${Object.entries(result.faults)
        .map(([k, v]) => `${k} ${v}`)
        .join(' · ')}`,
    );
    for (const left of result.dlqLeft)
      log(`left in the DLQ (truly invalid): ${left.reason} — ${left.body.slice(0, 120)}`);
    process.stdout.write(`${textReport(report)}\n`);
    const htmlPath = resolve(opts.html);
    mkdirSync(dirname(htmlPath), { recursive: true });
    writeFileSync(htmlPath, htmlReport(report));
    process.stdout.write(`HTML report: ${htmlPath}\n`);
    // The bus policy must have refused every one of the outsider's events, and nothing moved.
    const policyHeld =
      result.outsider.refused.AccessDeniedException === result.outsider.entries &&
      result.outsider.movedCredits === 0 &&
      result.outsider.ledgerEntriesAdded === 0;
    const holdsEnded = report.holds['still active'] === 0 && report.holds['credits still held'] === 0;
    return report.drift === 0 && mismatches === 0 && result.audit.unjustifiedCount === 0 && policyHeld && holdsEnded
      ? 0
      : 1;
  } finally {
    await result.stack.stop();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(`demo failed: ${error instanceof Error ? error.stack : String(error)}`);
    process.exitCode = 1;
  },
);
