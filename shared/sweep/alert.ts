/**
 * The one message a run sends when it found anything: plain text for a person woken at 3 a.m.
 * Counts, the first few ids, and what to do, finding by finding. Nothing is sent when all is well.
 * Each kind of finding is one descriptor in FINDINGS, in the order a person should read them.
 * Everything printed from data (ids, producer fields, anomaly details) goes through `printable`,
 * so a producer cannot write new lines or terminal escapes into the e-mail.
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { MetricValues } from '../observability/metrics';
import { printable } from '../text/printable';
import { hasFindings } from './findings';
import type { SweepResult } from './types';

/** SNS allows 100 characters in an email subject. */
export const MAX_SUBJECT_CHARS = 100;
/** Well under SNS's 256 KB: the message lists samples, never everything. */
export const MAX_BODY_CHARS = 60_000;

export interface SweepAlert {
  subject: string;
  body: string;
}

/**
 * One EMF metric per count. Alarms (terraform/modules/alerts) read Drift, Unjustified, StuckJobs,
 * Anomalies (the settle anomalies summed), OverdraftRefused (debits held at the floor), Adjustments
 * (balances the sweep changed: stragglers debited or refunded, lost refunds recovered) and SweepRuns
 * (the heartbeat: one per run that did its work). HoldsExpired counts holds the sweep ended. Stragglers counts every straggler settled,
 * no-charge ones included. Bad job records are a field of the log line, not a metric.
 */
