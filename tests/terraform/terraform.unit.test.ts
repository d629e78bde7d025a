/**
 * Structure of terraform/ (there is no terraform binary here: every .tf file is parsed with
 * @cdktf/hcl2json and the properties the design relies on are checked on the parsed HCL).
 * Parsed once; every test reads the same configuration.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { HANDLER_ENV, RUNTIME_ENV } from '../../shared/config';
import { METRIC_NAMES, METRIC_NAMESPACE } from '../../shared/observability/metrics';
import { workspaceNames } from '../../shared/naming';
import { DEFAULT_MAX_REPLAYS, MAX_REPLAYS_LIMIT } from '../../shared/replay/redeliver';
import { DEFAULT_SWEEP_LIMITS, SWEEP_LIMIT_MAX } from '../../shared/sweep/config';
import { allCheckers, effectiveGrants, functionInstances, type FunctionInstance } from './checks';
import {
  blocks,
  dataSources,
  first,
  isObject,
  locals,
  moduleCalls,
  outputs,
  resources,
  text,
  variables,
  loadTerraform,
  type Block,
  type Json,
  type ResourceRef,
  type TerraformConfig,
} from './hcl';
import { resourceInstances } from './instances';
import { PROD_REQUIRED, REPO_ROOT, TERRAFORM_DIR, expectations, handlerNames } from './terraform-config';

let config: TerraformConfig;
let instances: FunctionInstance[];

beforeAll(async () => {
  config = await loadTerraform(TERRAFORM_DIR);
  instances = functionInstances(config, handlerNames());
});

const one = (type: string, name: string, dir = ''): ResourceRef => {
  const found = resources(config, type).filter((r) => r.dir === dir && r.name === name);
  expect(found).toHaveLength(1);
  return found[0]!;
};
/** One instance of the EventBridge wiring (events.tf, for_each over local.triggers), by its key. */
const trigger = (type: string, key: string): ResourceRef => {
  const found = resourceInstances(config, type).filter((r) => r.dir === '' && r.name === `trigger["${key}"]`);
  expect(found).toHaveLength(1);
  return found[0]!;
};
const instance = (handler: string): FunctionInstance => {
  const found = instances.find((i) => i.handler === handler);
  if (!found) throw new Error(`no function for ${handler}`);
  return found;
};
const rootVar = (name: string): Block => {
  const v = variables(config, '')[name];
  if (!v) throw new Error(`var.${name} is not declared`);
  return v;
};

