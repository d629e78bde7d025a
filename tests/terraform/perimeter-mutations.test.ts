/**
 * The perimeter checkers catch the small regressions, not only the gross ones of fixtures/broken:
 * each case below takes the real terraform/, changes one thing a reviewer could miss (a role added
 * to an exemption, one condition dropped, one queue swapped), and expects the checker to name it.
 */
import { allCheckers } from './checks';
import { blocks, first, isObject, loadTerraform, type Block, type TerraformConfig } from './hcl';
import { TERRAFORM_DIR, expectations } from './terraform-config';

let pristine: TerraformConfig;
beforeAll(async () => {
  pristine = await loadTerraform(TERRAFORM_DIR);
});

const expectAll = expectations();

/** The one block `kind.type.name` of a module directory, to change in place. */
function block(config: TerraformConfig, dir: string, kind: 'resource' | 'data', type: string, name: string): Block {
  const byType = config.modules[dir]?.json[kind];
  const body = isObject(byType) && isObject(byType[type]) ? first(byType[type][name]) : undefined;
  if (!body) throw new Error(`no ${kind} ${type}.${name} in ${dir || '.'}`);
  return body;
}

function statement(doc: Block, sid: string): Block {
  const st = [...blocks(doc.statement), ...blocks(doc.dynamic).flatMap((d) => blocks(d.statement)).flatMap((d) => blocks(d.content))].find((s) => s.sid === sid);
  if (!st) throw new Error(`no statement ${sid}`);
  return st;
}

interface Mutation {
  checker: string;
  change: (c: TerraformConfig) => void;
  expected: string;
}

const CASES: Record<string, Mutation> = {
  'the DLQ exempts the sweep role too': {
    checker: 'queuePolicies',
    change: (c) => {
      const st = statement(block(c, '', 'data', 'aws_iam_policy_document', 'dlq'), 'OnlyOurRulesAndSettlementHandlers');
      blocks(st.condition).find((x) => x.variable === 'aws:PrincipalArn')!.values = ['${module.debit.role_arn}', '${module.refund.role_arn}', '${module.sweep.role_arn}'];
    },
    expected: 'Deny exempts module.sweep, which never sends to dlq',
  },
  'the DLQ forgets the refund role': {
    checker: 'queuePolicies',
    change: (c) => {
      const st = statement(block(c, '', 'data', 'aws_iam_policy_document', 'dlq'), 'OnlyOurRulesAndSettlementHandlers');
      blocks(st.condition).find((x) => x.variable === 'aws:PrincipalArn')!.values = ['${module.debit.role_arn}'];
    },
    expected: 'Deny does not exempt module.refund, which sends to dlq',
  },
  'the DLQ Deny gets an escape hatch': {
    checker: 'queuePolicies',
    change: (c) => {
      const st = statement(block(c, '', 'data', 'aws_iam_policy_document', 'dlq'), 'OnlyOurRulesAndSettlementHandlers');
      st.condition = [...blocks(st.condition), { test: 'StringNotEquals', variable: 'aws:PrincipalAccount', values: ['123456789012'] }];
    },
    expected: 'Deny must have exactly one static ArnNotEquals on aws:SourceArn (rules) and one on aws:PrincipalArn (roles), nothing else',
  },
  'the sweep-failures queue also lets the schedule rule of the DLQ in': {
    checker: 'queuePolicies',
    change: (c) => {
      const st = statement(block(c, '', 'data', 'aws_iam_policy_document', 'sweep_failures'), 'OnlySweepScheduleSweepAndReplay');
      blocks(st.condition).find((x) => x.variable === 'aws:SourceArn')!.values = ['${aws_cloudwatch_event_rule.sweep_schedule.arn}', '${aws_cloudwatch_event_rule.video_failed.arn}'];
    },
    expected: 'Deny exempts aws_cloudwatch_event_rule.video_failed, which does not dead-letter into sweep_failures',
  },
  'the sweep schedule dead-letters into the money DLQ again': {
    checker: 'dlqSeparation',
    change: (c) => { block(c, '', 'resource', 'aws_cloudwatch_event_target', 'sweep_schedule').dead_letter_config = [{ arn: '${aws_sqs_queue.dlq.arn}' }]; },
    expected: 'aws_cloudwatch_event_target.sweep_schedule (a schedule) dead-letters into the money DLQ dlq',
  },
  'the sweep sends its failures to the money DLQ again': {
    checker: 'dlqSeparation',
    change: (c) => { (c.modules['']!.json.module as Record<string, Block[]>).sweep![0]!.on_failure_destination_arn = '${aws_sqs_queue.dlq.arn}'; },
    expected: 'module.sweep sends its failed invocations to the money DLQ dlq',
  },
};

test('every perimeter checker has at least one mutation case', () => {
  const perimeter = ['queuePolicies', 'dlqSeparation'];
  expect(perimeter.every((name) => name in allCheckers(expectAll))).toBe(true);
  expect([...new Set(Object.values(CASES).map((m) => m.checker))].sort()).toEqual([...perimeter].sort());
});

test.each(Object.entries(CASES))('%s', (_, mutation) => {
  const config = structuredClone(pristine);
  mutation.change(config);
  // The checker passes the real configuration, and names the one change.
  expect(allCheckers(expectAll)[mutation.checker]!(pristine)).toEqual([]);
  expect(allCheckers(expectAll)[mutation.checker]!(config).join('\n')).toContain(mutation.expected);
});
