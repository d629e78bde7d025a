/** shared/naming.ts is the TypeScript copy of terraform/ naming: parse the HCL and compare. */
import path from 'node:path';
import { HANDLERS } from '../../shared/config';
import {
  LIVE_ALIAS,
  RECONCILER_ALARMS,
  TERRAFORM_DEFAULTS,
  scheduleIntervalMs,
  workspaceNames,
} from '../../shared/naming';
import {
  isObject,
  loadTerraform,
  locals,
  moduleCalls,
  resources,
  variables,
  type Block,
  type Json,
  type TerraformConfig,
} from '../terraform/hcl';
import { resourceInstances } from '../terraform/instances';

const TERRAFORM_DIR = path.resolve(__dirname, '../../terraform');
let config: TerraformConfig;
beforeAll(async () => {
  config = await loadTerraform(TERRAFORM_DIR);
});

/** Replaces Terraform's interpolations of the workspace with a concrete one. */
function resolve(value: Json, workspace: string): Json {
  if (typeof value === 'string') return value.replace(/\$\{local\.workspace\}/g, workspace);
  if (Array.isArray(value)) return value.map((v) => resolve(v, workspace));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, workspace)]));
  return value;
}

test.each(['dev', 'staging', 'prod'])('names for %s equal terraform/locals.tf', (ws) => {
  const names = resolve(locals(config, '').names as Block, ws) as Record<string, Json>;
  const ours = workspaceNames(ws);
  expect(ours.tables).toEqual(names.tables);
  expect(ours.functions).toEqual(names.functions);
  expect(ours.dlq).toBe(names.dlq);
  expect(ours.sweepFailures).toBe(names.sweep_failures_queue);
  expect(ours.eventBus).toBe(names.event_bus);
  expect(ours.alertsTopic).toBe(names.alerts_topic);
  expect(ours.alarmPrefix).toBe(names.alarm_prefix);
  expect(ours.dashboard).toBe(names.dashboard);
  expect(ours.rules.video_rendered.name).toBe(names.rule_video_rendered);
  expect(ours.rules.video_failed.name).toBe(names.rule_video_failed);
  expect(ours.rules.sweep_schedule.name).toBe(names.rule_sweep_schedule);
});

test('each rule targets the alias of the function names.ts says, on the bus it says', () => {
  // events.tf: one rule, target and permission per entry of local.triggers, keyed as naming.ts keys them.
  for (const type of ['aws_cloudwatch_event_rule', 'aws_cloudwatch_event_target', 'aws_lambda_permission']) {
    const byKey = resourceInstances(config, type)
      .filter((r) => r.label === 'trigger')
      .map((r) => r.key);
    expect(byKey.sort()).toEqual(Object.keys(workspaceNames('dev').rules).sort());
  }
  const targets = resourceInstances(config, 'aws_cloudwatch_event_target');
  const rules = resourceInstances(config, 'aws_cloudwatch_event_rule');
  const moduleOf: Record<string, string> = {
    debit: 'debit',
    refund: 'refund',
    sweep: 'sweep',
    'replay-dlq': 'replay_dlq',
  };
  for (const [key, rule] of Object.entries(workspaceNames('dev').rules)) {
    const tf = rules.find((r) => r.key === key);
    expect(tf?.body.name).toBe(`\${local.names.rule_${key}}`);
    expect(tf?.body.event_bus_name === undefined).toBe(rule.onDefaultBus);
    const target = targets.find((t) => t.key === key);
    expect(target?.body.arn).toBe(`\${module.${moduleOf[rule.target]}.alias_arn}`);
  }
  expect(variables(config, 'modules/function').alias_name?.default).toBe(LIVE_ALIAS);
  for (const call of moduleCalls(config).filter((m) => m.target === 'modules/function'))
    expect(call.args.alias_name).toBeUndefined();
});

/**
 * Alarms terraform/ has and shared/naming.ts does not list yet (the perimeter's drop-point alarms
 * and the sweep heartbeat). Only this direction is allowed, and only for these names: once naming.ts
 * lists them, this list can go (the comparison below holds either way).
 */

