/**
 * terraform/ checked against the AWS provider schema (schema-check.ts): no findings. The checker is
 * proven able to fail by one broken fixture per kind of mistake (fixtures/schema-broken/<kind>/),
 * each expected to produce exactly its findings, and proven not to cry wolf on a configuration that
 * uses every meta-argument and reference form (fixtures/schema-valid/).
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { expressions, loadTerraform } from './hcl';
import { loadProviderSchemas } from './provider-schema';
import { FINDING_KINDS, checkSchema, formatFinding, type Finding, type FindingKind } from './schema-check';
import { TERRAFORM_DIR } from './terraform-config';

const schemas = loadProviderSchemas();
const FIXTURES = path.join(__dirname, 'fixtures');
const BROKEN = path.join(FIXTURES, 'schema-broken');

async function findingsIn(dir: string): Promise<Finding[]> {
  const config = await loadTerraform(dir);
  expect(config.parseErrors).toEqual([]);
  return checkSchema(config, schemas);
}

test(`terraform/ agrees with the AWS provider ${schemas.awsVersion} schema: arguments, blocks, references, module calls`, async () => {
  expect((await findingsIn(TERRAFORM_DIR)).map(formatFinding)).toEqual([]);
});

test('every meta-argument, dynamic block, terraform_data, moved block and reference form is accepted', async () => {
  expect((await findingsIn(path.join(FIXTURES, 'schema-valid'))).map(formatFinding)).toEqual([]);
});

test('expressions: words inside string literals are no references, templates nested in them are', () => {
  const value = {
    a: '${contains(["var.not_a_ref"], var.x)}',
    b: ['${jsonencode({ m = "## ${local.y} $${literal}" })}'],
    c: 'plain var.z',
  };
  expect(expressions(value)).toEqual(['contains([""], var.x)', 'local.y', 'jsonencode({ m = "" })']);
});

type Expected = Pick<Finding, 'at' | 'subject'>[];

/** What each broken fixture must produce, exactly (each holds one kind of mistake). */
const BROKEN_CASES: Record<FindingKind, Expected> = {
  'unknown-resource-type': [{ at: '.: aws_sqs_queues.dlq', subject: 'aws_sqs_queues' }],
  'unknown-argument': [
    { at: '.: aws_sqs_queue.dlq', subject: 'visibility_timeout' },
    { at: '.: aws_sqs_queue.dlq', subject: 'lifecycle.ignore_changes.policy_document' },
    { at: '.: provider.aws', subject: 'regoin' },
    { at: '.: moved aws_sqs_queue.queue', subject: 'state' },
  ],
  'unknown-block': [
    { at: '.: aws_cloudwatch_event_target.debit', subject: 'retry' },
    { at: '.: aws_cloudwatch_event_target.debit', subject: 'dead_letter' },
  ],
  'missing-required': [
    { at: '.: aws_cloudwatch_event_target.debit', subject: 'arn' },
    { at: '.: aws_s3_bucket_server_side_encryption_configuration.state', subject: 'rule' },
    { at: '.: moved aws_sqs_queue.old_dlq', subject: 'to' },
  ],
  'too-many-blocks': [{ at: '.: aws_lambda_function.debit', subject: 'environment' }],
  'computed-only-set': [{ at: '.: aws_sqs_queue.dlq', subject: 'url' }],
  deprecated: [
    { at: '.: aws_cloudwatch_event_rule.sweep', subject: 'is_enabled' },
    { at: '.: aws_cloudwatch_event_rule.sweep', subject: 'data.aws_region.current.name' },
  ],
  'undeclared-resource': [
    { at: '.: aws_sqs_queue_policy.dlq', subject: 'aws_sqs_queue.dead_letters' },
    { at: '.: moved aws_sqs_queue.old_dlq', subject: 'aws_sqs_queue.dead_letter_queue' },
  ],
  'bad-reference-attribute': [{ at: '.: aws_sqs_queue_policy.dlq', subject: 'aws_sqs_queue.dlq.queue_url' }],
  'undeclared-variable': [{ at: '.: aws_sqs_queue.dlq', subject: 'var.queue_name' }],
  'undeclared-local': [{ at: '.: aws_sqs_queue.dlq', subject: 'local.names' }],
  'undeclared-each-attribute': [
    { at: '.: aws_sqs_queue.by_key', subject: 'each.value.delay' },
    { at: '.: aws_sqs_queue.by_key', subject: 'each.value.retention' },
  ],
  'undeclared-module': [{ at: '.: aws_sqs_queue.dlq', subject: 'module.alerts' }],
  'missing-module-output': [{ at: '.: aws_sqs_queue_policy.dlq', subject: 'module.queue.url' }],
  'module-argument-without-variable': [{ at: '.: module.queue', subject: 'retention_seconds' }],
  'module-argument-missing': [{ at: '.: module.queue', subject: 'name' }],
  'module-source-missing': [{ at: '.: module.queue', subject: './modules/queue' }],
};

test('there is one broken fixture per kind of finding, and no other', () => {
  const dirs = readdirSync(BROKEN, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  expect(dirs).toEqual([...FINDING_KINDS].sort());
  expect(Object.keys(BROKEN_CASES).sort()).toEqual([...FINDING_KINDS].sort());
});

test.each(Object.entries(BROKEN_CASES))(
  'schema-broken/%s: exactly the planted mistakes are found',
  async (kind, expected) => {
    const findings = await findingsIn(path.join(BROKEN, kind));
    expect(findings.map(({ kind: k, at, subject }) => ({ kind: k, at, subject }))).toEqual(
      expected.map((e) => ({ kind, ...e })),
    );
    for (const f of findings) expect(f.message).toContain(f.subject.split('.').at(-1)!);
  },
);

test('the fixture names the provider version the messages cite', () => {
  expect(schemas.file).toBe(`aws-provider-${schemas.awsVersion}.json`);
});
