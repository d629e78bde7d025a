/**
 * The checkers can fail: each one reports at least one problem on a deliberately broken
 * configuration (fixtures/broken). Without this, an empty problem list on terraform/ proves nothing.
 */
import { allCheckers } from './checks';
import { loadTerraform, type TerraformConfig } from './hcl';
import { BROKEN_FIXTURE_DIR, expectations } from './terraform-config';

let broken: TerraformConfig;

beforeAll(async () => {
  broken = await loadTerraform(BROKEN_FIXTURE_DIR);
});

test('the broken fixture parses (it is wrong, not unreadable)', () => {
  expect(broken.parseErrors).toEqual([]);
  expect(broken.parsedFiles.length).toBeGreaterThan(0);
});

test.each(Object.keys(allCheckers(expectations())))('checker %s reports a problem on the broken fixture', (name) => {
  const problems = allCheckers(expectations())[name]!(broken);
  expect(problems.length).toBeGreaterThan(0);
});

test('specific breakages are named', () => {
  const c = allCheckers(expectations());
  const all = Object.values(c)
    .flatMap((check) => check(broken))
    .join('\n');
  for (const expected of [
    'has no retry_policy',
    'has no dead_letter_config.arn',
    'has no aws_lambda_function_event_invoke_config',
    'has no aws_cloudwatch_log_group',
    'shares role shared',
    'has no ok_actions',
    'does not enable point_in_time_recovery',
    'does not enable server_side_encryption',
    'grants wildcard action dynamodb:*',
    'grants wildcard resource *',
    'does not include the workspace',
    'is missing LOG_LEVEL',
    'sets variables it does not read: EXTRA_SETTING',
    'handler sweep: expected exactly one function',
    'no settings file workspaces/prod.tfvars',
    'no lifecycle precondition rejects workspaces',
    'hash_key id != userId',
    'expected exactly one aws_dynamodb_table.jobs',
    'GSI byUser key_schema [] != shared/tables.ts [userId:HASH,timestamp:RANGE]',
    'GSI byDay key_schema [timestamp:HASH,day:RANGE] != shared/tables.ts [day:HASH,timestamp:RANGE]',
    'aws provider floor must be >= ',
    'statement Public allows every principal ("*")',
    'statement Everything grants wildcard action kms:*',
    'aws_cloudwatch_metric_alarm.heartbeat should set treat_missing_data = "breaching" (a heartbeat: no data is the failure)',
    // perimeter-checks.ts
    'listens on the default bus',
    'event pattern does not pin account',
    'statement AnyoneInTheAccount allows PutEvents of any source',
    'has no Deny of events:PutEvents for every principal',
    'statement Everyone allows every principal',
    'grants events:PutEvents without StringEquals events:source',
    'has no aws_sqs_queue_policy',
    'does not let EventBridge deliver dead letters of aws_cloudwatch_event_rule.failed.arn',
    'has no Deny of sqs:SendMessage for every principal',
    '(a schedule) dead-letters into the money DLQ dlq',
    'does not deny dynamodb:UpdateItem, dynamodb:BatchWriteItem, dynamodb:PartiQL* (table ledger)',
    'has a condition NotIpAddress aws:SourceIp, which could let writes through',
    'table credits: no aws_dynamodb_resource_policy',
    'no InvocationsFailedToBeSentToDlq alarm for aws_cloudwatch_event_rule.failed',
    'no DestinationDeliveryFailures alarm for aws_lambda_function.refund',
    'no AsyncEventsDropped alarm for aws_lambda_function.refund',
    'aws_sqs_queue.orphan has no depth alarm',
    'has no alarm on messages held invisible for an hour',
    'no heartbeat alarm on SweepRuns',
    'no aws_cloudwatch_event_archive',
    'alarm …-mystery',
    'does not start with the alarm prefix',
    'records no DynamoDB data events',
    'has no aws_s3_bucket_versioning',
    'has no aws_s3_bucket_public_access_block',
    'is not encrypted with a customer-managed KMS key',
    'no precondition refuses a prod plan without allowed_account_ids',
    'no precondition refuses a prod plan without producer_principal_arns',
  ]) {
    expect(all).toContain(expected);
  }
});

test('a key policy may name its key "*" (its only form), and nothing else is excused', () => {
  const iam = allCheckers(expectations()).iam!(broken);
  expect(iam).toContain('.: aws_iam_policy_document.key statement Everything grants wildcard action kms:*');
  expect(iam.filter((p) => p.startsWith('.: aws_iam_policy_document.key ') && p.includes('wildcard resource'))).toEqual(
    [],
  );
  expect(iam).toContain('.: aws_iam_policy_document.everything statement 0 grants wildcard resource *');
});