test('alarm names equal the alerts module, for every function and rule the root passes it', () => {
  const alarms = resources(config, 'aws_cloudwatch_metric_alarm').filter((a) => a.dir === 'modules/alerts');
  const alertsCall = moduleCalls(config).find((m) => m.target === 'modules/alerts')!;
  const prefix = String(resolve(alertsCall.args.name_prefix!, 'dev')).replace(
    '${local.names.alarm_prefix}',
    workspaceNames('dev').alarmPrefix,
  );
  const functionKeys = Object.keys(alertsCall.args.function_names as Block);
  expect(functionKeys.sort()).toEqual([...HANDLERS].sort());
  const ruleKeys = Object.keys(alertsCall.args.rules as Block);
  expect(ruleKeys.sort()).toEqual(Object.keys(workspaceNames('dev').rules).sort());
  const reconcilerKeys = Object.keys(locals(config, 'modules/alerts').reconciler_alarms as Block);
  expect(reconcilerKeys.sort()).toEqual([...RECONCILER_ALARMS].sort());

  const expand = (template: string, key: string) =>
    template
      .replace('${var.name_prefix}', prefix)
      .replace('${replace(each.key, "_", "-")}', key.replace(/_/g, '-'))
      .replace('${each.key}', key);
  const fromTerraform = alarms.flatMap((a) => {
    const template = String(a.body.alarm_name);
    if (a.body.for_each === '${var.function_names}') return functionKeys.map((k) => expand(template, k));
    if (a.body.for_each === '${var.async_function_names}')
      return Object.keys(alertsCall.args.async_function_names as Block).map((k) => expand(template, k));
    if (a.body.for_each === '${var.rules}') return ruleKeys.map((k) => expand(template, k));
    if (a.body.for_each === '${local.reconciler_alarms}') return reconcilerKeys.map((k) => expand(template, k));
    expect(a.body.for_each).toBeUndefined();
    return [expand(template, '')];
  });
  const ours = workspaceNames('dev').alarms;
  // Every alarm naming.ts lists exists in Terraform, and Terraform has no other.
  expect([...ours].sort()).toEqual([...fromTerraform].sort());
  expect(new Set(fromTerraform).size).toBe(fromTerraform.length);
});

test('the settings the doctor expects are the Terraform defaults, and no workspace overrides them', () => {
  const vars = variables(config, '');
  expect(vars.lambda_runtime?.default).toBe(TERRAFORM_DEFAULTS.lambdaRuntime);
  expect(vars.sweep_schedule_expression?.default).toBe(TERRAFORM_DEFAULTS.sweepScheduleExpression);
  // The bus: by default the workspace's own, names.eventBus (existing_event_bus_name empty), which
  // the doctor and smoke use when EVENT_BUS_NAME is not set.
  expect(vars.existing_event_bus_name?.default).toBe('');
  expect(vars).not.toHaveProperty('event_bus_name');
  const bus = resources(config, 'aws_cloudwatch_event_bus').find((b) => b.dir === '');
  expect(bus?.body.name).toBe('${local.names.event_bus}');
  expect(bus?.body.count).toBe('${local.create_event_bus ? 1 : 0}');
  expect(locals(config, '').create_event_bus).toBe('${var.existing_event_bus_name == ""}');
  for (const [ws, tfvars] of Object.entries(config.tfvars)) {
    for (const name of ['lambda_runtime', 'existing_event_bus_name', 'sweep_schedule_expression']) {
      expect({ ws, name, overridden: name in tfvars }).toEqual({ ws, name, overridden: false });
    }
  }
});

test('schedule intervals and workspace validation', () => {
  expect(scheduleIntervalMs('rate(6 hours)')).toBe(6 * 3_600_000);
  expect(scheduleIntervalMs('rate(1 day)')).toBe(86_400_000);
  expect(scheduleIntervalMs('rate(15 minutes)')).toBe(900_000);
  expect(scheduleIntervalMs('cron(0 */6 * * ? *)')).toBeUndefined();
  expect(() => workspaceNames('')).toThrow(RangeError);
  expect(() => workspaceNames('prod; rm -rf')).toThrow(RangeError);
});