describe('files', () => {
  test('every HCL file under terraform/ parses', () => {
    expect(config.parseErrors).toEqual([]);
    const tf = config.parsedFiles.filter((f) => f.endsWith('.tf'));
    expect(tf.length).toBeGreaterThanOrEqual(20);
    expect(config.parsedFiles).toContain('backend.tf.example');
  });

  test('root and each module have the standard files and a README', () => {
    for (const file of ['main.tf', 'variables.tf', 'outputs.tf', 'versions.tf', 'locals.tf']) {
      expect(existsSync(path.join(TERRAFORM_DIR, file))).toBe(true);
    }
    for (const mod of ['tables', 'function', 'alerts']) {
      for (const file of ['main.tf', 'variables.tf', 'outputs.tf', 'versions.tf', 'README.md']) {
        expect(existsSync(path.join(TERRAFORM_DIR, 'modules', mod, file))).toBe(true);
      }
    }
  });

  test('no backend is hard-wired (local state by default; backend.tf.example documents S3)', () => {
    // An operator's own copy, terraform/backend.tf, is the one place a backend may appear.
    for (const file of config.parsedFiles.filter((f) => f.endsWith('.tf') && f !== 'backend.tf')) {
      expect(readFileSync(path.join(TERRAFORM_DIR, file), 'utf8')).not.toMatch(/^\s*backend\s+"/m);
    }
    const example = readFileSync(path.join(TERRAFORM_DIR, 'backend.tf.example'), 'utf8');
    expect(example).toMatch(/backend "s3"/);
    expect(example).toMatch(/use_lockfile|dynamodb_table/);
  });
});

describe('structure checks (each proven able to fail in checkers.test.ts)', () => {
  test.each(Object.keys(allCheckers(expectations())))('%s: no problems', (name) => {
    expect(allCheckers(expectations())[name]!(config)).toEqual([]);
  });
});

describe('names', () => {
  test('tables, functions, queue and topic are named from the workspace as the contract says', () => {
    const names = locals(config, '').names as Block;
    expect(names.tables).toEqual({
      credits: 'Credits-${local.workspace}',
      jobs: 'Jobs-${local.workspace}',
      ledger: 'Ledger-${local.workspace}',
      settlements: 'Settlements-${local.workspace}',
    });
    const functions = names.functions as Block;
    for (const h of handlerNames()) expect(functions[h]).toBe(`cc-agent-reconciler-${h}-\${local.workspace}`);
    expect(names.dlq).toBe('cc-reconciler-dlq-${local.workspace}');
    expect(names.alerts_topic).toBe('ops-alerts-${local.workspace}');
    expect(locals(config, '').workspace).toBe('${terraform.workspace}');
  });

  test('each handler module call uses its own name from locals', () => {
    for (const h of handlerNames())
      expect(text(instance(h).call?.args.function_name)).toBe(`\${local.names.functions["${h}"]}`);
  });
});

describe('functions', () => {
  test('runtime, architecture, memory, timeouts and concurrency defaults', () => {
    expect(rootVar('lambda_runtime').default).toBe('nodejs24.x');
    expect(text(rootVar('lambda_runtime').validation)).toMatch(/startswith\(var\.lambda_runtime, \\"nodejs\\"\)/);
    expect(rootVar('lambda_architecture').default).toBe('arm64');
    expect(rootVar('lambda_memory_mb').default).toBe(512);
    expect(rootVar('lambda_semi_space_mb').default).toBe(8);
    expect(rootVar('lambda_timeout_seconds').default).toBe(30);
    expect(rootVar('sweep_timeout_seconds').default).toBe(300);
    expect(rootVar('reserved_concurrency').default).toBe(10);
    expect(rootVar('log_retention_days').default).toBe(30);
    expect(text(instance('sweep').call?.args.timeout_seconds)).toBe('${var.sweep_timeout_seconds}');
  });

  test('the module publishes versions, builds from dist/<handler>.zip, handler index.handler, arm64', () => {
    const fn = one('aws_lambda_function', 'this', 'modules/function').body;
    expect(fn.publish).toBe(true);
    expect(fn.source_code_hash).toBe('${filebase64sha256(var.zip_path)}');
    expect(fn.architectures).toEqual(['${var.architecture}']);
    expect(variables(config, 'modules/function').handler_entrypoint?.default).toBe('index.handler');
    for (const h of handlerNames()) expect(instance(h).call?.args.zip_path).toBe(`\${local.dist_dir}/${h}.zip`);
    expect(locals(config, '').dist_dir).toBe('${path.root}/../dist');
  });

  test('alias `live` follows every apply (no ignore_changes: the documented choice)', () => {
    const alias = one('aws_lambda_alias', 'live', 'modules/function').body;
    expect(variables(config, 'modules/function').alias_name?.default).toBe('live');
    expect(alias.name).toBe('${var.alias_name}');
    expect(alias.function_version).toBe('${aws_lambda_function.this.version}');
    expect(text(first(alias.lifecycle)?.ignore_changes)).not.toContain('function_version');
  });

  test('async invoke config: retries and event age from variables, on failure -> the DLQ (money) or the sweep-failures queue, on the alias', () => {
    const cfg = one('aws_lambda_function_event_invoke_config', 'this', 'modules/function').body;
    expect(cfg.qualifier).toBe('${aws_lambda_alias.live.name}');
    expect(first(first(cfg.destination_config)?.on_failure)?.destination).toBe('${var.on_failure_destination_arn}');
    expect(rootVar('async_max_retry_attempts').default).toBe(2);
    const destination = Object.fromEntries(
      handlerNames().map((h) => [h, instance(h).call?.args.on_failure_destination_arn]),
    );
    expect(destination).toEqual({
      debit: '${aws_sqs_queue.dlq.arn}',
      refund: '${aws_sqs_queue.dlq.arn}',
      sweep: '${aws_sqs_queue.sweep_failures.arn}',
      'replay-dlq': '${aws_sqs_queue.sweep_failures.arn}',
    });
  });

  test('paused: debit and refund get 0 concurrency; sweep schedule and auto-drain are off', () => {
    expect(rootVar('paused').default).toBe(false);
    expect(locals(config, '').settle_reserved_concurrency).toBe('${var.paused ? 0 : var.reserved_concurrency}');
    for (const h of ['debit', 'refund'])
      expect(instance(h).call?.args.reserved_concurrency).toBe('${local.settle_reserved_concurrency}');
    for (const h of ['sweep', 'replay-dlq'])
      expect(instance(h).call?.args.reserved_concurrency).toBe('${var.reserved_concurrency}');
    expect(trigger('aws_cloudwatch_event_rule', 'sweep_schedule').body.state).toBe(
      '${var.paused ? "DISABLED" : "ENABLED"}',
    );
    // The event rules stay enabled: a disabled rule drops events instead of holding them.
    for (const rule of ['video_rendered', 'video_failed'])
      expect(trigger('aws_cloudwatch_event_rule', rule).body.state).toBeUndefined();
    expect(one('aws_lambda_event_source_mapping', 'replay_dlq').body.enabled).toBe(
      '${var.replay_auto_drain && !var.paused}',
    );
  });

  test('environment values come from the resources they name', () => {
    const expectedSources: Record<string, RegExp> = {
      JOBS_TABLE: /module\.tables\.names\.jobs/,
      CREDITS_TABLE: /module\.tables\.names\.credits/,
      LEDGER_TABLE: /module\.tables\.names\.ledger/,
      SETTLEMENTS_TABLE: /module\.tables\.names\.settlements/,
      OVERDRAFT_FLOOR_CREDITS: /var\.overdraft_floor_credits/,
      DLQ_URL: /aws_sqs_queue\.dlq\.url/,
      ALERTS_TOPIC_ARN: /module\.alerts\.topic_arn/,
      EVENT_BUS_NAME: /^\$\{local\.event_bus_name\}$/,
      WORKSPACE: /local\.workspace/,
      LOG_LEVEL: /var\.log_level/,
      SWEEP_GRACE_MINUTES: /var\.sweep_grace_minutes/,
      SWEEP_STUCK_AFTER_HOURS: /var\.sweep_stuck_after_hours/,
      REPLAY_MAX_REPLAYS: /var\.replay_max_replays/,
      HOLD_DEFAULT_SECONDS: /var\.hold_default_seconds/,
      NODE_OPTIONS: /^\$\{local\.node_options\}$/,
    };
    for (const h of handlerNames()) {
      const env = instance(h).env ?? {};
      for (const name of [...(HANDLER_ENV[h as keyof typeof HANDLER_ENV] ?? []), ...RUNTIME_ENV]) {
        expect(expectedSources[name]).toBeDefined();
        expect(text(env[name])).toMatch(expectedSources[name]!);
      }
    }
    // Empty = the workspace's own bus; the bus name replay gets is the one the rules use.
    expect(rootVar('existing_event_bus_name').default).toBe('');
    expect(variables(config, '')).not.toHaveProperty('event_bus_name');
  });
});

describe('permissions', () => {
  const grantsOf = (h: string, action: string): string[] =>
    effectiveGrants(config, instance(h))
      .filter((g) => g.action === action)
      .flatMap((g) => g.resources);

  test('the sweep queries only the six indexes and scans nothing', () => {
    expect(grantsOf('sweep', 'dynamodb:Query').sort()).toEqual([
      '${module.tables.index_arns.jobs_debited}',
      '${module.tables.index_arns.jobs_unsettled}',
      '${module.tables.index_arns.ledger_by_day}',
      '${module.tables.index_arns.ledger_by_user}',
      '${module.tables.index_arns.settlements_active_holds}',
      '${module.tables.index_arns.settlements_holds_due}',
    ]);
    expect(grantsOf('sweep', 'dynamodb:Scan')).toEqual([]);
    expect(grantsOf('sweep', 'sns:Publish')).toEqual(['${module.alerts.topic_arn}']);
    const indexArns = outputs(config, 'modules/tables').index_arns?.value as Block;
    expect(indexArns).toEqual({
      jobs_unsettled: '${aws_dynamodb_table.jobs.arn}/index/unsettled',
      jobs_debited: '${aws_dynamodb_table.jobs.arn}/index/debited',
      ledger_by_user: '${aws_dynamodb_table.ledger.arn}/index/byUser',
      ledger_by_day: '${aws_dynamodb_table.ledger.arn}/index/byDay',
      settlements_holds_due: '${aws_dynamodb_table.settlements.arn}/index/holdsDue',
      settlements_active_holds: '${aws_dynamodb_table.settlements.arn}/index/activeHolds',
    });
  });

  test("reserve holds on the reconciler's two tables only; producers, and only they, may invoke it", () => {
    const arn = (table: string) => `\${module.tables.arns.${table}}`;
    expect(grantsOf('reserve', 'dynamodb:UpdateItem').sort()).toEqual([arn('credits'), arn('settlements')]);
    expect(grantsOf('reserve', 'dynamodb:GetItem').sort()).toEqual([arn('credits'), arn('settlements')]);
    expect(grantsOf('reserve', 'dynamodb:Query')).toEqual(['${module.tables.index_arns.settlements_active_holds}']);
    for (const action of [
      'dynamodb:PutItem',
      'dynamodb:DeleteItem',
      'dynamodb:Scan',
      'sqs:SendMessage',
      'events:PutEvents',
    ])
      expect(grantsOf('reserve', action)).toEqual([]);
    // Invoked synchronously: no asynchronous config, no destination.
    expect(instance('reserve').call?.args.on_failure_destination_arn).toBeUndefined();
    expect(one('aws_lambda_function_event_invoke_config', 'this', 'modules/function').body.count).toBe(
      '${local.invoked_asynchronously ? 1 : 0}',
    );
    const permission = one('aws_lambda_permission', 'reserve_producers').body;
    expect(permission).toMatchObject({
      for_each: '${toset(var.producer_principal_arns)}',
      action: 'lambda:InvokeFunction',
      principal: '${each.value}',
      function_name: '${module.reserve.function_name}',
      qualifier: '${module.reserve.alias_name}',
    });
    expect(resources(config, 'aws_lambda_permission').map((p) => p.name)).toEqual(
      expect.arrayContaining(['reserve_producers']),
    );
    expect(text(instance('reserve').env?.HOLD_DEFAULT_SECONDS)).toMatch(/var\.hold_default_seconds/);
  });

  test('item actions only where the code needs them; queue actions only on the DLQ; PutEvents only on the bus; logs only own group', () => {
    const arn = (table: string) => `\${module.tables.arns.${table}}`;
    for (const h of ['debit', 'refund', 'sweep']) {
      // The event path writes only the reconciler's own tables; only the sweep touches Jobs (its two index keys).
      expect(grantsOf(h, 'dynamodb:UpdateItem').sort()).toEqual(
        h === 'sweep' ? [arn('credits'), arn('jobs'), arn('settlements')] : [arn('credits'), arn('settlements')],
      );
      expect(grantsOf(h, 'dynamodb:PutItem')).toEqual([arn('ledger')]);
      expect(grantsOf(h, 'dynamodb:GetItem').sort()).toEqual(
        h === 'sweep' ? [arn('credits'), arn('settlements')] : [arn('settlements')],
      );
      expect(grantsOf(h, 'dynamodb:ConditionCheckItem')).toEqual(h === 'debit' ? [] : [arn('ledger')]);
    }
    expect(grantsOf('sweep', 'dynamodb:BatchGetItem')).toEqual([arn('settlements')]);
    // Queues, with the module's on-failure destination written out: debit and refund send to the
    // DLQ (refused events and failures), the sweep only to its own failures queue, replay-dlq reads
    // the DLQ and sends only its own failures elsewhere.
    const queueGrants = (h: string): string[] =>
      [
        ...new Set(
          effectiveGrants(config, instance(h))
            .filter((g) => g.action.startsWith('sqs:'))
            .flatMap((g) =>
              g.resources.map((r) =>
                r === '${var.on_failure_destination_arn}' ? text(instance(h).call?.args.on_failure_destination_arn) : r,
              ),
            ),
        ),
      ].sort();
    expect(queueGrants('debit')).toEqual(['${aws_sqs_queue.dlq.arn}']);
    expect(queueGrants('refund')).toEqual(['${aws_sqs_queue.dlq.arn}']);
    expect(queueGrants('sweep')).toEqual(['${aws_sqs_queue.sweep_failures.arn}']);
    expect(queueGrants('replay-dlq')).toEqual(['${aws_sqs_queue.dlq.arn}', '${aws_sqs_queue.sweep_failures.arn}']);
    expect(grantsOf('replay-dlq', 'sqs:SendMessage')).toEqual(['${var.on_failure_destination_arn}']);
    for (const h of handlerNames()) {
      for (const action of ['logs:CreateLogStream', 'logs:PutLogEvents'])
        expect(grantsOf(h, action)).toEqual(['${aws_cloudwatch_log_group.this.arn}:*']);
    }
    expect(grantsOf('replay-dlq', 'events:PutEvents')).toEqual(['${local.event_bus_arn}']);
  });
});

describe('events and the DLQ', () => {
  const targetFor = (rule: string): Block => trigger('aws_cloudwatch_event_target', rule).body;

  test('rules route video.rendered -> debit, video.failed -> refund, schedule -> sweep, each to the alias', () => {
    expect(locals(config, '').event_source).toBe('video.generation');
    const rendered = trigger('aws_cloudwatch_event_rule', 'video_rendered').body;
    const failed = trigger('aws_cloudwatch_event_rule', 'video_failed').body;
    expect(text(rendered.event_pattern)).toMatch(
      /source\s*=\s*\[local\.event_source\][\s\S]*"detail-type"\s*=\s*\["video\.rendered"\]/,
    );
    expect(text(failed.event_pattern)).toMatch(
      /source\s*=\s*\[local\.event_source\][\s\S]*"detail-type"\s*=\s*\["video\.failed"\]/,
    );
    expect(rendered.event_bus_name).toBe('${local.event_bus_name}');
    expect(failed.event_bus_name).toBe('${local.event_bus_name}');
    for (const rule of ['video_rendered', 'video_failed'])
      expect(trigger('aws_cloudwatch_event_target', rule).body.event_bus_name).toBe('${local.event_bus_name}');
    expect(trigger('aws_cloudwatch_event_rule', 'sweep_schedule').body.event_bus_name).toBeUndefined();
    expect(targetFor('video_rendered').arn).toBe('${module.debit.alias_arn}');
    expect(targetFor('video_failed').arn).toBe('${module.refund.alias_arn}');
    expect(targetFor('sweep_schedule').arn).toBe('${module.sweep.alias_arn}');
    expect(trigger('aws_cloudwatch_event_rule', 'sweep_schedule').body.schedule_expression).toBe(
      '${var.sweep_schedule_expression}',
    );
    expect(rootVar('sweep_schedule_expression').default).toBe('rate(6 hours)');
    expect(rootVar('eventbridge_retry_attempts').default).toBe(3);
    expect(rootVar('eventbridge_max_event_age_seconds').default).toBe(3600);
  });

  test('each rule may invoke only its function alias', () => {
    const expected: Record<string, string> = {
      video_rendered: 'debit',
      video_failed: 'refund',
      sweep_schedule: 'sweep',
    };
    for (const [rule, mod] of Object.entries(expected)) {
      const p = trigger('aws_lambda_permission', rule).body;
      expect(p.principal).toBe('events.amazonaws.com');
      expect(p.action).toBe('lambda:InvokeFunction');
      expect(p.function_name).toBe(`\${module.${mod}.function_name}`);
      expect(p.qualifier).toBe(`\${module.${mod}.alias_name}`);
      expect(p.source_arn).toBe(`\${aws_cloudwatch_event_rule.trigger["${rule}"].arn}`);
    }
  });

  test('DLQ and sweep-failures queue: 14 days, SSE-SQS', () => {
    expect(locals(config, '').dlq_message_retention_seconds).toBe(1209600);
    for (const q of ['dlq', 'sweep_failures']) {
      const body = one('aws_sqs_queue', q).body;
      expect(body.message_retention_seconds).toBe('${local.dlq_message_retention_seconds}');
      expect(body.sqs_managed_sse_enabled).toBe(true);
    }
    expect(one('aws_sqs_queue', 'sweep_failures').body.name).toBe('${local.names.sweep_failures_queue}');
    expect(trigger('aws_cloudwatch_event_target', 'sweep_schedule').body.dead_letter_config).toEqual([
      { arn: '${aws_sqs_queue.sweep_failures.arn}' },
    ]);
    for (const rule of ['video_rendered', 'video_failed'])
      expect(trigger('aws_cloudwatch_event_target', rule).body.dead_letter_config).toEqual([
        { arn: '${aws_sqs_queue.dlq.arn}' },
      ]);
  });

  test('auto-drain: SQS event source on the DLQ, partial batch failures, batch 10, off by default', () => {
    const esm = one('aws_lambda_event_source_mapping', 'replay_dlq').body;
    expect(esm.event_source_arn).toBe('${aws_sqs_queue.dlq.arn}');
    expect(esm.function_name).toBe('${module.replay_dlq.alias_arn}');
    expect(esm.function_response_types).toEqual(['ReportBatchItemFailures']);
    expect(esm.batch_size).toBe('${var.replay_batch_size}');
    expect(rootVar('replay_batch_size').default).toBe(10);
    expect(rootVar('replay_auto_drain').default).toBe(false);
    // The queue's visibility timeout must cover the drain function's timeout (6x, as AWS advises).
    expect(locals(config, '').dlq_visibility_timeout_seconds).toBe('${6 * var.lambda_timeout_seconds}');
    expect(instance('replay-dlq').call?.args.timeout_seconds).toBe('${var.lambda_timeout_seconds}');
  });
});

describe('alerts', () => {
  test('alarms cover every function (errors, throttles), the DLQ and the money metrics', () => {
    const call = moduleCalls(config).find((c) => c.name === 'alerts')!;
    expect(Object.keys(call.args.function_names as Block).sort()).toEqual(handlerNames());
    const alerts = (type: string, name: string): Block => one(type, name, 'modules/alerts').body;
    expect(alerts('aws_cloudwatch_metric_alarm', 'function_errors').metric_name).toBe('Errors');
    expect(alerts('aws_cloudwatch_metric_alarm', 'function_errors').period).toBe(300);
    expect(alerts('aws_cloudwatch_metric_alarm', 'function_throttles').metric_name).toBe('Throttles');
    expect(alerts('aws_cloudwatch_metric_alarm', 'dlq_depth').metric_name).toBe('ApproximateNumberOfMessagesVisible');
    expect(alerts('aws_cloudwatch_metric_alarm', 'dlq_oldest_message').metric_name).toBe(
      'ApproximateAgeOfOldestMessage',
    );

    const reconciler = alerts('aws_cloudwatch_metric_alarm', 'reconciler');
    expect(reconciler.namespace).toBe('${var.metric_namespace}');
    expect(variables(config, 'modules/alerts').metric_namespace?.default).toBe(METRIC_NAMESPACE);
    expect(reconciler.dimensions).toEqual({ Workspace: '${var.workspace}' });
    const money = locals(config, 'modules/alerts').reconciler_alarms as Record<string, Block>;
    const metrics = Object.values(money).map((a) => a.metric as string);
    for (const m of metrics) expect(METRIC_NAMES).toContain(m);
    for (const m of ['Adjustments', 'Anomalies', 'Drift', 'Invalid']) expect(metrics).toContain(m);
    expect(money.adjustments?.period_seconds).toBe(3600);
    expect(money.adjustments?.threshold).toBe('${var.adjustments_alarm_threshold_per_hour}');
    expect(rootVar('adjustments_alarm_threshold_per_hour').default).toBe(100);
  });

  test('the topic lets CloudWatch (this account) publish; e-mail subscriptions from a list', () => {
    const doc = dataSources(config, 'aws_iam_policy_document').find(
      (d) => d.dir === 'modules/alerts' && d.name === 'topic',
    )!;
    const st = first(doc.body.statement)!;
    expect(first(st.principals)).toEqual({ type: 'Service', identifiers: ['cloudwatch.amazonaws.com'] });
    expect(st.actions).toEqual(['sns:Publish']);
    expect(rootVar('alarm_email_subscriptions').type).toBe('${list(string)}');
    expect(one('aws_sns_topic_subscription', 'email', 'modules/alerts').body.protocol).toBe('email');
    expect(resources(config, 'aws_cloudwatch_dashboard')).toHaveLength(1);
  });
});

describe('settings match the code that reads them', () => {
  test('sweep and replay defaults and bounds are the ones the handlers enforce', () => {
    const bound = (name: string): number => Number(/<= (\d+)/.exec(text(rootVar(name).validation))?.[1]);
    expect(rootVar('sweep_grace_minutes').default).toBe(DEFAULT_SWEEP_LIMITS.graceMinutes);
    expect(bound('sweep_grace_minutes')).toBe(SWEEP_LIMIT_MAX.graceMinutes);
    expect(rootVar('sweep_stuck_after_hours').default).toBe(DEFAULT_SWEEP_LIMITS.stuckAfterHours);
    expect(bound('sweep_stuck_after_hours')).toBe(SWEEP_LIMIT_MAX.stuckAfterHours);
    expect(rootVar('replay_max_replays').default).toBe(DEFAULT_MAX_REPLAYS);
    expect(bound('replay_max_replays')).toBe(MAX_REPLAYS_LIMIT);
  });

  test('the replay CLI finds the DLQ by the name Terraform gives it', () => {
    expect(workspaceNames('prod').dlq).toBe('cc-reconciler-dlq-prod');
    expect((locals(config, '').names as Block).dlq).toBe('cc-reconciler-dlq-${local.workspace}');
  });
});

describe('workspaces', () => {
  test('prod protects its tables; dev and staging may be recreated', () => {
    expect(config.tfvars.prod?.deletion_protection).toBe(true);
    expect(config.tfvars.dev?.deletion_protection).toBe(false);
    expect(one('aws_dynamodb_table', 'credits', 'modules/tables').body.deletion_protection_enabled).toBe(
      '${var.deletion_protection}',
    );
  });

  test('pause state is not pinned in a settings file (make plan/apply carry it over)', () => {
    for (const ws of ['dev', 'staging', 'prod']) expect(config.tfvars[ws]).not.toHaveProperty('paused');
  });
});

describe('operator interface', () => {
  test('outputs the operator scripts read', () => {
    const out = outputs(config, '');
    for (const name of [
      'credits_table_name',
      'jobs_table_name',
      'ledger_table_name',
      'function_names',
      'function_role_arns',
      'dlq_url',
      'sweep_failures_queue_url',
      'event_bus_name',
      'event_bus_arn',
      'event_rule_arns',
      'event_archive_arn',
      'alerts_topic_arn',
      'alerts_topic_kms_key_arn',
      'data_events_bucket',
      'paused',
      'operator_env',
    ]) {
      expect(out).toHaveProperty(name);
    }
    expect(isObject(out.operator_env?.value as Block)).toBe(true);
    expect((out.operator_env?.value as Block).EVENT_BUS_NAME).toBe('${local.event_bus_name}');
    expect(out.event_bus_name?.value).toBe('${local.event_bus_name}');
  });

  test('terraform.mk guards the workspace and passes its settings file', () => {
    const mk = readFileSync(path.join(TERRAFORM_DIR, 'terraform.mk'), 'utf8');
    for (const target of ['plan', 'apply', 'destroy', 'pause', 'resume', 'tf-check'])
      expect(mk).toMatch(new RegExp(`^${target}:`, 'm'));
    expect(mk).toContain('dev|staging|prod');
    expect(mk).toContain('workspace select -or-create');
    expect(mk).toContain('workspace show');
    expect(mk).toContain('-var-file=workspaces/$(WS).tfvars');
    expect(mk).toContain('$(MAKE) build');
    expect(mk).toContain('npx jest tests/terraform');
  });
});

// ---------------------------------------------------------------------------------------------
// The perimeter (security review H1, H2, M5, M6, M8, L6, L8): the exact policies, on top of the
// checkers of perimeter-checks.ts, so that a reviewer reads here what AWS will be sent.
// ---------------------------------------------------------------------------------------------
const doc = (name: string, dir = ''): Block => {
  const found = dataSources(config, 'aws_iam_policy_document').find((d) => d.dir === dir && d.name === name);
  if (!found) throw new Error(`no policy document ${name}`);
  return found.body;
};
const everyone = [{ type: '*', identifiers: ['*'] }];

describe('perimeter: who may publish (H1)', () => {
  test('the workspace gets its own bus unless an existing one is named; both get the policy and the archive', () => {
    expect(one('aws_cloudwatch_event_bus', 'this').body).toMatchObject({
      count: '${local.create_event_bus ? 1 : 0}',
      name: '${local.names.event_bus}',
    });
    const existing = dataSources(config, 'aws_cloudwatch_event_bus').find((d) => d.name === 'existing')!.body;
    expect(existing).toMatchObject({
      count: '${local.create_event_bus ? 0 : 1}',
      name: '${var.existing_event_bus_name}',
    });
    const l = locals(config, '');
    expect(l.create_event_bus).toBe('${var.existing_event_bus_name == ""}');
    expect(l.event_bus_name).toBe(
      '${local.create_event_bus ? aws_cloudwatch_event_bus.this[0].name : data.aws_cloudwatch_event_bus.existing[0].name}',
    );
    expect(l.event_bus_arn).toBe(
      '${local.create_event_bus ? aws_cloudwatch_event_bus.this[0].arn : data.aws_cloudwatch_event_bus.existing[0].arn}',
    );
    expect(one('aws_cloudwatch_event_bus_policy', 'this').body).toEqual({
      event_bus_name: '${local.event_bus_name}',
      policy: '${data.aws_iam_policy_document.event_bus.json}',
    });
    expect(doc('event_bus').source_policy_documents).toBe(
      '${var.existing_event_bus_policy_json == "" ? [] : [var.existing_event_bus_policy_json]}',
    );
    expect(rootVar('existing_event_bus_policy_json').default).toBe('');
  });

  test('the bus policy: video.generation only from the producers, the replay role and ops; producers granted it', () => {
    const body = doc('event_bus');
    expect(blocks(body.statement)).toEqual([
      {
        sid: 'OnlyKnownPublishersOfVideoGeneration',
        effect: 'Deny',
        actions: ['events:PutEvents'],
        resources: ['${local.event_bus_arn}'],
        principals: everyone,
        condition: [
          { test: 'StringEquals', variable: 'events:source', values: ['${local.event_source}'] },
          { test: 'ArnNotEquals', variable: 'aws:PrincipalArn', values: '${local.event_publisher_arns}' },
        ],
      },
    ]);
    expect(locals(config, '').event_publisher_arns).toBe(
      '${distinct(concat(var.producer_principal_arns, [module.replay_dlq.role_arn], var.ops_principal_arns))}',
    );
    // The grant for producers (needed across accounts) exists only when there are producers.
    const allow = blocks(body.dynamic).flatMap((d) => blocks(d.statement))[0]!;
    expect(allow.for_each).toBe('${length(var.producer_principal_arns) > 0 ? [1] : []}');
    expect(first(allow.content)).toEqual({
      sid: 'PublishVideoGeneration',
      effect: 'Allow',
      actions: ['events:PutEvents'],
      resources: ['${local.event_bus_arn}'],
      principals: [{ type: 'AWS', identifiers: '${var.producer_principal_arns}' }],
      condition: [
        { test: 'StringEquals', variable: 'events:source', values: ['${local.event_source}'] },
        { test: 'StringEquals', variable: 'events:detail-type', values: '${local.event_detail_types}' },
      ],
    });
    expect(locals(config, '').event_detail_types).toEqual(['video.rendered', 'video.failed']);
    for (const name of ['producer_principal_arns', 'ops_principal_arns']) {
      expect(rootVar(name).default).toEqual([]);
      expect(text(rootVar(name).validation)).toContain('(role|user)/');
    }
  });

  test("both event rules pin the event's account: this account and the listed producers' accounts", () => {
    for (const rule of ['video_rendered', 'video_failed'])
      expect(text(trigger('aws_cloudwatch_event_rule', rule).body.event_pattern)).toMatch(
        /account\s*=\s*local\.event_accounts/,
      );
    expect(locals(config, '').event_accounts).toBe(
      '${distinct(concat([local.account_id], [for arn in var.producer_principal_arns : split(":", arn)[4]]))}',
    );
    expect(locals(config, '').account_id).toBe('${data.aws_caller_identity.current.account_id}');
  });

  test("replay-dlq may put only video.rendered / video.failed of video.generation, only on the workspace's bus", () => {
    const st = blocks(doc('replay_dlq').statement).find((x) => x.sid === 'ReplayToBus');
    expect(st).toEqual({
      sid: 'ReplayToBus',
      effect: 'Allow',
      actions: ['events:PutEvents'],
      resources: ['${local.event_bus_arn}'],
      condition: [
        { test: 'StringEquals', variable: 'events:source', values: ['${local.event_source}'] },
        { test: 'StringEquals', variable: 'events:detail-type', values: '${local.event_detail_types}' },
      ],
    });
  });
});

describe('perimeter: the queues hear only from us (H2, L8)', () => {
  test('DLQ: EventBridge for the two event rules, and the debit and refund roles; nobody else', () => {
    expect(locals(config, '').dlq_source_rule_arns).toEqual([
      '${aws_cloudwatch_event_rule.trigger["video_rendered"].arn}',
      '${aws_cloudwatch_event_rule.trigger["video_failed"].arn}',
    ]);
    expect(blocks(doc('dlq').statement)).toEqual([
      {
        sid: 'EventBridgeTargetDeadLetters',
        effect: 'Allow',
        actions: ['sqs:SendMessage'],
        resources: ['${aws_sqs_queue.dlq.arn}'],
        principals: [{ type: 'Service', identifiers: ['events.amazonaws.com'] }],
        condition: [{ test: 'ArnEquals', variable: 'aws:SourceArn', values: '${local.dlq_source_rule_arns}' }],
      },
      {
        sid: 'OnlyOurRulesAndSettlementHandlers',
        effect: 'Deny',
        actions: ['sqs:SendMessage'],
        resources: ['${aws_sqs_queue.dlq.arn}'],
        principals: everyone,
        condition: [
          { test: 'ArnNotEquals', variable: 'aws:SourceArn', values: '${local.dlq_source_rule_arns}' },
          {
            test: 'ArnNotEquals',
            variable: 'aws:PrincipalArn',
            values: ['${module.debit.role_arn}', '${module.refund.role_arn}'],
          },
        ],
      },
    ]);
    expect(one('aws_sqs_queue_policy', 'dlq').body.policy).toBe('${data.aws_iam_policy_document.dlq.json}');
  });

  test('sweep failures: EventBridge for the sweep schedule, and the sweep and replay-dlq roles; nobody else', () => {
    const rule = ['${aws_cloudwatch_event_rule.trigger["sweep_schedule"].arn}'];
    expect(blocks(doc('sweep_failures').statement)).toEqual([
      {
        sid: 'EventBridgeTargetDeadLetters',
        effect: 'Allow',
        actions: ['sqs:SendMessage'],
        resources: ['${aws_sqs_queue.sweep_failures.arn}'],
        principals: [{ type: 'Service', identifiers: ['events.amazonaws.com'] }],
        condition: [{ test: 'ArnEquals', variable: 'aws:SourceArn', values: rule }],
      },
      {
        sid: 'OnlySweepScheduleSweepAndReplay',
        effect: 'Deny',
        actions: ['sqs:SendMessage'],
        resources: ['${aws_sqs_queue.sweep_failures.arn}'],
        principals: everyone,
        condition: [
          { test: 'ArnNotEquals', variable: 'aws:SourceArn', values: rule },
          {
            test: 'ArnNotEquals',
            variable: 'aws:PrincipalArn',
            values: ['${module.sweep.role_arn}', '${module.replay_dlq.role_arn}'],
          },
        ],
      },
    ]);
    expect(one('aws_sqs_queue_policy', 'sweep_failures').body.policy).toBe(
      '${data.aws_iam_policy_document.sweep_failures.json}',
    );
  });

  test('the sweep no longer inherits the refused-events grant on the DLQ', () => {
    expect(doc('sweep').source_policy_documents).toEqual(['${data.aws_iam_policy_document.settle_refunds.json}']);
    expect(
      effectiveGrants(config, instance('sweep')).filter((g) => g.resources.includes('${aws_sqs_queue.dlq.arn}')),
    ).toEqual([]);
  });
});

describe('perimeter: the money at rest (M5)', () => {
  const breakGlass = {
    for_each: '${length(local.break_glass_arns) > 0 ? [1] : []}',
    content: [{ test: 'ArnNotEquals', variable: 'aws:PrincipalArn', values: '${local.break_glass_arns}' }],
  };

  test('Ledger is append-only and Credits rows are never overwritten or removed, for everyone but break-glass', () => {
    const ledger = blocks(doc('ledger_table').statement);
    expect(ledger).toEqual([
      {
        sid: 'AppendOnlyLedger',
        effect: 'Deny',
        actions: ['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:PartiQL*'],
        resources: ['${module.tables.arns.ledger}'],
        principals: everyone,
        dynamic: { condition: [breakGlass] },
      },
    ]);
    const credits = blocks(doc('credits_table').statement);
    expect(credits).toEqual([
      {
        sid: 'BalancesOnlyByUpdate',
        effect: 'Deny',
        actions: [
          'dynamodb:PutItem',
          'dynamodb:DeleteItem',
          'dynamodb:BatchWriteItem',
          'dynamodb:PartiQLInsert',
          'dynamodb:PartiQLDelete',
        ],
        resources: ['${module.tables.arns.credits}'],
        principals: everyone,
        dynamic: { condition: [breakGlass] },
      },
    ]);
    // Empty = nobody exempt: the condition block disappears and the Deny is unconditional.
    expect(locals(config, '').break_glass_arns).toBe('${compact([var.break_glass_role_arn])}');
    expect(rootVar('break_glass_role_arn').default).toBe('');
    expect(text(rootVar('break_glass_role_arn').validation)).toContain('var.break_glass_role_arn == \\"\\"');
  });

  test('Settlements is written only by the debit, refund, sweep and reserve roles (and break-glass)', () => {
    expect(blocks(doc('settlements_table').statement)).toEqual([
      {
        sid: 'OnlyTheReconcilerWritesSettlements',
        effect: 'Deny',
        actions: [
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:BatchWriteItem',
          'dynamodb:PartiQLInsert',
          'dynamodb:PartiQLUpdate',
          'dynamodb:PartiQLDelete',
        ],
        resources: ['${module.tables.arns.settlements}'],
        principals: everyone,
        condition: [{ test: 'ArnNotEquals', variable: 'aws:PrincipalArn', values: '${local.settlements_writer_arns}' }],
      },
    ]);
    expect(locals(config, '').settlements_writer_arns).toBe(
      '${concat([module.debit.role_arn, module.refund.role_arn, module.sweep.role_arn, module.reserve.role_arn], local.break_glass_arns)}',
    );
    for (const t of ['ledger', 'credits', 'settlements']) {
      expect(one('aws_dynamodb_resource_policy', t).body).toEqual({
        resource_arn: `\${module.tables.arns.${t}}`,
        policy: `\${data.aws_iam_policy_document.${t}_table.json}`,
      });
    }
  });
});

describe('perimeter: drop points alarmed, a lost event recoverable (M6)', () => {
  const alarm = (name: string): Block => one('aws_cloudwatch_metric_alarm', name, 'modules/alerts').body;

  test('EventBridge dead-letter failures per rule, with the custom bus dimension where there is one', () => {
    const a = alarm('rule_dlq_send_failures');
    expect(a).toMatchObject({
      for_each: '${var.rules}',
      namespace: 'AWS/Events',
      metric_name: 'InvocationsFailedToBeSentToDlq',
      statistic: 'Sum',
      threshold: 1,
      treat_missing_data: 'notBreaching',
    });
    expect(a.dimensions).toBe(
      '${{ for name, value in { EventBusName = each.value.event_bus_name, RuleName = each.value.rule_name } : name => value if name == "RuleName" || value != "default" }}',
    );
    const rules = moduleCalls(config).find((c) => c.name === 'alerts')!.args.rules as Block;
    expect(rules).toEqual({
      video_rendered: {
        rule_name: '${aws_cloudwatch_event_rule.trigger["video_rendered"].name}',
        event_bus_name: '${local.event_bus_name}',
      },
      video_failed: {
        rule_name: '${aws_cloudwatch_event_rule.trigger["video_failed"].name}',
        event_bus_name: '${local.event_bus_name}',
      },
      sweep_schedule: {
        rule_name: '${aws_cloudwatch_event_rule.trigger["sweep_schedule"].name}',
        event_bus_name: 'default',
      },
    });
  });

  test('Lambda destination failures and dropped async events per function; messages held invisible for an hour; sweep-failures depth', () => {
    for (const [name, metric] of [
      ['function_destination_failures', 'DestinationDeliveryFailures'],
      ['function_async_events_dropped', 'AsyncEventsDropped'],
    ] as const) {
      expect(alarm(name)).toMatchObject({
        for_each: '${var.async_function_names}',
        namespace: 'AWS/Lambda',
        metric_name: metric,
        dimensions: { FunctionName: '${each.value}' },
        threshold: 1,
      });
    }
    expect(alarm('dlq_in_flight')).toMatchObject({
      metric_name: 'ApproximateNumberOfMessagesNotVisible',
      dimensions: { QueueName: '${var.dlq_name}' },
      statistic: 'Minimum',
      period: '${local.dlq_in_flight_period_seconds}',
      evaluation_periods: '${local.dlq_in_flight_periods}',
      datapoints_to_alarm: '${local.dlq_in_flight_periods}',
      threshold: 0,
      comparison_operator: 'GreaterThanThreshold',
    });
    const l = locals(config, 'modules/alerts');
    expect(Number(l.dlq_in_flight_period_seconds) * Number(l.dlq_in_flight_periods)).toBe(3600);
    expect(alarm('sweep_failures_depth')).toMatchObject({
      metric_name: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: '${var.sweep_failures_queue_name}' },
    });
    expect(moduleCalls(config).find((c) => c.name === 'alerts')!.args.sweep_failures_queue_name).toBe(
      '${aws_sqs_queue.sweep_failures.name}',
    );
  });

  test('sweep heartbeat: SweepRuns summed over 7 hours < 1, silence breaching, muted while paused', () => {
    expect(METRIC_NAMES).toContain('SweepRuns');
    expect(alarm('sweep_heartbeat')).toMatchObject({
      namespace: '${var.metric_namespace}',
      metric_name: 'SweepRuns',
      dimensions: { Workspace: '${var.workspace}' },
      statistic: 'Sum',
      period: '${var.sweep_heartbeat_hours * 3600}',
      evaluation_periods: 1,
      threshold: 1,
      comparison_operator: 'LessThanThreshold',
      treat_missing_data: 'breaching',
      actions_enabled: '${!var.sweep_heartbeat_muted}',
    });
    const call = moduleCalls(config).find((c) => c.name === 'alerts')!;
    expect(call.args.sweep_heartbeat_muted).toBe('${var.paused}');
    expect(rootVar('sweep_heartbeat_hours').default).toBe(7);
    // The plan refuses a heartbeat window shorter than a rate() schedule's interval; the same regex here.
    const rate = /"\^rate.*\$"/.exec(text(locals(config, '').sweep_rate_parts))![0];
    const regex = new RegExp(JSON.parse(rate) as string);
    const [, n, unit] = regex.exec(String(rootVar('sweep_schedule_expression').default))!;
    expect(Number(n) * { minute: 1, hour: 60, day: 1440 }[unit as 'minute' | 'hour' | 'day']).toBeLessThan(7 * 60);
    expect(regex.exec('rate(1 day)')?.slice(1)).toEqual(['1', 'day']);
    expect(regex.exec('cron(0 */6 * * ? *)')).toBeNull();
  });

  test('an archive of every video.generation event on the bus, 30 days (14 in dev)', () => {
    expect(one('aws_cloudwatch_event_archive', 'this').body).toMatchObject({
      name: '${local.names.event_archive}',
      event_source_arn: '${local.event_bus_arn}',
      retention_days: '${var.event_archive_retention_days}',
    });
    expect(text(one('aws_cloudwatch_event_archive', 'this').body.event_pattern)).toMatch(
      /source\s*=\s*\[local\.event_source\]/,
    );
    expect(rootVar('event_archive_retention_days').default).toBe(30);
    expect(config.tfvars.dev?.event_archive_retention_days).toBe(14);
    expect(config.tfvars.prod).not.toHaveProperty('event_archive_retention_days');
  });
});