export function sweepMetrics(result: SweepResult): MetricValues {
  const anomalies = Object.values(result.anomalies).reduce((sum, a) => sum + a.count, 0);
  return {
    Stragglers: result.stragglers.count,
    Adjustments: result.stragglers.balancesChanged + result.backstop.refunds.count,
    StuckJobs: result.stuck.count,
    Drift: result.drift.count,
    Unjustified: result.unjustified.count,
    Anomalies: anomalies,
    OverdraftRefused: result.held.count,
    HoldsExpired: result.holds.expired.count,
    SweepRuns: result.status === 'skipped_locked' ? 0 : 1,
  };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const p = (value: string | number) => printable(String(value));
/** "… and N more" when a sample shows fewer than the count. */
const more = (count: number, shown: number, where = '') =>
  count > shown ? [`  - … and ${count - shown} more${where}`] : [];

interface Finding {
  count: (r: SweepResult) => number;
  headline: (r: SweepResult, n: number) => string;
  section: (r: SweepResult, cli: string, workspace: string) => string[];
}

const sample = <T>(s: { count: number; first: T[] }, line: (item: T) => string, where = '') => [
  ...s.first.map((item) => `  - ${line(item)}`),
  ...more(s.count, s.first.length, where),
];

const FINDINGS: readonly Finding[] = [
  {
    count: (r) => r.drift.count,
    headline: (_r, n) => `${n} drift`,
    section: (r, cli) => [
      `DRIFT: ${plural(r.drift.count, 'user')} whose balance differs from their ledger (still different after a re-check).`,
      ...sample(
        r.drift,
        (d) =>
          `${p(d.userId)}: balance ${d.remaining}, ledger says ${d.ledgerSum} (off by ${d.difference > 0 ? '+' : ''}${d.difference})`,
        ' (see the logs, outcome=drift)',
      ),
      `  What to do: the ledger is the truth; something changed Credits without a ledger entry. Do not change`,
      `  balances by hand and do not use \`reconciler adjust\` (it moves both sides). Find the writer, stop it,`,
      `  escalate (pause first if the drift grows between runs): runbook docs/operations/alarms/drift.md.`,
      `  Check with \`${cli} ledger --user <id>\` and confirm with \`${cli} audit\` (exit 0 = no drift).`,
    ],
  },
  {
    count: (r) => r.unjustified.count,
    headline: (_r, n) => `${n} unjustified`,
    section: (r, cli) => [
      `UNJUSTIFIED LEDGER ENTRIES: ${plural(r.unjustified.count, 'entry', 'entries')} the reconciler could not have written (balanced, but not justified).`,
      ...sample(
        r.unjustified,
        (u) => `${p(u.ledgerId)} (user ${p(u.userId)}): ${p(u.problem)}`,
        ' (see the logs, outcome=unjustified)',
      ),
      `  What to do: money may have been minted or moved by something other than the reconciler. Stop`,
      `  replays and grants, find the writer (CloudTrail data events on Ledger), and escalate to the owner.`,
      `  Confirm across every user with \`${cli} audit\`.`,
    ],
  },
  {
    count: (r) => (r.audit.watermarkReset === undefined ? 0 : 1),
    headline: () => 'watermark reset',
    section: (r, cli) => [
      `AUDIT WATERMARK IN THE FUTURE: the saved watermark said ${p(r.audit.watermarkReset ?? '')}; the reconciler never writes that, so it`,
      `  was reset and the last ${r.audit.from ? `window from ${r.audit.from}` : 'window'} re-audited.`,
      `  What to do: find who wrote the sweep state (CloudTrail on Settlements), then run \`${cli} sweep --full\`.`,
    ],
  },
  {
    count: (r) => r.held.count,
    headline: (_r, n) => `${n} held`,
    section: (r, cli) => [
      `DEBITS HELD AT THE OVERDRAFT FLOOR: ${plural(r.held.count, 'rendered job')} not charged: the debit would take the user beyond the floor.`,
      ...sample(r.held, (h) => `${p(h.jobId)} (user ${p(h.userId)}, ${h.credits} credits)`),
      `  What to do: find out why the pipeline kept rendering for this user; grant credits as policy says`,
      `  (\`${cli} grant …\`) and the next sweep charges the job. Reported on every run until then.`,
    ],
  },
  {
    count: (r) => r.stuck.count,
    headline: (_r, n) => `${n} stuck`,
    section: (r) => [
      `STUCK JOBS: ${plural(r.stuck.count, 'job')} queued/rendering with no update for longer than the stuck limit. NOT settled.`,
      ...sample(r.stuck, (j) => `${p(j.jobId)} (user ${p(j.userId)}, ${p(j.status)} since ${p(j.updatedAt)})`),
      `  What to do: ask the video pipeline whether these jobs are still running. The sweep never decides that a`,
      `  job failed: once the pipeline marks each one rendered or failed, the next sweep settles it. They are`,
      `  reported on every run until then.`,
    ],
  },
  {
    count: (r) => r.anomalies.overdraft.count,
    headline: (_r, n) => `${n} overdraft`,
    section: (r, cli) => [
      `OVERDRAFTS: ${plural(r.anomalies.overdraft.count, 'debit')} took a balance below zero (recorded: the work was done).`,
      ...sample(r.anomalies.overdraft, p),
      `  What to do: check why the pipeline started work the user could not pay for; grant or recover credits`,
      `  as policy says (\`${cli} grant …\`). Nothing is lost; the ledger has the debit.`,
    ],
  },
  {
    count: (r) => r.anomalies.rendered_after_failed.count,
    headline: (_r, n) => `${n} rendered-after-failed`,
    section: (r, cli) => [
      `RENDERED AFTER FAILED: ${plural(r.anomalies.rendered_after_failed.count, 'job')} reported rendered after being settled as failed. Not charged.`,
      ...sample(r.anomalies.rendered_after_failed, p),
      `  What to do: ask the pipeline which is true. If the user did receive the video, charge it with`,
      `  \`${cli} adjust --user <id> --credits=-<price> --reference <jobId> --description "…"\`.`,
    ],
  },
  {
    count: (r) => r.anomalies.conflicting_duplicate.count,
    headline: (_r, n) => `${n} conflicting`,
    section: (r) => [
      `CONFLICTING RECORDS: ${plural(r.anomalies.conflicting_duplicate.count, 'job')} whose Jobs record disagrees (user or quoted price) with how the job was settled. Nothing changed.`,
      ...sample(r.anomalies.conflicting_duplicate, p),
      `  What to do: a producer rewrote a job (contract: it must not). Find out which version is right; correct with \`reconciler adjust\` if needed.`,
    ],
  },
  {
    count: (r) => r.anomalies.capture_over_hold.count,
    headline: (_r, n) => `${n} over hold`,
    section: (r) => [
      `CAPTURED OVER THE HOLD: ${plural(r.anomalies.capture_over_hold.count, 'job')} priced above the credits held for ${r.anomalies.capture_over_hold.count === 1 ? 'it' : 'them'}; charged in full (the work was done).`,
      ...sample(r.anomalies.capture_over_hold, p),
      `  What to do: the producer reserves less than the price book charges; fix its quote. Nothing is lost.`,
    ],
  },
  {
    count: (r) => r.anomalies.capture_after_expiry.count,
    headline: (_r, n) => `${n} rendered after hold ended`,
    section: (r) => [
      `RENDERED AFTER ITS HOLD ENDED: ${plural(r.anomalies.capture_after_expiry.count, 'job')} rendered after ${r.anomalies.capture_after_expiry.count === 1 ? 'its hold' : 'their holds'} expired or ${r.anomalies.capture_after_expiry.count === 1 ? 'was' : 'were'} released; charged as a plain debit, never against the stale hold.`,
      ...sample(r.anomalies.capture_after_expiry, p),
      `  What to do: the render took longer than the hold (raise HOLD_DEFAULT_SECONDS or ask for a longer hold),`,
      `  or the pipeline rendered a released job. Nothing is lost; the ledger has the debit.`,
    ],
  },
  {
    count: (r) => r.badRecords.count,
    headline: (_r, n) => plural(n, 'bad record'),
    section: (r) => [
      `BAD JOB RECORDS: ${plural(r.badRecords.count, 'job')} on the sweep's indexes ${r.badRecords.count === 1 ? 'breaks' : 'break'} the producer contract; not settled.`,
      ...sample(r.badRecords, (b) => `${p(b.jobId)}: ${b.problems.map(p).join('; ')}`),
      `  What to do: fix the producer (docs/contract/producer.md), then correct each item in the Jobs table`,
      `  (set the missing field or a valid status); the next sweep settles it. Reported on every run until fixed.`,
    ],
  },
  {
    count: (r) => r.stragglers.count,
    headline: (r, n) => `${plural(n, 'straggler')} ${r.dryRun ? 'found' : 'settled'}`,
    section: (r, _cli, workspace) => [
      `STRAGGLERS ${r.dryRun ? 'WOULD BE SETTLED' : 'SETTLED'}: ${plural(r.stragglers.count, 'terminal job')} whose event never reached the reconciler (${r.stragglers.debitedCredits} credits debited in total).`,
      `  - ${r.stragglers.first.map((s) => `${p(s.jobId)} (${p(s.userId)}, ${s.outcome}${s.credits ? ` ${s.credits}` : ''})`).join(', ')}${r.stragglers.count > r.stragglers.first.length ? `, … and ${r.stragglers.count - r.stragglers.first.length} more` : ''}`,
      `  What to do: nothing for these jobs: they are settled exactly once. If this number keeps growing, events`,
      `  are being lost: check the EventBridge rules and targets, the DLQ (\`make replay-dlq WS=${workspace} DRY_RUN=1\`)`,
      `  and the producer's publishing.`,
    ],
  },
  {
    count: (r) => r.backstop.refunds.count,
    headline: (r, n) => `${plural(n, 'lost refund')} ${r.dryRun ? 'found' : 'recovered'}`,
    section: (r, _cli, workspace) => [
      `LOST REFUNDS ${r.dryRun ? 'WOULD BE RECOVERED' : 'RECOVERED'}: ${plural(r.backstop.refunds.count, 'debited job')} whose status became failed but whose video.failed never came (${r.backstop.refunds.refundedCredits} credits given back).`,
      ...sample(r.backstop.refunds, (s) => `${p(s.jobId)} (${p(s.userId)}, ${s.credits})`),
      `  What to do: nothing for these jobs: each is refunded exactly once. Refund events are being lost: check`,
      `  the video.failed rule and target, and the DLQ (\`make replay-dlq WS=${workspace} DRY_RUN=1\`).`,
    ],
  },
  {
    count: (r) => r.holds.expired.count,
    headline: (r, n) => `${plural(n, 'hold')} ${r.dryRun ? 'due' : 'expired'}`,
    section: (r) => [
      `HOLDS ${r.dryRun ? 'DUE TO EXPIRE' : 'EXPIRED'}: ${plural(r.holds.expired.count, 'hold')} past ${r.holds.expired.count === 1 ? 'its' : 'their'} expiry with neither a render nor a failure (${r.holds.expired.expiredCredits} credits available again).`,
      ...sample(r.holds.expired, (h) => `${p(h.jobId)} (${p(h.userId)}, ${h.credits})`),
      `  What to do: nothing for these holds. Many of them mean a producer reserves and then never publishes`,
      `  the job's outcome: check its video.rendered / video.failed publishing.`,
    ],
  },
  {
    count: (r) => r.errors.count,
    headline: (_r, n) => plural(n, 'error'),
    section: (r) => [
      `ERRORS: ${plural(r.errors.count, 'item')} could not be processed this run.`,
      ...sample(r.errors, (e) => `${p(e.subject)}: ${p(e.error)}`),
      `  What to do: transient errors (throttling, timeouts) clear on the next run: the jobs stay on the index.`,
      `  An InvariantViolation means the books contradict themselves: page the owner of the reconciler.`,
    ],
  },
  {
    count: (r) => (r.audit.unaudited.count > 0 || r.audit.gapBefore !== undefined ? 1 : 0),
    headline: () => 'audit incomplete',
    section: (r, cli) => [
      'AUDIT INCOMPLETE:',
      ...(r.audit.unaudited.count > 0
        ? [
            `  - ${plural(r.audit.unaudited.count, 'user')} with a ledger too long to audit here: ${r.audit.unaudited.first.map(p).join(', ')}${r.audit.unaudited.count > r.audit.unaudited.first.length ? `, … and ${r.audit.unaudited.count - r.audit.unaudited.first.length} more` : ''}`,
          ]
        : []),
      ...(r.audit.gapBefore !== undefined
        ? [
            `  - the last audit was long ago; ledger entries from ${r.audit.gapBefore} to ${r.audit.from} were not covered.`,
          ]
        : []),
      `  What to do: run \`${cli} sweep --full\` (audits every user, paginated) from a machine with access.`,
    ],
  },
];

export function buildSweepAlert(result: SweepResult, workspace: string): SweepAlert | undefined {
  if (!hasFindings(result)) return undefined;
  const cli = `npx reconciler --workspace ${workspace}`;
  const found = FINDINGS.map((f) => ({ f, n: f.count(result) })).filter(({ n }) => n > 0);
  const headline = found.map(({ f, n }) => f.headline(result, n));
  const sections = found.map(({ f }) => f.section(result, cli, workspace).join('\n'));

  const state =
    result.status === 'completed'
      ? 'completed (every shard read, every touched user audited)'
      : `partial (stopped: ${result.stoppedBecause ?? 'limit'}); the next run resumes where this one stopped`;
  const subject = truncate(
    `[reconciler ${workspace}] sweep${result.dryRun ? ' (dry run)' : ''}: ${headline.join(', ')}`,
    MAX_SUBJECT_CHARS,
    '...',
  )
    // SNS subjects must be printable ASCII without line breaks.
    .replace(/[^\x20-\x7e]/g, '?');
  const body = truncate(
    [
      `credit-reconciler sweep, workspace ${workspace}${result.dryRun ? ' (DRY RUN: nothing was changed)' : ''}`,
      `Run ${result.runId}, started ${result.startedAt}, took ${(result.durationMs / 1000).toFixed(1)} s: ${state}.`,
      `Read ${result.index.itemsRead} unsettled jobs in ${result.index.pages} pages and ${result.backstop.itemsRead} recently failed debited jobs and ${result.holds.itemsRead} due holds; audited ${result.audit.usersAudited} users; ${result.requests} DynamoDB requests.`,
      '',
      ...sections.flatMap((s) => [s, '']),
      `Details: CloudWatch Logs of the sweep function, filter runId = "${result.runId}". Re-run by hand: \`${cli} sweep --dry-run\`.`,
    ].join('\n'),
    MAX_BODY_CHARS,
  );
  return { subject, body };
}

function truncate(text: string, max: number, ellipsis = '…'): string {
  return text.length <= max ? text : `${text.slice(0, max - ellipsis.length)}${ellipsis}`;
}

/** Publishes the alert; returns the SNS message id. */
export async function publishSweepAlert(
  sns: SNSClient,
  topicArn: string,
  alert: SweepAlert,
): Promise<string | undefined> {
  const { MessageId } = await sns.send(
    new PublishCommand({ TopicArn: topicArn, Subject: alert.subject, Message: alert.body }),
  );
  return MessageId;
}
