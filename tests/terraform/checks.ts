/**
 * Structure checks of the Terraform configuration. Each checker returns a list of problems (empty
 * = fine) instead of asserting, so that one test runs them on terraform/ and expects none, and
 * another runs them on a deliberately broken fixture and expects each to find something: a checker
 * that cannot fail proves nothing.
 *
 * There is no terraform binary here; these checks read the parsed HCL and follow references
 * (var.*, local.*, module.*, resource and data addresses) far enough to prove the properties the
 * design relies on. That every argument, block and reference is valid at all is schema-check.ts's
 * job (against the provider schema). The perimeter (who may publish, write to the queues and the
 * tables, which drop points are alarmed, the audit trail, the prod guard) is perimeter-checks.ts.
 */
import { SYNCHRONOUS_HANDLERS } from '../../shared/config';
import {
  blocks,
  dataSources,
  first,
  isObject,
  locals,
  outputs,
  resources,
  text,
  variables,
  type Json,
  type ResourceRef,
  type TerraformConfig,
} from './hcl';
import {
  actionsOf,
  at,
  callsTo,
  effectiveGrants,
  functionInstances,
  isEveryone,
  policyDocument,
  statementsOf,
  varRefs,
  type Problems,
} from './model';
import { resourceInstances } from './instances';
import { perimeterCheckers, type PerimeterExpectations } from './perimeter-checks';

export { effectiveGrants, functionInstances, type FunctionInstance, type Grant } from './model';

/** Does the expression refer to the workspace (directly, or through the names in locals)? */
export function mentionsWorkspace(value: Json | undefined): boolean {
  return /terraform\.workspace|local\.workspace\b|local\.names\./.test(text(value));
}

