/**
 * Exact least privilege (security review M5): each handler's role holds exactly what its code sends
 * (recorded from the real handlers on DynamoDB Local, tests/support/role-recording.ts, mapped to IAM
 * actions item by item) plus the declared platform grants, per table, index, queue, topic and bus,
 * in both directions. The recording is kept in role-needs.json, the one home of "what each handler
 * uses" (the structure checkers read it through HANDLER_ACTIONS); RECORD_ROLE_NEEDS=1 rewrites it.
 */
import { writeFileSync } from 'node:fs';
import { blocks, first, isObject, loadTerraform, type Block, type TerraformConfig } from './hcl';
import { functionInstances } from './model';
import { ON_FAILURE_DESTINATION, PLATFORM_GRANTS } from './platform-grants';
import { logicalResource, roleGrants } from './role-grants';
import { ROLE_NEEDS, ROLE_NEEDS_FILE, TERRAFORM_DIR, handlerNames } from './terraform-config';
import { recordRoleNeeds, uniqueNeeds } from '../support/role-recording';
import { compareGrants, type Needed } from '../support/sdk-recorder';

let pristine: TerraformConfig;
let recorded: Record<string, Needed[]>;
beforeAll(async () => {
  pristine = await loadTerraform(TERRAFORM_DIR);
  recorded = (await recordRoleNeeds()).needs;
  if (process.env.RECORD_ROLE_NEEDS === '1') writeFileSync(ROLE_NEEDS_FILE, `${JSON.stringify(recorded, null, 2)}\n`);
}, 120_000);

/** The platform grants of `handler`, its on-failure destination resolved against `config`. */
function platformNeeds(config: TerraformConfig, handler: string): Needed[] {
  const fn = functionInstances(config, handlerNames()).find((f) => f.handler === handler)!;
  return (PLATFORM_GRANTS[handler] ?? []).map(({ action, resource }) => ({
    action,
    resource: resource === ON_FAILURE_DESTINATION ? logicalResource(config, fn, resource) : resource,
  }));
}

/** Every finding of every handler: `handler: finding`. */
function drift(config: TerraformConfig, needs: Record<string, Needed[]>): string[] {
  const grants = roleGrants(config, handlerNames());
  return handlerNames().flatMap((handler) =>
    compareGrants(needs[handler] ?? [], uniqueNeeds(grants[handler] ?? []), platformNeeds(config, handler)).map(
      (finding) => `${handler}: ${finding}`,
    ),
  );
}

function policyStatement(config: TerraformConfig, document: string, sid: string): Block {
  const byType = config.modules['']?.json.data;
  const doc =
    isObject(byType) && isObject(byType.aws_iam_policy_document)
      ? first(byType.aws_iam_policy_document[document])
      : undefined;
  const st = blocks(doc?.statement).find((s) => s.sid === sid);
  if (!st) throw new Error(`no statement ${sid} in ${document}`);
  return st;
}

const mutated = (change: (config: TerraformConfig) => void): TerraformConfig => {
  const copy = structuredClone(pristine);
  change(copy);
  return copy;
};

test('the recording is the one in role-needs.json (RECORD_ROLE_NEEDS=1 rewrites it)', () => {
  expect(recorded).toEqual(ROLE_NEEDS);
});

test('every path of every handler was recorded (no role with an empty recording)', () => {
  for (const handler of handlerNames()) expect(recorded[handler]?.length ?? 0).toBeGreaterThan(0);
});

test('each role holds exactly what its code sends plus the declared platform grants', () => {
  expect(drift(pristine, recorded)).toEqual([]);
});

test('no handler may rewrite the ledger or overwrite or remove a balance', () => {
  const grants = Object.values(roleGrants(pristine, handlerNames()))
    .flat()
    .map((g) => `${g.action} on ${g.resource}`);
  for (const forbidden of [
    'UpdateItem on table:ledger',
    'DeleteItem on table:ledger',
    'PutItem on table:credits',
    'DeleteItem on table:credits',
  ]) {
    expect(grants).not.toContain(`dynamodb:${forbidden}`);
  }
});

describe('the comparison catches drift', () => {
  test('an action added to a role in Terraform', () => {
    const config = mutated((c) => {
      (policyStatement(c, 'reserve', 'Holds').actions as string[]).push('dynamodb:DeleteItem');
    });
    expect(drift(config, recorded)).toEqual(['reserve: granted dynamodb:DeleteItem on table:settlements, never used']);
  });

  test('an action removed from a role in Terraform (a shared document: both roles that use it)', () => {
    const config = mutated((c) => {
      policyStatement(c, 'settle_refunds', 'LedgerDebitCheck').actions = [];
    });
    expect(drift(config, recorded)).toEqual([
      'refund: needs dynamodb:ConditionCheckItem on table:ledger, not granted',
      'sweep: needs dynamodb:ConditionCheckItem on table:ledger, not granted',
    ]);
  });

  test('the right action on another resource', () => {
    const config = mutated((c) => {
      policyStatement(c, 'sweep', 'OpsAlerts').resources = ['${aws_sqs_queue.dlq.arn}'];
    });
    expect(drift(config, recorded)).toEqual([
      'sweep: needs sns:Publish on topic:alerts, not granted',
      'sweep: granted sns:Publish on queue:dlq, never used',
    ]);
  });

  test('code that starts sending a command its role lacks', () => {
    const needs = { ...recorded, debit: [...recorded.debit!, { action: 'dynamodb:Scan', resource: 'table:ledger' }] };
    expect(drift(pristine, needs)).toEqual(['debit: needs dynamodb:Scan on table:ledger, not granted']);
  });
});
