/**
 * The DLQ: it exists, and nothing waits in it. Waiting messages are events not applied yet; the
 * age of the oldest (CloudWatch ApproximateAgeOfOldestMessage; SQS itself does not report it)
 * says how close they are to SQS's 14-day expiry.
 */
import { GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import {
  describeError,
  fail,
  formatDuration,
  guarded,
  isNotFound,
  pass,
  type CheckResult,
  type DoctorDeps,
} from './types';
import { currentTime } from '../../shared/time';

/** How far back CloudWatch is asked for the oldest message's age (SQS reports every minute). */
const AGE_WINDOW_MS = 15 * 60_000;

export async function dlqChecks(deps: DoctorDeps): Promise<CheckResult[]> {
  const queue = deps.names.dlq;
  let url: string | undefined;
  const exists = await guarded(`dlq ${queue}`, async () => {
    try {
      url = (await deps.sqs.send(new GetQueueUrlCommand({ QueueName: queue }))).QueueUrl;
      return url ? pass(`dlq ${queue}`, 'exists') : fail(`dlq ${queue}`, 'GetQueueUrl returned no URL');
    } catch (error) {
      if (isNotFound(error))
        return fail(
          `dlq ${queue}`,
          `does not exist: failures have nowhere to go; make apply WS=${deps.names.workspace}`,
        );
      throw error;
    }
  });
  if (!url) return [...exists, fail(`dlq ${queue} waiting`, 'queue missing: nothing to count')];
  const queueUrl = url;
  return [...exists, ...(await guarded(`dlq ${queue} waiting`, () => depthCheck(deps, queueUrl)))];
}

async function depthCheck(deps: DoctorDeps, queueUrl: string): Promise<CheckResult> {
  const name = `dlq ${deps.names.dlq} waiting`;
  const { Attributes = {} } = await deps.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  const visible = Number(Attributes.ApproximateNumberOfMessages ?? 0);
  const inFlight = Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0);
  if (visible + inFlight === 0) return pass(name, '0 messages');
  const age = await oldestAge(deps);
  const replay = `make replay-dlq WS=${deps.names.workspace} DRY_RUN=1, then without DRY_RUN`;
  return fail(
    name,
    `${visible} waiting${inFlight > 0 ? ` + ${inFlight} in flight (a replay running?)` : ''}, oldest ${age}: events not applied yet; find the cause, then ${replay}`,
  );
}

/** The oldest message's age, in words; never throws (the count alone is enough to go red). */
async function oldestAge(deps: DoctorDeps): Promise<string> {
  const now = currentTime(deps);
  try {
    const { Datapoints = [] } = await deps.cloudWatch.send(
      new GetMetricStatisticsCommand({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateAgeOfOldestMessage',
        Dimensions: [{ Name: 'QueueName', Value: deps.names.dlq }],
        StartTime: new Date(now.getTime() - AGE_WINDOW_MS),
        EndTime: now,
        Period: 60,
        Statistics: ['Maximum'],
      }),
    );
    const latest = [...Datapoints].sort((a, b) => (b.Timestamp?.getTime() ?? 0) - (a.Timestamp?.getTime() ?? 0))[0];
    if (latest?.Maximum === undefined) return 'age unknown (no CloudWatch datapoint in the last 15 min)';
    return formatDuration(latest.Maximum * 1000);
  } catch (error) {
    return `age unknown (${describeError(error)})`;
  }
}