describe('perimeter: who wrote (M8)', () => {
  test('CloudTrail data events of every write to the four tables, on in prod only', () => {
    const trail = one('aws_cloudtrail', 'data_events').body;
    expect(trail).toMatchObject({
      count: '${var.cloudtrail_data_events ? 1 : 0}',
      enable_log_file_validation: true,
      is_multi_region_trail: false,
      include_global_service_events: false,
    });
    const selector = first(trail.advanced_event_selector)!;
    expect(blocks(selector.field_selector)).toEqual([
      { field: 'eventCategory', equals: ['Data'] },
      { field: 'resources.type', equals: ['AWS::DynamoDB::Table'] },
      { field: 'readOnly', equals: ['false'] },
      { field: 'resources.ARN', equals: '${local.data_events_tables}' },
    ]);
    expect(locals(config, '').data_events_tables).toEqual(
      ['credits', 'ledger', 'settlements', 'jobs'].map((t) => `\${module.tables.arns.${t}}`),
    );
    expect(rootVar('cloudtrail_data_events').default).toBe(false);
    expect(config.tfvars.prod?.cloudtrail_data_events).toBe(true);
    for (const ws of ['dev', 'staging']) expect(config.tfvars[ws]).not.toHaveProperty('cloudtrail_data_events');
  });

  test('the bucket: private, versioned, SSE, written only by this trail over TLS, log files never deleted', () => {
    expect(one('aws_s3_bucket', 'data_events').body.bucket).toBe('${local.names.data_events_bucket}');
    expect(one('aws_s3_bucket_versioning', 'data_events').body.versioning_configuration).toEqual([
      { status: 'Enabled' },
    ]);
    expect(one('aws_s3_bucket_public_access_block', 'data_events').body).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(one('aws_s3_bucket_server_side_encryption_configuration', 'data_events').body.rule).toEqual([
      { apply_server_side_encryption_by_default: [{ sse_algorithm: 'AES256' }] },
    ]);
    const statements = blocks(doc('data_events_bucket').statement);
    expect(statements.map((st) => `${String(st.effect)} ${String(st.sid)}`)).toEqual([
      'Allow CloudTrailAclCheck',
      'Allow CloudTrailWrite',
      'Deny OnlyThisTrailWrites',
      'Deny KeepTheRecord',
      'Deny TlsOnly',
    ]);
    const sourceArn = { test: 'StringEquals', variable: 'aws:SourceArn', values: ['${local.data_events_trail_arn}'] };
    expect(statements[1]!.condition).toEqual([
      { test: 'StringEquals', variable: 's3:x-amz-acl', values: ['bucket-owner-full-control'] },
      sourceArn,
    ]);
    expect(statements[2]!.condition).toEqual([
      { test: 'ArnNotEquals', variable: 'aws:SourceArn', values: ['${local.data_events_trail_arn}'] },
    ]);
    expect(statements[3]!.actions).toEqual(['s3:DeleteObject', 's3:DeleteObjectVersion']);
    expect(statements[4]!.condition).toEqual([{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }]);
    expect(locals(config, '').data_events_trail_arn).toBe(
      'arn:${local.partition}:cloudtrail:${var.aws_region}:${local.account_id}:trail/${local.names.data_events_trail}',
    );
  });
});

