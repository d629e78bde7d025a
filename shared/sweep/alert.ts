/**
 * The one message a run sends when it found anything: plain text for a person woken at 3 a.m.
 * Counts, the first few ids, and what to do, finding by finding. Nothing is sent when all is well.
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { MetricValues } from '../observability/metrics';
import { hasFindings, type SweepResult } from './run-sweep';

/** SNS allows 100 characters in an email subject. */
export const MAX_SUBJECT_CHARS = 100;
/** Well under SNS's 256 KB: the message lists samples, never everything. */
export const MAX_BODY_CHARS = 60_000;

export interface SweepAlert {
  subject: string;
  body: string;
}

/**
 * One EMF metric per count. Alarms (terraform/modules/alerts) read Drift, StuckJobs, Anomalies (the
 * settle anomalies summed) and Adjustments (balances the sweep changed: stragglers debited or refunded).
 * Stragglers counts every straggler settled, no-charge ones included. Bad job records are a field of
 * the log line, not a metric: `Invalid` is the event handlers' (its alarm speaks of the DLQ).
 */
export function sweepMetrics(result: SweepResult): MetricValues {
  const anomalies = Object.values(result.anomalies).reduce((sum, a) => sum + a.count, 0);
  return {
    Stragglers: result.stragglers.count,
    Adjustments: result.stragglers.balancesChanged,
    StuckJobs: result.stuck.count,
    Drift: result.drift.count,
    Anomalies: anomalies,
  };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const more = (count: number, shown: number) => (count > shown ? `, … and ${count - shown} more` : '');

export function buildSweepAlert(result: SweepResult, workspace: string): SweepAlert | undefined {
  if (!hasFindings(result)) return undefined;
  const cli = `npx reconciler --workspace ${workspace}`;
  const headline: string[] = [];
  const sections: string[] = [];

  if (result.drift.count > 0) {
    headline.push(`${result.drift.count} drift`);
    sections.push([
      `DRIFT: ${plural(result.drift.count, 'user')} whose balance differs from their ledger (still different after a re-check).`,
      ...result.drift.first.map((d) => `  - ${d.userId}: balance ${d.remaining}, ledger says ${d.ledgerSum} (off by ${d.difference > 0 ? '+' : ''}${d.difference})`),
      ...(result.drift.count > result.drift.first.length ? [`  - … and ${result.drift.count - result.drift.first.length} more (see the logs, outcome=drift)`] : []),
      `  What to do: the ledger is the truth; something changed Credits without a ledger entry. Find the writer`,
      `  (CloudTrail, IAM, a manual console edit), stop it, then set remaining to the ledger sum above with a`,
      `  second person reviewing. Do not use \`reconciler adjust\` for this: it moves both sides. Check with`,
      `  \`${cli} ledger --user <id>\` and confirm with \`${cli} audit\` (exit 0 = no drift).`,
    ].join('\n'));
  }
  if (result.stuck.count > 0) {
    headline.push(`${result.stuck.count} stuck`);
    sections.push([
      `STUCK JOBS: ${plural(result.stuck.count, 'job')} queued/rendering with no update for longer than the stuck limit. NOT settled.`,
      ...result.stuck.first.map((j) => `  - ${j.jobId} (user ${j.userId}, ${j.status} since ${j.updatedAt})`),
      ...(result.stuck.count > result.stuck.first.length ? [`  - … and ${result.stuck.count - result.stuck.first.length} more`] : []),
      `  What to do: ask the video pipeline whether these jobs are still running. The sweep never decides that a`,
      `  job failed: once the pipeline marks each one rendered or failed, the next sweep settles it. They are`,
      `  reported on every run until then.`,
    ].join('\n'));
  }
  const a = result.anomalies;
  if (a.overdraft.count > 0) {
    headline.push(`${a.overdraft.count} overdraft`);
    sections.push([
      `OVERDRAFTS: ${plural(a.overdraft.count, 'debit')} took a balance below zero (recorded: the work was done).`,
      ...a.overdraft.first.map((d) => `  - ${d}`),
      `  What to do: check why the pipeline started work the user could not pay for; grant or recover credits`,
      `  as policy says (\`${cli} grant …\`). Nothing is lost; the ledger has the debit.`,
    ].join('\n'));
  }
  if (a.rendered_after_failed.count > 0) {
    headline.push(`${a.rendered_after_failed.count} rendered-after-failed`);
    sections.push([
      `RENDERED AFTER FAILED: ${plural(a.rendered_after_failed.count, 'job')} reported rendered after being settled as failed. Not charged.`,
      ...a.rendered_after_failed.first.map((d) => `  - ${d}`),
      `  What to do: ask the pipeline which is true. If the user did receive the video, charge it with`,
      `  \`${cli} adjust --user <id> --credits=-<price> --reference <jobId> --description "…"\`.`,
    ].join('\n'));
  }
  if (a.conflicting_duplicate.count > 0) {
    headline.push(`${a.conflicting_duplicate.count} conflicting`);
    sections.push([
      `CONFLICTING RECORDS: ${plural(a.conflicting_duplicate.count, 'job')} whose Jobs record disagrees (user or quoted price) with how the job was settled. Nothing changed.`,
      ...a.conflicting_duplicate.first.map((d) => `  - ${d}`),
      `  What to do: a producer rewrote a job (contract: it must not). Find out which version is right; correct with \`reconciler adjust\` if needed.`,
    ].join('\n'));
  }
  if (result.badRecords.count > 0) {
    headline.push(plural(result.badRecords.count, 'bad record'));
    sections.push([
      `BAD JOB RECORDS: ${plural(result.badRecords.count, 'job')} on the unsettled index ${result.badRecords.count === 1 ? 'breaks' : 'break'} the producer contract; not settled.`,
      ...result.badRecords.first.map((b) => `  - ${b.jobId}: ${b.problems.join('; ')}`),
      ...(result.badRecords.count > result.badRecords.first.length ? [`  - … and ${result.badRecords.count - result.badRecords.first.length} more`] : []),
      `  What to do: fix the producer (README, "Producer contract"), then correct each item in the Jobs table`,
      `  (set the missing field or a valid status); the next sweep settles it. Reported on every run until fixed.`,
    ].join('\n'));
  }
  if (result.stragglers.count > 0) {
    const verb = result.dryRun ? 'would be settled' : 'settled';
    headline.push(`${plural(result.stragglers.count, 'straggler')} ${result.dryRun ? 'found' : 'settled'}`);
    sections.push([
      `STRAGGLERS ${verb.toUpperCase()}: ${plural(result.stragglers.count, 'terminal job')} whose event never reached the reconciler (${result.stragglers.debitedCredits} credits debited in total).`,
      `  - ${result.stragglers.first.map((s) => `${s.jobId} (${s.userId}, ${s.outcome}${s.credits ? ` ${s.credits}` : ''})`).join(', ')}${more(result.stragglers.count, result.stragglers.first.length)}`,
      `  What to do: nothing for these jobs: they are settled exactly once. If this number keeps growing, events`,
      `  are being lost: check the EventBridge rules and targets, the DLQ (\`make replay-dlq WS=${workspace} DRY_RUN=1\`)`,
      `  and the producer's publishing.`,
    ].join('\n'));
  }
  if (result.errors.count > 0) {
    headline.push(plural(result.errors.count, 'error'));
    sections.push([
      `ERRORS: ${plural(result.errors.count, 'item')} could not be processed this run.`,
      ...result.errors.first.map((e) => `  - ${e.subject}: ${e.error}`),
      `  What to do: transient errors (throttling, timeouts) clear on the next run: the jobs stay on the index.`,
      `  An InvariantViolation means the books contradict themselves: page the owner of the reconciler.`,
    ].join('\n'));
  }
  if (result.audit.unaudited.count > 0 || result.audit.gapBefore !== undefined) {
    headline.push('audit incomplete');
    sections.push([
      'AUDIT INCOMPLETE:',
      ...(result.audit.unaudited.count > 0 ? [`  - ${plural(result.audit.unaudited.count, 'user')} with a ledger too long to audit here: ${result.audit.unaudited.first.join(', ')}${more(result.audit.unaudited.count, result.audit.unaudited.first.length)}`] : []),
      ...(result.audit.gapBefore !== undefined ? [`  - the last audit was long ago; ledger entries from ${result.audit.gapBefore} to ${result.audit.from} were not covered.`] : []),
      `  What to do: run \`${cli} sweep --full\` (audits every user, paginated) from a machine with access.`,
    ].join('\n'));
  }

  const state = result.status === 'completed'
    ? 'completed (every shard read, every touched user audited)'
    : `partial (stopped: ${result.stoppedBecause ?? 'limit'}); the next run resumes where this one stopped`;
  const subject = truncate(`[reconciler ${workspace}] sweep${result.dryRun ? ' (dry run)' : ''}: ${headline.join(', ')}`, MAX_SUBJECT_CHARS, '...')
    // SNS subjects must be printable ASCII without line breaks.
    .replace(/[^\x20-\x7e]/g, '?');
  const body = truncate([
    `credit-reconciler sweep, workspace ${workspace}${result.dryRun ? ' (DRY RUN: nothing was changed)' : ''}`,
    `Run ${result.runId}, started ${result.startedAt}, took ${(result.durationMs / 1000).toFixed(1)} s: ${state}.`,
    `Read ${result.index.itemsRead} unsettled jobs in ${result.index.pages} pages; audited ${result.audit.usersAudited} users; ${result.requests} DynamoDB requests.`,
    '',
    ...sections.flatMap((s) => [s, '']),
    `Details: CloudWatch Logs of the sweep function, filter runId = "${result.runId}". Re-run by hand: \`${cli} sweep --dry-run\`.`,
  ].join('\n'), MAX_BODY_CHARS);
  return { subject, body };
}

function truncate(text: string, max: number, ellipsis = '…'): string {
  return text.length <= max ? text : `${text.slice(0, max - ellipsis.length)}${ellipsis}`;
}

/** Publishes the alert; returns the SNS message id. */
export async function publishSweepAlert(sns: SNSClient, topicArn: string, alert: SweepAlert): Promise<string | undefined> {
  const { MessageId } = await sns.send(new PublishCommand({ TopicArn: topicArn, Subject: alert.subject, Message: alert.body }));
  return MessageId;
}