// ---------------------------------------------------------------------------------------------
// EventBridge targets: retry policy + DLQ, and they invoke the alias
// ---------------------------------------------------------------------------------------------
export function checkEventTargets(config: TerraformConfig): Problems {
  const problems: Problems = [];
  const targets = resourceInstances(config, 'aws_cloudwatch_event_target');
  if (targets.length === 0) problems.push('no aws_cloudwatch_event_target at all');
  for (const t of targets) {
    const retry = first(t.body.retry_policy);
    if (!retry) problems.push(`${at(t)} has no retry_policy`);
    else {
      if (retry.maximum_retry_attempts === undefined)
        problems.push(`${at(t)} retry_policy has no maximum_retry_attempts`);
      if (retry.maximum_event_age_in_seconds === undefined)
        problems.push(`${at(t)} retry_policy has no maximum_event_age_in_seconds`);
    }
    const dlq = first(t.body.dead_letter_config);
    if (!dlq || !dlq.arn) problems.push(`${at(t)} has no dead_letter_config.arn`);
    if (!/alias_arn|aws_lambda_alias\./.test(text(t.body.arn)))
      problems.push(`${at(t)} does not invoke a Lambda alias (arn = ${text(t.body.arn)})`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Functions: async invoke config with on-failure destination, log group, own role, alias
// ---------------------------------------------------------------------------------------------
export function checkFunctions(config: TerraformConfig): Problems {
  const problems: Problems = [];
  const functions = resources(config, 'aws_lambda_function');
  if (functions.length === 0) problems.push('no aws_lambda_function at all');
  for (const fn of functions) {
    const inDir = (type: string): ResourceRef[] => resources(config, type).filter((r) => r.dir === fn.dir);
    const self = `aws_lambda_function.${fn.name}.`;

    if (fn.body.publish !== true) problems.push(`${at(fn)} does not set publish = true (no versions to roll back to)`);

    const alias = inDir('aws_lambda_alias').find((a) => text(a.body.function_name).includes(self));
    if (!alias) problems.push(`${at(fn)} has no aws_lambda_alias`);
    else if (!text(alias.body.function_version).includes(`${self}version`))
      problems.push(`${at(alias)} does not point at ${self}version`);

    const invoke = inDir('aws_lambda_function_event_invoke_config').find((c) =>
      text(c.body.function_name).includes(self),
    );
    if (!invoke) problems.push(`${at(fn)} has no aws_lambda_function_event_invoke_config`);
    else {
      const destination = first(first(invoke.body.destination_config)?.on_failure)?.destination;
      if (!destination) problems.push(`${at(invoke)} has no destination_config.on_failure.destination`);
      else if (fn.dir !== '') {
        // Module: every caller must pass the variable that feeds the destination.
        for (const v of varRefs(destination)) {
          for (const call of callsTo(config, fn.dir)) {
            // A function its callers wait for (RequestResponse) has no asynchronous path to protect.
            const synchronous = (SYNCHRONOUS_HANDLERS as readonly string[]).includes(String(call.args.handler_name));
            if (!call.args[v] && !synchronous)
              problems.push(`module.${call.name} does not pass ${v} (on-failure destination)`);
            if (call.args[v] && synchronous)
              problems.push(`module.${call.name} is invoked only synchronously but passes ${v}`);
          }
        }
      }
      if (!/aws_lambda_alias\./.test(text(invoke.body.qualifier)))
        problems.push(`${at(invoke)} is not on the alias (qualifier = ${text(invoke.body.qualifier)})`);
      if (invoke.body.maximum_retry_attempts === undefined || invoke.body.maximum_event_age_in_seconds === undefined) {
        problems.push(`${at(invoke)} must set maximum_retry_attempts and maximum_event_age_in_seconds`);
      }
    }

    const fnName = text(fn.body.function_name);
    const logGroup = inDir('aws_cloudwatch_log_group').find((g) => text(g.body.name) === `/aws/lambda/${fnName}`);
    if (!logGroup) problems.push(`${at(fn)} has no aws_cloudwatch_log_group named /aws/lambda/${fnName}`);
    else {
      if (logGroup.body.retention_in_days === undefined) problems.push(`${at(logGroup)} has no retention_in_days`);
      if (!text(fn.body.depends_on).includes(`aws_cloudwatch_log_group.${logGroup.name}`))
        problems.push(`${at(fn)} does not depend_on its log group (Lambda would create it without retention)`);
    }

    const roleMatch = /aws_iam_role\.([\w-]+)\.arn/.exec(text(fn.body.role));
    const role = roleMatch ? inDir('aws_iam_role').find((r) => r.name === roleMatch[1]) : undefined;
    if (!role) problems.push(`${at(fn)} does not use a role defined next to it (role = ${text(fn.body.role)})`);
    else {
      const sharing = functions.filter(
        (f) => f.dir === fn.dir && text(f.body.role).includes(`aws_iam_role.${role.name}.`),
      );
      if (sharing.length > 1)
        problems.push(`${at(fn)} shares role ${role.name} with ${sharing.length - 1} other function(s)`);
    }
  }
  // Module instances must not collide: each call names its own function (and so its own role).
  for (const dir of new Set(functions.filter((f) => f.dir !== '').map((f) => f.dir))) {
    const names = callsTo(config, dir).map((c) => text(c.args.function_name));
    const dupes = names.filter((n, i) => names.indexOf(n) !== i);
    if (dupes.length > 0)
      problems.push(`module ${dir} is called twice with the same function_name ${dupes.join(', ')}`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Alarms: alarm and OK actions to the SNS topic
// ---------------------------------------------------------------------------------------------
export function checkAlarms(config: TerraformConfig): Problems {
  const problems: Problems = [];
  const alarms = resources(config, 'aws_cloudwatch_metric_alarm');
  if (alarms.length === 0) problems.push('no aws_cloudwatch_metric_alarm at all');
  const topic = /aws_sns_topic\.[\w-]+\.arn|topic_arn/;
  for (const alarm of alarms) {
    for (const key of ['alarm_actions', 'ok_actions']) {
      const actions = alarm.body[key];
      if (!Array.isArray(actions) || actions.length === 0) problems.push(`${at(alarm)} has no ${key}`);
      else if (!actions.every((a) => topic.test(text(a))))
        problems.push(`${at(alarm)} ${key} do not all reference the SNS topic: ${text(actions)}`);
    }
    // A heartbeat (LessThan…) fails by going quiet, so there missing data must count as breaching;
    // every other alarm counts occurrences, and no data means none happened.
    const heartbeat = /^LessThan/.test(text(alarm.body.comparison_operator));
    const wanted = heartbeat ? 'breaching' : 'notBreaching';
    if (alarm.body.treat_missing_data !== wanted)
      problems.push(
        `${at(alarm)} should set treat_missing_data = "${wanted}"${heartbeat ? ' (a heartbeat: no data is the failure)' : ''}`,
      );
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// DynamoDB: PITR, SSE, on-demand, deletion protection wired
// ---------------------------------------------------------------------------------------------
export function checkTables(config: TerraformConfig): Problems {
  const problems: Problems = [];
  const tables = resources(config, 'aws_dynamodb_table');
  if (tables.length === 0) problems.push('no aws_dynamodb_table at all');
  for (const t of tables) {
    if (first(t.body.point_in_time_recovery)?.enabled !== true)
      problems.push(`${at(t)} does not enable point_in_time_recovery`);
    if (first(t.body.server_side_encryption)?.enabled !== true)
      problems.push(`${at(t)} does not enable server_side_encryption`);
    if (t.body.billing_mode !== 'PAY_PER_REQUEST') problems.push(`${at(t)} billing_mode is not PAY_PER_REQUEST`);
    if (t.body.deletion_protection_enabled === undefined)
      problems.push(`${at(t)} does not set deletion_protection_enabled`);
  }
  return problems;
}

interface TableDefinitionLike {
  AttributeDefinitions?: { AttributeName?: string; AttributeType?: string }[];
  KeySchema?: { AttributeName?: string; KeyType?: string }[];
  GlobalSecondaryIndexes?: {
    IndexName?: string;
    KeySchema?: { AttributeName?: string; KeyType?: string }[];
    Projection?: { ProjectionType?: string; NonKeyAttributes?: string[] };
  }[];
  LocalSecondaryIndexes?: unknown[];
}

const keyOf = (
  schema: { AttributeName?: string; KeyType?: string }[] | undefined,
  type: 'HASH' | 'RANGE',
): string | undefined => schema?.find((k) => k.KeyType === type)?.AttributeName;

/**
 * Terraform tables are matched to definitions by resource label (aws_dynamodb_table.credits ↔ credits).
 * A GSI's keys are its key_schema blocks, in order (the provider's 6.29+ form, as in the API).
 */
export function checkTableSchemas(config: TerraformConfig, definitions: Record<string, TableDefinitionLike>): Problems {
  const problems: Problems = [];
  const tables = resources(config, 'aws_dynamodb_table');
  for (const t of tables) {
    if (!(t.name in definitions))
      problems.push(
        `${at(t)} has no definition in shared/tables.ts (labels must be ${Object.keys(definitions).join(', ')})`,
      );
  }
  for (const [key, def] of Object.entries(definitions)) {
    const matches = tables.filter((t) => t.name === key);
    if (matches.length !== 1) {
      problems.push(`table ${key}: expected exactly one aws_dynamodb_table.${key}, found ${matches.length}`);
      continue;
    }
    const t = matches[0]!;
    const body = t.body;
    if (body.hash_key !== keyOf(def.KeySchema, 'HASH'))
      problems.push(`${at(t)} hash_key ${text(body.hash_key)} != ${keyOf(def.KeySchema, 'HASH')}`);
    if ((body.range_key ?? undefined) !== keyOf(def.KeySchema, 'RANGE'))
      problems.push(`${at(t)} range_key ${text(body.range_key)} != ${keyOf(def.KeySchema, 'RANGE')}`);

    const tfAttrs = blocks(body.attribute)
      .map((a) => `${text(a.name)}:${text(a.type)}`)
      .sort();
    const defAttrs = (def.AttributeDefinitions ?? []).map((a) => `${a.AttributeName}:${a.AttributeType}`).sort();
    if (tfAttrs.join(',') !== defAttrs.join(','))
      problems.push(`${at(t)} attributes [${tfAttrs}] != shared/tables.ts [${defAttrs}]`);

    const tfIndexes = blocks(body.global_secondary_index);
    const defIndexes = def.GlobalSecondaryIndexes ?? [];
    const tfNames = tfIndexes.map((i) => text(i.name)).sort();
    const defNames = defIndexes.map((i) => i.IndexName ?? '').sort();
    if (tfNames.join(',') !== defNames.join(','))
      problems.push(`${at(t)} GSIs [${tfNames}] != shared/tables.ts [${defNames}]`);
    for (const di of defIndexes) {
      const ti = tfIndexes.find((i) => i.name === di.IndexName);
      if (!ti) continue;
      const label = `${at(t)} GSI ${di.IndexName}`;
      const tfKeys = blocks(ti.key_schema)
        .map((k) => `${text(k.attribute_name)}:${text(k.key_type)}`)
        .join(',');
      const defKeys = (di.KeySchema ?? []).map((k) => `${k.AttributeName}:${k.KeyType}`).join(',');
      if (tfKeys !== defKeys) problems.push(`${label} key_schema [${tfKeys}] != shared/tables.ts [${defKeys}]`);
      if (ti.projection_type !== di.Projection?.ProjectionType)
        problems.push(`${label} projection_type ${text(ti.projection_type)} != ${di.Projection?.ProjectionType}`);
      const tfNonKey = (Array.isArray(ti.non_key_attributes) ? ti.non_key_attributes.map(text) : []).sort().join(',');
      const defNonKey = [...(di.Projection?.NonKeyAttributes ?? [])].sort().join(',');
      if (tfNonKey !== defNonKey) problems.push(`${label} non_key_attributes [${tfNonKey}] != [${defNonKey}]`);
    }
    const lsis = blocks(body.local_secondary_index).length;
    if (lsis !== (def.LocalSecondaryIndexes?.length ?? 0))
      problems.push(`${at(t)} local secondary indexes differ from shared/tables.ts`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// IAM: no wildcards, documents only, no managed policies
// ---------------------------------------------------------------------------------------------
const POLICY_ATTRIBUTES: Record<string, string> = {
  aws_iam_role_policy: 'policy',
  aws_iam_policy: 'policy',
  aws_iam_role: 'assume_role_policy',
  aws_sqs_queue_policy: 'policy',
  aws_sns_topic_policy: 'policy',
  aws_cloudwatch_event_bus_policy: 'policy',
  aws_dynamodb_resource_policy: 'policy',
  aws_s3_bucket_policy: 'policy',
  aws_kms_key: 'policy',
};

/**
 * In a KMS key policy the resource "*" means the key itself (no other form is valid), and
 * kms:GenerateDataKey* is the grant AWS documents for publishers to an encrypted SNS topic: the two
 * wildcards allowed there, and only there.
 */
const KEY_POLICY_WILDCARD_ACTIONS = new Set(['kms:GenerateDataKey*']);

export function checkIam(config: TerraformConfig): Problems {
  const problems: Problems = [];
  const docKey = (d: ResourceRef | undefined): string => (d ? `${d.dir}:${d.name}` : '');
  const keyPolicies = new Set(
    resources(config, 'aws_kms_key').map((k) => docKey(policyDocument(config, k.dir, k.body.policy))),
  );
  for (const doc of dataSources(config, 'aws_iam_policy_document')) {
    const keyPolicy = keyPolicies.has(docKey(doc));
    for (const [i, { body: st }] of statementsOf(doc).entries()) {
      const label = `${at(doc)} statement ${text(st.sid ?? i)}`;
      if (st.not_actions !== undefined || st.not_resources !== undefined)
        problems.push(`${label} uses not_actions/not_resources`);
      if (st.effect === 'Deny') continue;
      if (isEveryone(st)) problems.push(`${label} allows every principal ("*")`);
      const actions = actionsOf(st);
      if (actions.length === 0) problems.push(`${label} has no explicit actions`);
      for (const a of actions)
        if (a.includes('*') && !(keyPolicy && KEY_POLICY_WILDCARD_ACTIONS.has(a)))
          problems.push(`${label} grants wildcard action ${a}`);
      const res = Array.isArray(st.resources) ? st.resources.map(text) : [];
      for (const r of res) {
        if (keyPolicy && r === '*') continue;
        if (r === '*' || /^arn:[^:]*:[^:]*:[^:]*:[^:]*:\*$/.test(r))
          problems.push(`${label} grants wildcard resource ${r}`);
      }
      if (st.resources !== undefined && res.length === 0) problems.push(`${label} has an empty resources list`);
    }
  }
  for (const [type, attribute] of Object.entries(POLICY_ATTRIBUTES)) {
    for (const r of resources(config, type)) {
      const policy = text(r.body[attribute]);
      if (!policyDocument(config, r.dir, r.body[attribute])) {
        problems.push(`${at(r)} ${attribute} is not an aws_iam_policy_document (${policy.slice(0, 60)})`);
      }
    }
  }
  for (const r of resources(config, 'aws_iam_role_policy_attachment'))
    problems.push(`${at(r)} attaches a managed policy (write an explicit policy document)`);
  for (const r of resources(config, 'aws_iam_role')) {
    if (r.body.managed_policy_arns !== undefined) problems.push(`${at(r)} uses managed_policy_arns`);
    if (r.body.inline_policy !== undefined) problems.push(`${at(r)} uses inline_policy`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Names include the workspace
// ---------------------------------------------------------------------------------------------
export const NAME_ATTRIBUTES: Record<string, string> = {
  aws_dynamodb_table: 'name',
  aws_lambda_function: 'function_name',
  aws_iam_role: 'name',
  aws_iam_role_policy: 'name',
  aws_iam_policy: 'name',
  aws_cloudwatch_log_group: 'name',
  aws_sqs_queue: 'name',
  aws_sns_topic: 'name',
  aws_cloudwatch_event_rule: 'name',
  aws_cloudwatch_event_bus: 'name',
  aws_cloudwatch_event_archive: 'name',
  aws_cloudwatch_metric_alarm: 'alarm_name',
  aws_cloudwatch_dashboard: 'dashboard_name',
  aws_cloudtrail: 'name',
  aws_s3_bucket: 'bucket',
  aws_kms_alias: 'name',
};

export function checkNames(config: TerraformConfig): Problems {
  const problems: Problems = [];
  const rootLocals = locals(config, '');
  if (rootLocals.workspace !== undefined && rootLocals.workspace !== '${terraform.workspace}') {
    problems.push(`local.workspace must be terraform.workspace, is ${text(rootLocals.workspace)}`);
  }
  const leaves = (value: Json | undefined, pathSoFar: string): void => {
    if (isObject(value)) for (const [k, v] of Object.entries(value)) leaves(v, `${pathSoFar}.${k}`);
    else if (!mentionsWorkspace(value) || text(value).includes('local.names.'))
      problems.push(`${pathSoFar} = ${text(value)} does not include the workspace`);
  };
  if (rootLocals.names !== undefined) leaves(rootLocals.names, 'local.names');

  for (const [type, attribute] of Object.entries(NAME_ATTRIBUTES)) {
    for (const r of resourceInstances(config, type)) {
      const value = r.body[attribute];
      if (value === undefined) {
        problems.push(`${at(r)} has no explicit ${attribute} (generated names cannot carry the workspace)`);
        continue;
      }
      if (r.dir === '') {
        if (!mentionsWorkspace(value))
          problems.push(`${at(r)} ${attribute} = ${text(value)} does not include the workspace`);
        continue;
      }
      if (mentionsWorkspace(value)) continue;
      const vars = varRefs(value);
      const calls = callsTo(config, r.dir);
      if (vars.length === 0)
        problems.push(`${at(r)} ${attribute} = ${text(value)} does not come from the workspace or a module input`);
      for (const call of calls) {
        if (!vars.some((v) => mentionsWorkspace(call.args[v]))) {
          problems.push(
            `${at(r)} ${attribute} = ${text(value)}: module.${call.name} passes ${vars.map((v) => `${v} = ${text(call.args[v])}`).join(', ')} without the workspace`,
          );
        }
      }
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Function environments
// ---------------------------------------------------------------------------------------------
/** Each function sets exactly what its handler reads (`handlerEnv`) plus what Node reads (`runtimeEnv`). */
export function checkEnvironment(
  config: TerraformConfig,
  handlerEnv: Record<string, readonly string[]>,
  runtimeEnv: readonly string[] = [],
): Problems {
  const problems: Problems = [];
  for (const fn of functionInstances(config, Object.keys(handlerEnv))) {
    if (!fn.handler || !(fn.handler in handlerEnv)) {
      problems.push(`${fn.address}: cannot tell which handler it runs`);
      continue;
    }
    if (!fn.env) {
      problems.push(`${fn.address}: environment is not a literal map (cannot prove what ${fn.handler} gets)`);
      continue;
    }
    const wanted = new Set([...handlerEnv[fn.handler]!, ...runtimeEnv]);
    const got = new Set(Object.keys(fn.env));
    const missing = [...wanted].filter((k) => !got.has(k));
    const extra = [...got].filter((k) => !wanted.has(k));
    if (missing.length > 0) problems.push(`${fn.address} (${fn.handler}) is missing ${missing.join(', ')}`);
    if (extra.length > 0)
      problems.push(`${fn.address} (${fn.handler}) sets variables it does not read: ${extra.join(', ')}`);
    if ('WORKSPACE' in fn.env && !/^\$\{(terraform\.workspace|local\.workspace)\}$/.test(text(fn.env.WORKSPACE))) {
      problems.push(`${fn.address} WORKSPACE = ${text(fn.env.WORKSPACE)} is not terraform.workspace`);
    }
  }
  return problems;
}

export function checkHandlersCovered(config: TerraformConfig, handlers: readonly string[]): Problems {
  const problems: Problems = [];
  const instances = functionInstances(config, handlers);
  for (const h of handlers) {
    const n = instances.filter((i) => i.handler === h).length;
    if (n !== 1) problems.push(`handler ${h}: expected exactly one function in Terraform, found ${n}`);
  }
  for (const i of instances) if (i.handler === undefined) problems.push(`${i.address} runs no known handler`);
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Workspaces: settings per workspace, unknown workspaces rejected at plan
// ---------------------------------------------------------------------------------------------
export function checkWorkspaces(config: TerraformConfig, expected: readonly string[]): Problems {
  const problems: Problems = [];
  const rootVars = variables(config, '');
  for (const ws of expected) {
    const settings = config.tfvars[ws];
    if (!settings) {
      problems.push(`no settings file workspaces/${ws}.tfvars`);
      continue;
    }
    for (const key of Object.keys(settings))
      if (!(key in rootVars)) problems.push(`workspaces/${ws}.tfvars sets undeclared variable ${key}`);
    if (settings.expected_workspace !== ws)
      problems.push(`workspaces/${ws}.tfvars must set expected_workspace = "${ws}"`);
  }
  for (const name of Object.keys(config.tfvars))
    if (!expected.includes(name)) problems.push(`unexpected settings file workspaces/${name}.tfvars`);

  const known = locals(config, '').known_workspaces;
  const knownList = Array.isArray(known) ? known.map(text).sort() : [];
  if (knownList.join(',') !== [...expected].sort().join(','))
    problems.push(`local.known_workspaces must be [${expected.join(', ')}], is ${text(known)}`);

  // Preconditions fail the plan; `check` blocks only warn, so they do not count as a guard.
  const conditions = [...resources(config), ...dataSources(config)]
    .filter((r) => r.dir === '')
    .flatMap((r) => blocks(first(r.body.lifecycle)?.precondition))
    .map((p) => text(p.condition));
  const workspaceExpr = /(terraform\.workspace|local\.workspace)\b/;
  if (!conditions.some((c) => /contains\(local\.known_workspaces,/.test(c) && workspaceExpr.test(c))) {
    problems.push('no lifecycle precondition rejects workspaces outside local.known_workspaces');
  }
  if (
    'expected_workspace' in rootVars &&
    !conditions.some((c) => c.includes('var.expected_workspace') && workspaceExpr.test(c))
  ) {
    problems.push('no lifecycle precondition compares var.expected_workspace with the selected workspace');
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Variables and outputs are documented; inputs are validated
// ---------------------------------------------------------------------------------------------
export function checkVariables(config: TerraformConfig): Problems {
  const problems: Problems = [];
  for (const dir of Object.keys(config.modules)) {
    for (const [name, v] of Object.entries(variables(config, dir))) {
      const label = `${dir || '.'}: var.${name}`;
      if (typeof v.description !== 'string' || v.description.length < 10) problems.push(`${label} has no description`);
      if (v.type === undefined) problems.push(`${label} has no type`);
      if (v.type !== '${bool}' && blocks(v.validation).length === 0) problems.push(`${label} has no validation`);
    }
    for (const [name, o] of Object.entries(outputs(config, dir))) {
      if (typeof o.description !== 'string' || o.description.length === 0)
        problems.push(`${dir || '.'}: output.${name} has no description`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Versions: the AWS provider floor is the schema fixture's version; only the root caps it
// ---------------------------------------------------------------------------------------------
interface ConstraintPart {
  op: string;
  version: string;
}

/** `>= 6.45.0, < 7.0.0` → [{ op: '>=', version: '6.45.0' }, { op: '<', version: '7.0.0' }]. */
function constraintParts(constraint: string): ConstraintPart[] {
  return constraint
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .map((p) => {
      const m = /^(>=|<=|>|<|~>|!=|=)?\s*(\S+)$/.exec(p);
      return { op: m?.[1] ?? '=', version: m?.[2] ?? p };
    });
}

function checkAwsConstraint(label: string, isRoot: boolean, constraint: string, awsProviderVersion: string): Problems {
  const problems: Problems = [];
  const parts = constraintParts(constraint);
  const floors = parts.filter((p) => p.op === '>=');
  const others = parts.filter((p) => p.op !== '>=');
  if (floors.length !== 1 || floors[0]!.version !== awsProviderVersion) {
    problems.push(
      `${label}: aws provider floor must be >= ${awsProviderVersion}, the version of the schema fixture (is ${constraint || 'unpinned'})`,
    );
  }
  const nextMajor = `${Number(awsProviderVersion.split('.')[0]) + 1}.0.0`;
  if (isRoot && (others.length !== 1 || others[0]!.op !== '<' || others[0]!.version !== nextMajor)) {
    problems.push(
      `${label}: aws provider must be capped once, here, at < ${nextMajor} (is ${constraint || 'unpinned'})`,
    );
  }
  if (!isRoot && others.length > 0)
    problems.push(`${label}: a module states only its aws provider floor; the root caps it (is ${constraint})`);
  return problems;
}

export function checkVersions(config: TerraformConfig, awsProviderVersion: string): Problems {
  const problems: Problems = [];
  for (const mod of Object.values(config.modules)) {
    const label = mod.dir || '.';
    if (!mod.files.some((f) => f.endsWith('versions.tf'))) problems.push(`${label} has no versions.tf`);
    const tf = blocks(mod.json.terraform);
    const requiredVersion = tf.map((b) => text(b.required_version)).find((v) => v !== 'null');
    if (!requiredVersion || !/>=\s*1\.(6|[7-9]|\d\d)/.test(requiredVersion))
      problems.push(`${label}: required_version must be >= 1.6 (is ${requiredVersion})`);
    const aws = tf
      .flatMap((b) => blocks(b.required_providers))
      .map((p) => p.aws)
      .find((a) => a !== undefined);
    problems.push(
      ...checkAwsConstraint(label, mod.dir === '', isObject(aws) ? text(aws.version) : '', awsProviderVersion),
    );
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// DLQ drain: event source mapping reports partial failures and invokes the alias
// ---------------------------------------------------------------------------------------------
export function checkEventSourceMappings(config: TerraformConfig): Problems {
  const problems: Problems = [];
  const mappings = resources(config, 'aws_lambda_event_source_mapping');
  if (mappings.length === 0) problems.push('no aws_lambda_event_source_mapping (DLQ drain) at all');
  for (const m of mappings) {
    const types = Array.isArray(m.body.function_response_types) ? m.body.function_response_types.map(text) : [];
    if (!types.includes('ReportBatchItemFailures'))
      problems.push(`${at(m)} does not report batch item failures (a failed message would be deleted with its batch)`);
    if (!/alias_arn|aws_lambda_alias\./.test(text(m.body.function_name)))
      problems.push(`${at(m)} does not invoke a Lambda alias`);
    if (m.body.enabled === undefined) problems.push(`${at(m)} does not set enabled explicitly`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Effective permissions per handler (model.ts follows role -> role policy -> documents)
// ---------------------------------------------------------------------------------------------
/** Exactly these actions per handler, no more, no fewer (least privilege both ways). */
export function checkHandlerPermissions(
  config: TerraformConfig,
  expected: Record<string, readonly string[]>,
): Problems {
  const problems: Problems = [];
  const instances = functionInstances(config, Object.keys(expected));
  for (const [handler, actions] of Object.entries(expected)) {
    const fn = instances.find((i) => i.handler === handler);
    if (!fn) {
      problems.push(`handler ${handler}: no function to check permissions of`);
      continue;
    }
    const granted = new Set(effectiveGrants(config, fn).map((g) => g.action));
    const missing = actions.filter((a) => !granted.has(a));
    const extra = [...granted].filter((a) => !actions.includes(a));
    if (missing.length > 0) problems.push(`${fn.address} (${handler}) lacks ${missing.join(', ')}`);
    if (extra.length > 0) problems.push(`${fn.address} (${handler}) is also granted ${extra.join(', ')}`);
  }
  return problems;
}

/** Every checker that takes only the configuration and the shared definitions. */
export interface Expectations extends PerimeterExpectations {
  handlers: readonly string[];
  handlerEnv: Record<string, readonly string[]>;
  /** Variables every function gets for Node itself (shared/config.ts RUNTIME_ENV). */
  runtimeEnv: readonly string[];
  tableDefinitions: Record<string, TableDefinitionLike>;
  workspaces: readonly string[];
  handlerActions: Record<string, readonly string[]>;
  /** hashicorp/aws version of the schema fixture (tests/terraform/schema). */
  awsProviderVersion: string;
}

export function allCheckers(expect: Expectations): Record<string, (config: TerraformConfig) => Problems> {
  return {
    eventTargets: checkEventTargets,
    functions: checkFunctions,
    alarms: checkAlarms,
    tables: checkTables,
    tableSchemas: (c) => checkTableSchemas(c, expect.tableDefinitions),
    iam: checkIam,
    names: checkNames,
    environment: (c) => checkEnvironment(c, expect.handlerEnv, expect.runtimeEnv),
    handlersCovered: (c) => checkHandlersCovered(c, expect.handlers),
    workspaces: (c) => checkWorkspaces(c, expect.workspaces),
    variables: checkVariables,
    versions: (c) => checkVersions(c, expect.awsProviderVersion),
    eventSourceMappings: checkEventSourceMappings,
    handlerPermissions: (c) => checkHandlerPermissions(c, expect.handlerActions),
    ...perimeterCheckers(expect),
  };
}