describe('perimeter: deploy hygiene (L6, L8)', () => {
  test('the ops topic is encrypted with a rotated customer-managed key that CloudWatch and the sweep may use', () => {
    expect(one('aws_sns_topic', 'this', 'modules/alerts').body.kms_master_key_id).toBe('${aws_kms_key.topic.arn}');
    expect(one('aws_kms_key', 'topic', 'modules/alerts').body).toMatchObject({
      enable_key_rotation: true,
      policy: '${data.aws_iam_policy_document.topic_key.json}',
    });
    expect(one('aws_kms_alias', 'topic', 'modules/alerts').body.name).toBe('${var.kms_alias_name}');
    const statements = blocks(doc('topic_key', 'modules/alerts').statement);
    expect(statements.map((st) => st.sid)).toEqual([
      'AdministerThroughIam',
      'CloudWatchAlarmsPublish',
      'PublishersThroughSns',
    ]);
    expect(statements[0]!.actions).not.toContain('kms:Decrypt');
    expect(statements[1]).toMatchObject({
      actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      principals: [{ type: 'Service', identifiers: ['cloudwatch.amazonaws.com'] }],
    });
    expect(statements[2]).toMatchObject({
      actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      principals: [{ type: 'AWS', identifiers: '${var.topic_publisher_role_arns}' }],
    });
    expect(first(statements[2]!.condition)).toEqual({
      test: 'StringEquals',
      variable: 'kms:ViaService',
      values: ['sns.${var.aws_region}.amazonaws.com'],
    });
    expect(moduleCalls(config).find((c) => c.name === 'alerts')!.args.topic_publisher_role_arns).toBe(
      '${concat([module.sweep.role_arn], local.break_glass_arns)}',
    );
    expect(readFileSync(path.join(TERRAFORM_DIR, 'modules/alerts/main.tf'), 'utf8')).not.toMatch(
      /unencrypted on purpose|Not KMS-encrypted/i,
    );
  });

  test('prod refuses to plan without an account guard, a subscriber and a producer; dev and staging do not', () => {
    const guard = one('terraform_data', 'prod_guard').body;
    const preconditions = blocks(first(guard.lifecycle)?.precondition);
    const settings = preconditions.map(
      (p) => /^\$\{local\.workspace != "prod" \|\| length\(var\.(\w+)\) > 0\}$/.exec(text(p.condition))?.[1],
    );
    expect(settings).toEqual([...PROD_REQUIRED]);
    // The guard evaluated for each committed settings file: a setting is missing when the file and
    // the variable's default leave it empty.
    const blocked = (ws: string, tfvars: Block): string[] =>
      ws !== 'prod'
        ? []
        : PROD_REQUIRED.filter((name) => ((tfvars[name] ?? rootVar(name).default) as Json[]).length === 0);
    expect(blocked('dev', config.tfvars.dev!)).toEqual([]);
    expect(blocked('staging', config.tfvars.staging!)).toEqual([]);
    // Committed prod is refused, on purpose, until an operator fills in real values.
    expect(blocked('prod', config.tfvars.prod!)).toEqual([...PROD_REQUIRED]);
    const filled = {
      ...config.tfvars.prod,
      allowed_account_ids: ['123456789012'],
      alarm_email_subscriptions: ['oncall@example.com'],
      producer_principal_arns: ['arn:aws:iam::123456789012:role/video-pipeline'],
    };
    expect(blocked('prod', filled)).toEqual([]);
    for (const p of preconditions) expect(text(p.error_message)).toContain('workspaces/prod.tfvars');
  });

  test('.terraform.lock.hcl is not ignored: the first terraform init creates it, and it is committed', () => {
    const ignored = (file: string): boolean => {
      try {
        execFileSync('git', ['check-ignore', '--no-index', '-q', file], { cwd: REPO_ROOT, stdio: 'ignore' });
        return true;
      } catch (error) {
        const status = (error as { status?: number }).status;
        if (status === 1) return false;
        throw error;
      }
    };
    expect(ignored('terraform/.terraform.lock.hcl')).toBe(false);
    expect(ignored('terraform/.terraform/providers/x')).toBe(true);
    expect(readFileSync(path.join(TERRAFORM_DIR, 'README.md'), 'utf8')).toMatch(/\.terraform\.lock\.hcl[\s\S]*commit/);
  });
});

