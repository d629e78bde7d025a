/** One line of the doctor's report: a named check, green or red, and what it saw. */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { WorkspaceNames } from '../../shared/naming';

export interface CheckResult {
  /** Stable, greppable: `<group> <what>`, e.g. `table Credits-prod`, `rule cc-reconciler-video-failed-prod target`. */
  name: string;
  ok: boolean;
  /** What the check saw, and on red what to do. */
  detail: string;
  /** The check could not be made here (e.g. DynamoDB Local has no PITR API); not red, and said so. */
  skipped?: boolean;
}

export interface DoctorDeps {
  names: WorkspaceNames;
  dynamodb: DynamoDBClient;
  sqs: SQSClient;
  sns: SNSClient;
  lambda: LambdaClient;
  eventBridge: EventBridgeClient;
  cloudWatch: CloudWatchClient;
  /** ALERTS_TOPIC_ARN when known; otherwise the topic is found by name (ListTopics). */
  alertsTopicArn?: string;
  /** The bus the event rules are on (Terraform var.event_bus_name). */
  eventBusName: string;
  expectedRuntime: string;
  /** How often the sweep should run (its schedule), in ms. */
  sweepIntervalMs: number;
  /** DynamoDB is DynamoDB Local, which does not implement DescribeContinuousBackups. */
  dynamoDbIsEmulator?: boolean;
  now?: () => Date;
}

export interface DoctorReport {
  workspace: string;
  ok: boolean;
  checkedAt: string;
  checks: CheckResult[];
}

/** Bounds on every paginated read (CONTRIBUTING.md#a-limit-on-everything). */
export const MAX_PAGES = 20;

export const pass = (name: string, detail: string): CheckResult => ({ name, ok: true, detail });
export const fail = (name: string, detail: string): CheckResult => ({ name, ok: false, detail });

/** An AWS error as one short phrase: `AccessDeniedException: …`. */
export function describeError(error: unknown): string {
  const e = error as { name?: string; message?: string };
  const message = (e.message ?? String(error)).split('\n')[0]!.slice(0, 300);
  return e.name && e.name !== 'Error' ? `${e.name}: ${message}` : message;
}

export const isNotFound = (error: unknown): boolean => {
  const name = (error as { name?: string }).name ?? '';
  return (
    name === 'ResourceNotFoundException' ||
    name === 'QueueDoesNotExist' ||
    name === 'AWS.SimpleQueueService.NonExistentQueue' ||
    name === 'NotFoundException' ||
    name === 'NotFound'
  );
};

/** Runs a check and turns an unexpected error (permissions, network) into a red line instead of a crash. */
export async function guarded(name: string, check: () => Promise<CheckResult | CheckResult[]>): Promise<CheckResult[]> {
  try {
    const result = await check();
    return Array.isArray(result) ? result : [result];
  } catch (error) {
    return [fail(name, `could not check: ${describeError(error)}`)];
  }
}

export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}