describe('READMEs of terraform/ list exactly the inputs (with type and default) and outputs', () => {
  const section = (file: string, heading: string): string =>
    new RegExp(`^## ${heading}\\n([\\s\\S]*?)(?=^## |(?![\\s\\S]))`, 'm').exec(
      readFileSync(path.join(TERRAFORM_DIR, file), 'utf8'),
    )?.[1] ?? '';
  const cells = (row: string): string[] =>
    row
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
  const unticked = (cell: string | undefined): string => (cell ?? '').replace(/^`|`$/g, '');
  /** A type as written, without ${…}, spaces and commas: `map(object({ a = string }))` → `map(object({a=string}))`. */
  const normalType = (t: string): string => t.replace(/^\$\{|\}$/g, '').replace(/[\s,]/g, '');
  /** A default as HCL writes it: "x" for strings, [] {} true 30 as they are. */
  const hclLiteral = (v: Json | undefined): string => (v === undefined ? '' : JSON.stringify(v));

  test.each([
    ['README.md', ''],
    ['modules/tables/README.md', 'modules/tables'],
    ['modules/function/README.md', 'modules/function'],
    ['modules/alerts/README.md', 'modules/alerts'],
  ])('%s', (file, dir) => {
    const rows = section(file, 'Inputs')
      .split('\n')
      .filter((l) => l.startsWith('| `'))
      .map(cells);
    const vars = variables(config, dir);
    expect(rows.map((r) => unticked(r[0])).sort()).toEqual(Object.keys(vars).sort());
    for (const [name, type, byDefault] of rows) {
      const v = vars[unticked(name)]!;
      expect({ name, type: normalType(unticked(type)) }).toEqual({ name, type: normalType(text(v.type)) });
      expect({ name, default: unticked(byDefault) }).toEqual({ name, default: hclLiteral(v.default) });
    }
    const outs = section(file, 'Outputs');
    const outRows = outs.split('\n').filter((l) => l.startsWith('| `'));
    const listed =
      outRows.length > 0
        ? outRows.map((l) => unticked(cells(l)[0]))
        : [...outs.matchAll(/`([\w-]+)`/g)].map((m) => m[1]!);
    expect([...new Set(listed)].sort()).toEqual(Object.keys(outputs(config, dir)).sort());
  });
});
