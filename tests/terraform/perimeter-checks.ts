/**
 * The perimeter, checked on the parsed HCL (checks.ts has the general structure checks; both kinds
 * return problems, and checkers.test.ts proves each able to fail on fixtures/broken):
 *
 * - who may publish: a bus policy that denies video.generation to all but the listed publishers
 *   (every role this configuration lets put events among them), rules pinned to an account, the
 *   publishers' own grants conditioned on source and detail-type (H1);
 * - who may write to each queue: a Deny for all but the rules that dead-letter there and the roles
 *   that send there, and schedule or sweep failures never in the money DLQ (H2, L8);
 * - what may be done to the money at rest: table resource policies (M5);
 * - every drop point alarmed, the sweep's heartbeat, an archive to replay from, each alarm with its
 *   runbook row in docs/operations/alarms.md (M6);
 * - who wrote: CloudTrail data events into a locked bucket, on in prod (M8);
 * - deploy hygiene: the ops topic under a customer-managed key, the prod guard (L8).
 *
 * Expressions are compared as text with locals written out (model.ts expand): "does this list name
 * module.replay_dlq.role_arn?", not "what is its value".
 */
import {
  blocks,
  first,
  isObject,
  locals,
  resources,
  text,
  type Block,
  type Json,
  type ResourceRef,
  type TerraformConfig,
} from './hcl';
import {
  actionsOf,
  at,
  callsTo,
  conditionsOf,
  effectiveGrants,
  expand,
  functionInstances,
  isEveryone,
  mentions,
  numberValue,
  passedValue,
  policyDocument,
  principalsOf,
  roleArnRef,
  roleStatements,
  statementsOf,
  type Condition,
  type FunctionInstance,
  type Problems,
} from './model';
import { resourceInstances } from './instances';

export interface TablePolicyExpectation {
  /** Item actions the table's resource policy must deny (a Deny of `dynamodb:PartiQL*` covers each PartiQL action). */
  deny: readonly string[];
  /** Handlers whose roles stay exempt (besides break-glass); every other function's role must not be. */
  writers: readonly string[];
}

export interface PerimeterExpectations {
  handlers: readonly string[];
  /** By tables-module key (credits, ledger, settlements). */
  tablePolicies: Record<string, TablePolicyExpectation>;
  /** The one role exempt from the table policies (a root variable). */
  breakGlassVariable: string;
  /** Tables whose writes CloudTrail must record (tables-module keys). */
  auditedTables: readonly string[];
  /** Root variables a prod plan must refuse to go without. */
  prodRequired: readonly string[];
  /** The EMF metric each sweep run reports (the heartbeat alarm's). */
  heartbeatMetric: string;
  /** docs/operations/alarms.md: its table must have a row for every alarm. */
  alarmsRunbook: string;
}

// ---------------------------------------------------------------------------------------------
// Shared readings
// ---------------------------------------------------------------------------------------------
// Rules and targets as instances: each entry of a for_each over a local map is a rule of its own.
const eventRules = (config: TerraformConfig): ResourceRef[] =>
  resourceInstances(config, 'aws_cloudwatch_event_rule').filter((r) => r.body.event_pattern !== undefined);
const scheduleRules = (config: TerraformConfig): ResourceRef[] =>
  resourceInstances(config, 'aws_cloudwatch_event_rule').filter((r) => r.body.schedule_expression !== undefined);
const namesRule = (target: ResourceRef, rule: ResourceRef): boolean =>
  target.dir === rule.dir && mentions(text(target.body.rule), `aws_cloudwatch_event_rule.${rule.name}.`);
const targetsOf = (config: TerraformConfig, rule: ResourceRef): ResourceRef[] =>
  resourceInstances(config, 'aws_cloudwatch_event_target').filter((t) => namesRule(t, rule));
/** Rule instances an expression names by ARN: `aws_cloudwatch_event_rule.x.arn`, `….trigger["key"].arn` (escaped in JSON text too). */
const rulesNamedByArn = (expression: string): string[] =>
  [...expression.matchAll(/aws_cloudwatch_event_rule\.([\w-]+(?:\[\\?"[\w-]+\\?"\])?)\.arn/g)].map((m) =>
    m[1]!.replace(/\\"/g, '"'),
  );
const queueOf = (value: Json | undefined): string | undefined =>
  /aws_sqs_queue\.([\w-]+)\.(?:arn|name|id|url)\b/.exec(text(value))?.[1];
const deadLetterQueue = (target: ResourceRef): string | undefined =>
  queueOf(first(target.body.dead_letter_config)?.arn);
const ruleArn = (rule: ResourceRef): string => `aws_cloudwatch_event_rule.${rule.name}.arn`;
const busOf = (rule: ResourceRef): string =>
  rule.body.event_bus_name === undefined ? 'default' : text(rule.body.event_bus_name);
/** `${local.event_bus_name}` → `${local.event_bus_arn}`, `${aws_cloudwatch_event_bus.x[0].name}` → `….arn}`. */
const busArnOf = (busName: string): string => busName.replace(/name\}$/, 'arn}');
const isArnNot = (c: Condition): boolean => c.test === 'ArnNotEquals' || c.test === 'ArnNotLike';

/** The function a target invokes (`module.debit.alias_arn`, or a root function/alias). */
function targetInstance(instances: FunctionInstance[], target: ResourceRef): FunctionInstance | undefined {
  const arn = text(target.body.arn);
  return instances.find((fn) =>
    fn.call ? arn.includes(`module.${fn.call.name}.`) : arn.includes(`aws_lambda_function.${fn.function.name}.`),
  );
}

/** The queue a function's asynchronous on-failure destination names (through its module call). */
function destinationQueue(config: TerraformConfig, fn: FunctionInstance): string | undefined {
  const invoke = resources(config, 'aws_lambda_function_event_invoke_config').find(
    (c) => c.dir === fn.function.dir && text(c.body.function_name).includes(`aws_lambda_function.${fn.function.name}.`),
  );
  return queueOf(passedValue(fn, first(first(invoke?.body.destination_config)?.on_failure)?.destination));
}

/** Queues the function's role may sqs:SendMessage to. */
function sendQueues(config: TerraformConfig, fn: FunctionInstance): Set<string> {
  const out = new Set<string>();
  for (const st of roleStatements(config, fn)) {
    if (!actionsOf(st).includes('sqs:SendMessage')) continue;
    for (const r of Array.isArray(st.resources) ? st.resources : []) {
      const q = queueOf(passedValue(fn, r));
      if (q) out.add(q);
    }
  }
  return out;
}

/** A module resource's `${var.x}` as its (single) caller passes it; root values as they are. */
function inCaller(config: TerraformConfig, r: ResourceRef, value: Json | undefined): Json | undefined {
  if (r.dir === '') return value;
  const v = /^\$\{var\.([\w-]+)\}$/.exec(text(value));
  const call = callsTo(config, r.dir)[0];
  return v && call ? call.args[v[1]!] : value;
}

/** The keys a for_each of a module resource iterates: `${var.x}` → the caller's map keys, `${local.x}` → the local's keys. */
function forEachEntries(config: TerraformConfig, r: ResourceRef): [string, Json][] | undefined {
  const fe = text(r.body.for_each);
  const local = /^\$\{local\.([\w-]+)\}$/.exec(fe);
  const value = local ? locals(config, r.dir)[local[1]!] : inCaller(config, r, r.body.for_each);
  return isObject(value) ? Object.entries(value) : undefined;
}

function documentOf(
  config: TerraformConfig,
  r: ResourceRef,
  attribute = 'policy',
): { body: Block; dynamic: boolean }[] {
  return statementsOf(policyDocument(config, r.dir, r.body[attribute]));
}

const conditionText = (config: TerraformConfig, dir: string, conditions: Condition[]): string =>
  conditions.map((c) => expand(config, dir, c.values)).join(' ');

// ---------------------------------------------------------------------------------------------
// H1: who may publish
// ---------------------------------------------------------------------------------------------
export function checkEventBus(config: TerraformConfig, handlers: readonly string[]): Problems {
  const problems: Problems = [];
  const rules = eventRules(config);
  if (rules.length === 0) problems.push('no EventBridge rule with an event pattern at all');
  const instances = functionInstances(config, handlers);
  const publishers = instances.filter((fn) => effectiveGrants(config, fn).some((g) => g.action === 'events:PutEvents'));

  for (const rule of rules) {
    const pattern = expand(config, rule.dir, rule.body.event_pattern);
    if (!/\baccount\s*=/.test(pattern) || !pattern.includes('data.aws_caller_identity')) {
      problems.push(
        `${at(rule)} event pattern does not pin account to this account (data.aws_caller_identity): any account allowed on the bus could move money`,
      );
    }
    for (const t of targetsOf(config, rule))
      if (text(t.body.event_bus_name ?? 'default') !== busOf(rule))
        problems.push(`${at(t)} is not on the bus of its rule (${busOf(rule)})`);
    const bus = busOf(rule);
    if (bus === 'default') {
      problems.push(
        `${at(rule)} listens on the default bus: give video.generation a bus of its own, with its own policy`,
      );
      continue;
    }
    const policy = resources(config, 'aws_cloudwatch_event_bus_policy').find(
      (p) => p.dir === rule.dir && text(p.body.event_bus_name) === bus,
    );
    if (!policy) {
      problems.push(`${at(rule)}: no aws_cloudwatch_event_bus_policy on its bus ${bus}`);
      continue;
    }
    const source = /source\s*=\s*\[\(?"?([\w.-]+)/.exec(pattern)?.[1] ?? '';
    const statements = documentOf(config, policy);
    for (const { body: st } of statements.filter(
      (s) => s.body.effect !== 'Deny' && actionsOf(s.body).includes('events:PutEvents'),
    )) {
      if (!conditionsOf(st).some((c) => c.variable === 'events:source'))
        problems.push(`${at(policy)} statement ${text(st.sid)} allows PutEvents of any source`);
    }
    const deny = statements.find(
      (s) => s.body.effect === 'Deny' && actionsOf(s.body).includes('events:PutEvents') && isEveryone(s.body),
    )?.body;
    if (!deny) {
      problems.push(
        `${at(policy)} has no Deny of events:PutEvents for every principal (any identity allowed PutEvents could publish ${source})`,
      );
      continue;
    }
    const conditions = conditionsOf(deny);
    const onSource = conditions.filter((c) => c.variable === 'events:source');
    if (onSource.length === 0 || !conditionText(config, policy.dir, onSource).includes(source)) {
      problems.push(`${at(policy)} Deny is not about events:source = ${source}, the source the rules listen to`);
    }
    const exempt = conditions.filter((c) => c.variable === 'aws:PrincipalArn');
    if (exempt.length !== 1 || !isArnNot(exempt[0]!) || exempt[0]!.dynamic) {
      problems.push(
        `${at(policy)} Deny needs exactly one static ArnNotEquals/ArnNotLike on aws:PrincipalArn (the publishers)`,
      );
      continue;
    }
    const names = expand(config, policy.dir, exempt[0]!.values);
    if (!/\bvar\.[\w-]*producer/.test(names))
      problems.push(`${at(policy)} Deny exempts no producers (a variable listing them)`);
    for (const fn of publishers) {
      const role = roleArnRef(fn);
      if (!role || !names.includes(role))
        problems.push(`${at(policy)} Deny does not exempt ${fn.address}, which puts events on the bus`);
    }
    for (const fn of instances.filter((i) => !publishers.includes(i))) {
      const role = roleArnRef(fn);
      if (role && names.includes(role))
        problems.push(`${at(policy)} Deny exempts ${fn.address}, which never puts events`);
    }
  }
  return problems;
}

/** Every role that may put events: only on the rules' bus, only their source and detail types. */
export function checkPublisherGrants(config: TerraformConfig, handlers: readonly string[]): Problems {
  const problems: Problems = [];
  const rules = eventRules(config);
  const busArns = new Set(rules.map((r) => busArnOf(busOf(r))));
  const sources = rules.map(
    (r) => /source\s*=\s*\[\(?"?([\w.-]+)/.exec(expand(config, r.dir, r.body.event_pattern))?.[1] ?? '',
  );
  const detailTypes = rules.flatMap((r) =>
    [...expand(config, r.dir, r.body.event_pattern).matchAll(/"detail-type"\s*=\s*\[([^\]]*)\]/g)].map((m) =>
      m[1]!.replace(/"/g, ''),
    ),
  );
  let any = false;
  for (const fn of functionInstances(config, handlers)) {
    for (const st of roleStatements(config, fn).filter((s) => actionsOf(s).includes('events:PutEvents'))) {
      any = true;
      const label = `${fn.address} statement ${text(st.sid)}`;
      const res = (Array.isArray(st.resources) ? st.resources : []).map((r) => text(passedValue(fn, r)));
      if (res.length === 0 || !res.every((r) => busArns.has(r)))
        problems.push(`${label} puts events on ${res.join(', ') || 'nothing named'}, not only on the rules' bus`);
      const dir = fn.call?.dir ?? fn.function.dir;
      const on = (variable: string): Condition[] =>
        conditionsOf(st).filter((c) => c.variable === variable && c.test === 'StringEquals' && !c.dynamic);
      const sourceText = conditionText(config, dir, on('events:source'));
      if (!sourceText || !sources.every((s) => sourceText.includes(s)))
        problems.push(`${label} grants events:PutEvents without StringEquals events:source = ${sources.join(', ')}`);
      const typeText = conditionText(config, dir, on('events:detail-type'));
      if (!typeText || !detailTypes.every((d) => typeText.includes(d)))
        problems.push(
          `${label} grants events:PutEvents without StringEquals events:detail-type = ${detailTypes.join(', ')}`,
        );
    }
  }
  if (!any) problems.push('no role is granted events:PutEvents (who replays the DLQ?)');
  return problems;
}

// ---------------------------------------------------------------------------------------------
// H2, L8: who may write to each queue; the money DLQ only hears money
// ---------------------------------------------------------------------------------------------
export function checkQueuePolicies(config: TerraformConfig, handlers: readonly string[]): Problems {
  const problems: Problems = [];
  const queues = resources(config, 'aws_sqs_queue');
  if (queues.length === 0) problems.push('no aws_sqs_queue at all');
  const instances = functionInstances(config, handlers);
  const targets = resourceInstances(config, 'aws_cloudwatch_event_target');
  const rules = resourceInstances(config, 'aws_cloudwatch_event_rule');
  for (const q of queues) {
    const policy = resources(config, 'aws_sqs_queue_policy').find(
      (p) => p.dir === q.dir && queueOf(p.body.queue_url) === q.name,
    );
    if (!policy) {
      problems.push(`${at(q)} has no aws_sqs_queue_policy (any principal with sqs:SendMessage could write to it)`);
      continue;
    }
    const statements = documentOf(config, policy).map((s) => s.body);
    const senderRules = rules.filter((r) => targets.some((t) => deadLetterQueue(t) === q.name && namesRule(t, r)));
    const senderRoles = instances.filter(
      (fn) => destinationQueue(config, fn) === q.name || sendQueues(config, fn).has(q.name),
    );

    const allow = statements.filter(
      (st) => st.effect !== 'Deny' && principalsOf(st).some((p) => p.identifiers.includes('events.amazonaws.com')),
    );
    for (const rule of senderRules) {
      const ok = allow.some((st) =>
        conditionsOf(st).some(
          (c) =>
            c.variable === 'aws:SourceArn' &&
            c.test === 'ArnEquals' &&
            mentions(expand(config, policy.dir, c.values), ruleArn(rule)),
        ),
      );
      if (!ok)
        problems.push(
          `${at(policy)} does not let EventBridge deliver dead letters of ${ruleArn(rule)} (ArnEquals aws:SourceArn)`,
        );
    }
    const deny = statements.find(
      (st) => st.effect === 'Deny' && actionsOf(st).includes('sqs:SendMessage') && isEveryone(st),
    );
    if (!deny) {
      problems.push(
        `${at(policy)} has no Deny of sqs:SendMessage for every principal (identity policies decide who writes to ${q.name})`,
      );
      continue;
    }
    const conditions = conditionsOf(deny);
    const bySource = conditions.filter((c) => c.variable === 'aws:SourceArn');
    const byPrincipal = conditions.filter((c) => c.variable === 'aws:PrincipalArn');
    if (
      conditions.some(
        (c) => !isArnNot(c) || c.dynamic || !['aws:SourceArn', 'aws:PrincipalArn'].includes(c.variable),
      ) ||
      bySource.length !== 1 ||
      byPrincipal.length !== 1
    ) {
      problems.push(
        `${at(policy)} Deny must have exactly one static ArnNotEquals on aws:SourceArn (rules) and one on aws:PrincipalArn (roles), nothing else`,
      );
      continue;
    }
    const exemptRules = expand(config, policy.dir, bySource[0]!.values);
    const exemptRoles = expand(config, policy.dir, byPrincipal[0]!.values);
    for (const rule of senderRules)
      if (!mentions(exemptRules, ruleArn(rule)))
        problems.push(`${at(policy)} Deny does not exempt ${ruleArn(rule)}, which dead-letters into ${q.name}`);
    for (const name of rulesNamedByArn(exemptRules)) {
      if (!senderRules.some((r) => r.name === name))
        problems.push(
          `${at(policy)} Deny exempts aws_cloudwatch_event_rule.${name}, which does not dead-letter into ${q.name}`,
        );
    }
    for (const fn of instances) {
      const role = roleArnRef(fn);
      const sends = senderRoles.includes(fn);
      if (sends && (!role || !exemptRoles.includes(role)))
        problems.push(`${at(policy)} Deny does not exempt ${fn.address}, which sends to ${q.name}`);
      if (!sends && role && exemptRoles.includes(role))
        problems.push(`${at(policy)} Deny exempts ${fn.address}, which never sends to ${q.name}`);
    }
  }
  return problems;
}

/** What replay puts back on the bus must be money events only: schedules and other functions fail elsewhere. */
export function checkDlqSeparation(config: TerraformConfig, handlers: readonly string[]): Problems {
  const problems: Problems = [];
  const instances = functionInstances(config, handlers);
  const moneyTargets = eventRules(config).flatMap((r) => targetsOf(config, r));
  const money = new Set(moneyTargets.map(deadLetterQueue).filter((q) => q !== undefined));
  if (money.size === 0) problems.push('no event rule target has a dead-letter queue (the money DLQ)');
  for (const rule of scheduleRules(config)) {
    for (const t of targetsOf(config, rule)) {
      const q = deadLetterQueue(t);
      if (q && money.has(q))
        problems.push(
          `${at(t)} (a schedule) dead-letters into the money DLQ ${q}: its failures are not events replay could put back`,
        );
    }
  }
  const moneyFunctions = new Set(moneyTargets.map((t) => targetInstance(instances, t)?.address));
  for (const fn of instances.filter((i) => !moneyFunctions.has(i.address))) {
    const q = destinationQueue(config, fn);
    if (q && money.has(q)) problems.push(`${fn.address} sends its failed invocations to the money DLQ ${q}`);
    for (const s of sendQueues(config, fn))
      if (money.has(s) && s !== q) problems.push(`${fn.address} may send to the money DLQ ${s}`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// M5: the money at rest
// ---------------------------------------------------------------------------------------------
const globToRegExp = (glob: string): RegExp =>
  new RegExp(`^${glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);

export function checkTablePolicies(config: TerraformConfig, expect: PerimeterExpectations): Problems {
  const problems: Problems = [];
  const instances = functionInstances(config, expect.handlers);
  for (const [table, want] of Object.entries(expect.tablePolicies)) {
    const refs = [`module.tables.arns.${table}`, `aws_dynamodb_table.${table}.arn`];
    const rp = resources(config, 'aws_dynamodb_resource_policy').find((p) =>
      refs.some((r) => text(p.body.resource_arn).includes(r)),
    );
    if (!rp) {
      problems.push(`table ${table}: no aws_dynamodb_resource_policy (nothing bounds what IAM may grant on it)`);
      continue;
    }
    const denies = documentOf(config, rp)
      .map((s) => s.body)
      .filter((st) => st.effect === 'Deny' && isEveryone(st));
    const denied = denies.flatMap(actionsOf);
    const missing = want.deny.filter((a) => !denied.some((d) => globToRegExp(d).test(a)));
    if (missing.length > 0) problems.push(`${at(rp)} does not deny ${missing.join(', ')} (table ${table})`);
    for (const st of denies) {
      const conditions = conditionsOf(st);
      for (const c of conditions) {
        if (c.variable !== 'aws:PrincipalArn' || !isArnNot(c))
          problems.push(
            `${at(rp)} Deny ${text(st.sid)} has a condition ${c.test} ${c.variable}, which could let writes through`,
          );
      }
      const exempt = conditionText(config, rp.dir, conditions);
      if (!exempt.includes(`var.${expect.breakGlassVariable}`))
        problems.push(`${at(rp)} Deny ${text(st.sid)} exempts no break-glass role (var.${expect.breakGlassVariable})`);
      for (const fn of instances) {
        const role = roleArnRef(fn);
        const writer = fn.handler !== undefined && want.writers.includes(fn.handler);
        if (writer && (!role || !exempt.includes(role)))
          problems.push(`${at(rp)} Deny ${text(st.sid)} does not exempt ${fn.address}, which writes ${table}`);
        if (!writer && role && exempt.includes(role))
          problems.push(`${at(rp)} Deny ${text(st.sid)} lets ${fn.address} write ${table}`);
      }
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// M6: every drop point alarmed, a heartbeat, an archive, a runbook row per alarm
// ---------------------------------------------------------------------------------------------
const alarmsOn = (config: TerraformConfig, namespace: string | RegExp, metric: string): ResourceRef[] =>
  resources(config, 'aws_cloudwatch_metric_alarm').filter(
    (a) =>
      a.body.metric_name === metric &&
      (typeof namespace === 'string' ? a.body.namespace === namespace : namespace.test(text(a.body.namespace))),
  );

/** The texts an alarm is instantiated for: each for_each value (as the caller wrote it), or its dimensions. */
function alarmSubjects(config: TerraformConfig, alarm: ResourceRef): string[] {
  if (alarm.body.for_each === undefined)
    return [
      Object.values(isObject(alarm.body.dimensions) ? alarm.body.dimensions : {})
        .map((v) => text(inCaller(config, alarm, v)))
        .join(' '),
    ];
  return (forEachEntries(config, alarm) ?? []).map(([, v]) => text(v));
}

export function checkDropAlarms(config: TerraformConfig, expect: PerimeterExpectations): Problems {
  const problems: Problems = [];
  const instances = functionInstances(config, expect.handlers);

  const dlqAlarms = alarmsOn(config, 'AWS/Events', 'InvocationsFailedToBeSentToDlq');
  for (const a of dlqAlarms) {
    const dims = text(a.body.dimensions);
    if (!dims.includes('RuleName') || !dims.includes('EventBusName'))
      problems.push(
        `${at(a)} dimensions must be RuleName, plus EventBusName for rules on a custom bus (EventBridge publishes both there)`,
      );
  }
  // Each alarm's rule (and bus): a for_each over { rule_name, event_bus_name }, or its own dimensions.
  const covered: Json[] = dlqAlarms.flatMap((a) => {
    if (a.body.for_each !== undefined) return (forEachEntries(config, a) ?? []).map(([, v]) => v);
    const dims = isObject(a.body.dimensions) ? a.body.dimensions : {};
    return [{ rule_name: dims.RuleName ?? null, event_bus_name: dims.EventBusName ?? 'default' }];
  });
  for (const rule of resourceInstances(config, 'aws_cloudwatch_event_rule').filter((r) =>
    targetsOf(config, r).some((t) => deadLetterQueue(t) !== undefined),
  )) {
    const entry = covered.find(
      (v) => isObject(v) && mentions(text(v.rule_name), `aws_cloudwatch_event_rule.${rule.name}.name`),
    );
    if (!entry || !isObject(entry)) {
      problems.push(
        `no InvocationsFailedToBeSentToDlq alarm for ${ruleArn(rule).replace(/\.arn$/, '')} (an event its dead-letter queue refused would vanish unnoticed)`,
      );
      continue;
    }
    if (text(entry.event_bus_name) !== busOf(rule))
      problems.push(
        `the InvocationsFailedToBeSentToDlq alarm of aws_cloudwatch_event_rule.${rule.name} is given bus ${text(entry.event_bus_name)}, but the rule is on ${busOf(rule)}`,
      );
  }

  for (const metric of ['DestinationDeliveryFailures', 'AsyncEventsDropped']) {
    const subjects = alarmsOn(config, 'AWS/Lambda', metric).flatMap((a) => alarmSubjects(config, a));
    for (const fn of instances.filter((i) => destinationQueue(config, i) !== undefined)) {
      const name = fn.call
        ? `module.${fn.call.name}.function_name`
        : `aws_lambda_function.${fn.function.name}.function_name`;
      if (!subjects.some((s) => s.includes(name)))
        problems.push(`no ${metric} alarm for ${fn.address} (asynchronous events it loses would go unnoticed)`);
    }
  }

  const queueAlarms = (metric: string): ResourceRef[] => alarmsOn(config, 'AWS/SQS', metric);
  const queueNameOf = (a: ResourceRef): string | undefined =>
    queueOf(inCaller(config, a, isObject(a.body.dimensions) ? a.body.dimensions.QueueName : undefined));
  for (const q of resources(config, 'aws_sqs_queue')) {
    if (!queueAlarms('ApproximateNumberOfMessagesVisible').some((a) => queueNameOf(a) === q.name))
      problems.push(`${at(q)} has no depth alarm (ApproximateNumberOfMessagesVisible)`);
  }
  for (const m of resources(config, 'aws_lambda_event_source_mapping')) {
    const q = queueOf(m.body.event_source_arn);
    if (!q) continue;
    const held = queueAlarms('ApproximateNumberOfMessagesNotVisible').filter((a) => queueNameOf(a) === q);
    const longEnough = held.some((a) => {
      const period = numberValue(config, a.dir, a.body.period) ?? 0;
      const periods = numberValue(config, a.dir, a.body.evaluation_periods) ?? 0;
      const datapoints = numberValue(config, a.dir, a.body.datapoints_to_alarm) ?? periods;
      return a.body.statistic === 'Minimum' && period * periods >= 3600 && datapoints === periods;
    });
    if (!longEnough)
      problems.push(
        `aws_sqs_queue.${q} (drained by ${at(m)}) has no alarm on messages held invisible for an hour (ApproximateNumberOfMessagesNotVisible, Minimum, every datapoint)`,
      );
  }

  const heartbeat = alarmsOn(config, /./, expect.heartbeatMetric).filter((a) =>
    /^LessThan/.test(text(a.body.comparison_operator)),
  );
  if (
    !heartbeat.some(
      (a) => a.body.treat_missing_data === 'breaching' && a.body.statistic === 'Sum' && a.body.threshold === 1,
    )
  ) {
    problems.push(
      `no heartbeat alarm on ${expect.heartbeatMetric} (Sum < 1, treat_missing_data = "breaching"): a sweep that stops running would go unnoticed`,
    );
  }
  return problems;
}

export function checkEventArchive(config: TerraformConfig): Problems {
  const problems: Problems = [];
  const archives = resources(config, 'aws_cloudwatch_event_archive');
  for (const bus of new Set(eventRules(config).map(busOf))) {
    const archive = archives.find((a) => text(a.body.event_source_arn) === busArnOf(bus));
    if (!archive) {
      problems.push(
        `no aws_cloudwatch_event_archive of the rules' bus ${bus}: what the DLQ loses could never be replayed`,
      );
      continue;
    }
    if (!/\$\{var\.[\w-]+\}/.test(text(archive.body.retention_days)))
      problems.push(`${at(archive)} retention_days is not a setting (var.*): 0 or unset keeps events forever`);
  }
  return problems;
}

/** Alarm name suffixes (after the prefix) as the runbook index writes them: `…-<handler>-errors` or `…-debit-errors`. */
function runbookAlarmPatterns(runbook: string): RegExp[] {
  const firstCells = runbook
    .split('\n')
    .filter((l) => l.startsWith('| ') && !/^\| -/.test(l))
    .map((l) => l.split(' | ')[0] ?? '');
  return firstCells.flatMap((cell) =>
    [...cell.matchAll(/`…(-[^`]+)`/g)].map(
      (m) => new RegExp(`^${m[1]!.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/<[^>]+>/g, '[a-z0-9-]+')}$`),
    ),
  );
}

export function checkAlarmRunbook(config: TerraformConfig, runbook: string): Problems {
  const problems: Problems = [];
  const patterns = runbookAlarmPatterns(runbook);
  if (patterns.length === 0) problems.push('docs/operations/alarms.md has no table with `…-<alarm>` rows');
  for (const alarm of resources(config, 'aws_cloudwatch_metric_alarm')) {
    const template = text(alarm.body.alarm_name);
    const prefix = /^\$\{(var\.name_prefix|local\.names\.alarm_prefix)\}/.exec(template)?.[0];
    if (!prefix) {
      problems.push(
        `${at(alarm)} alarm_name ${template} does not start with the alarm prefix, so no runbook row can name it`,
      );
      continue;
    }
    const keys = alarm.body.for_each === undefined ? [''] : forEachEntries(config, alarm)?.map(([k]) => k);
    if (!keys) {
      problems.push(`${at(alarm)} for_each ${text(alarm.body.for_each)} cannot be expanded to alarm names`);
      continue;
    }
    for (const key of keys) {
      const suffix = template
        .slice(prefix.length)
        .replace('${replace(each.key, "_", "-")}', key.replace(/_/g, '-'))
        .replace('${each.key}', key);
      if (suffix.includes('${')) problems.push(`${at(alarm)} alarm_name ${template} cannot be expanded`);
      else if (!patterns.some((p) => p.test(suffix)))
        problems.push(`alarm …${suffix} (${at(alarm)}) has no row in docs/operations/alarms.md`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// M8: who wrote
// ---------------------------------------------------------------------------------------------
function selectorValues(selector: Block, field: string): string | undefined {
  const fs = blocks(selector.field_selector).find((f) => f.field === field);
  return fs ? text(fs.equals) : undefined;
}

export function checkDataEvents(config: TerraformConfig, expect: PerimeterExpectations): Problems {
  const problems: Problems = [];
  const trails = resources(config, 'aws_cloudtrail');
  if (trails.length === 0)
    problems.push(
      'no aws_cloudtrail records data events of the money tables (the drift runbook could not find the writer)',
    );
  for (const t of trails) {
    const selector = blocks(t.body.advanced_event_selector).find(
      (s) =>
        selectorValues(s, 'eventCategory') === '["Data"]' &&
        selectorValues(s, 'resources.type') === '["AWS::DynamoDB::Table"]',
    );
    if (!selector)
      problems.push(
        `${at(t)} records no DynamoDB data events (advanced_event_selector: eventCategory Data, resources.type AWS::DynamoDB::Table)`,
      );
    else {
      const arns = expand(
        config,
        t.dir,
        blocks(selector.field_selector).find((f) => f.field === 'resources.ARN')?.equals,
      );
      for (const table of expect.auditedTables)
        if (!arns.includes(`arns.${table}`) && !arns.includes(`aws_dynamodb_table.${table}.arn`))
          problems.push(`${at(t)} does not record data events of table ${table}`);
      const readOnly = selectorValues(selector, 'readOnly');
      if (readOnly !== undefined && readOnly !== '["false"]')
        problems.push(`${at(t)} records only reads (readOnly = ${readOnly}), not who wrote`);
    }
    if (t.body.enable_log_file_validation !== true)
      problems.push(`${at(t)} does not enable log file validation (nothing would prove the log unedited)`);
    const onSwitch = /^\$\{var\.([\w-]+) \? 1 : 0\}$/.exec(text(t.body.count))?.[1];
    if (onSwitch && config.tfvars.prod?.[onSwitch] !== true)
      problems.push(`${at(t)} is off in prod: workspaces/prod.tfvars must set ${onSwitch} = true`);
    const bucket = /aws_s3_bucket\.([\w-]+)/.exec(text(t.body.s3_bucket_name))?.[1];
    if (!bucket) {
      problems.push(`${at(t)} does not log to a bucket of this configuration`);
      continue;
    }
    problems.push(...checkTrailBucket(config, t, bucket));
  }
  return problems;
}

function checkTrailBucket(config: TerraformConfig, trail: ResourceRef, bucket: string): Problems {
  const problems: Problems = [];
  const label = `aws_s3_bucket.${bucket} (logs of ${at(trail)})`;
  const ofBucket = new RegExp(`aws_s3_bucket\\.${bucket}(\\[\\d+\\])?\\.`);
  const forBucket = (type: string): ResourceRef[] =>
    resources(config, type).filter((r) => ofBucket.test(text(r.body.bucket)));
  if (!forBucket('aws_s3_bucket_versioning').some((v) => first(v.body.versioning_configuration)?.status === 'Enabled'))
    problems.push(`${label} has no aws_s3_bucket_versioning (Enabled)`);
  if (
    !forBucket('aws_s3_bucket_public_access_block').some((p) =>
      ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'].every(
        (k) => p.body[k] === true,
      ),
    )
  ) {
    problems.push(`${label} has no aws_s3_bucket_public_access_block with all four settings true`);
  }
  if (forBucket('aws_s3_bucket_server_side_encryption_configuration').length === 0)
    problems.push(`${label} has no aws_s3_bucket_server_side_encryption_configuration`);
  const policy = forBucket('aws_s3_bucket_policy')[0];
  if (!policy) {
    problems.push(`${label} has no aws_s3_bucket_policy`);
    return problems;
  }
  const statements = documentOf(config, policy).map((s) => s.body);
  const trailName = text(trail.body.name).replace(/^\$\{(.*)\}$/, '$1');
  const namesTrail = (conditions: Condition[]): boolean =>
    conditions.some(
      (c) =>
        c.variable === 'aws:SourceArn' &&
        expand(config, policy.dir, c.values).includes(expand(config, trail.dir, trailName)),
    );
  const cloudTrailWrites = statements.filter(
    (st) =>
      st.effect !== 'Deny' &&
      principalsOf(st).some((p) => p.identifiers.includes('cloudtrail.amazonaws.com')) &&
      actionsOf(st).includes('s3:PutObject'),
  );
  if (cloudTrailWrites.length === 0 || !cloudTrailWrites.every((st) => namesTrail(conditionsOf(st))))
    problems.push(`${at(policy)} does not let CloudTrail write for this trail only (aws:SourceArn)`);
  const denies = statements.filter((st) => st.effect === 'Deny' && isEveryone(st));
  if (
    !denies.some(
      (st) =>
        actionsOf(st).some((a) => globToRegExp(a).test('s3:PutObject')) &&
        conditionsOf(st).every((c) => isArnNot(c)) &&
        namesTrail(conditionsOf(st)),
    )
  ) {
    problems.push(`${at(policy)} does not deny s3:PutObject to everyone but this trail (ArnNotEquals aws:SourceArn)`);
  }
  if (
    !denies.some((st) =>
      conditionsOf(st).some(
        (c) => c.variable === 'aws:SecureTransport' && c.test === 'Bool' && text(c.values) === '["false"]',
      ),
    )
  ) {
    problems.push(`${at(policy)} does not deny requests without TLS (aws:SecureTransport = false)`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// L8: an encrypted ops topic; prod never unguarded
// ---------------------------------------------------------------------------------------------
export function checkTopicEncryption(config: TerraformConfig, handlers: readonly string[]): Problems {
  const problems: Problems = [];
  const topics = resources(config, 'aws_sns_topic');
  if (topics.length === 0) problems.push('no aws_sns_topic at all');
  const publishers = functionInstances(config, handlers).filter((fn) =>
    effectiveGrants(config, fn).some((g) => g.action === 'sns:Publish'),
  );
  for (const topic of topics) {
    const keyName = /aws_kms_key\.([\w-]+)\.(?:arn|id|key_id)\b/.exec(text(topic.body.kms_master_key_id))?.[1];
    const key = resources(config, 'aws_kms_key').find((k) => k.dir === topic.dir && k.name === keyName);
    if (!key) {
      problems.push(
        `${at(topic)} is not encrypted with a customer-managed KMS key of this configuration (kms_master_key_id)`,
      );
      continue;
    }
    if (key.body.enable_key_rotation !== true) problems.push(`${at(key)} does not enable key rotation`);
    const allows = documentOf(config, key)
      .map((s) => s.body)
      .filter((st) => st.effect !== 'Deny');
    const uses = (st: Block): boolean =>
      actionsOf(st).includes('kms:Decrypt') &&
      actionsOf(st).some((a) => a === 'kms:GenerateDataKey*' || a === 'kms:GenerateDataKey');
    if (
      !allows.some(
        (st) =>
          uses(st) &&
          principalsOf(st).some((p) => p.type === 'Service' && p.identifiers.includes('cloudwatch.amazonaws.com')),
      )
    ) {
      problems.push(
        `${at(key)} policy does not let CloudWatch alarms use the key (kms:GenerateDataKey*, kms:Decrypt): their notifications would be dropped`,
      );
    }
    for (const st of allows.filter((s) => principalsOf(s).some((p) => p.identifiers.includes(':root')))) {
      if (actionsOf(st).some((a) => /^kms:(Decrypt|GenerateDataKey|Encrypt|ReEncrypt)|^kms:\*$/.test(a)))
        problems.push(
          `${at(key)} statement ${text(st.sid)} delegates use of the key to IAM (any identity policy could then decrypt)`,
        );
    }
    const userText = allows
      .filter(uses)
      .flatMap((st) => blocks(st.principals).map((p) => text(inCaller(config, key, p.identifiers))))
      .join(' ');
    for (const fn of publishers) {
      const role = roleArnRef(fn);
      if (!role || !userText.includes(role))
        problems.push(
          `${fn.address} publishes to the ops topic, but the key policy of ${at(key)} does not let it use the key`,
        );
    }
  }
  return problems;
}

export function checkProdGuard(config: TerraformConfig, required: readonly string[]): Problems {
  const problems: Problems = [];
  const preconditions = resources(config)
    .filter((r) => r.dir === '')
    .flatMap((r) => blocks(first(r.body.lifecycle)?.precondition));
  for (const setting of required) {
    const guard = new RegExp(
      `^\\$\\{(?:local|terraform)\\.workspace != "prod" \\|\\| length\\(var\\.${setting}\\) > 0\\}$`,
    );
    const found = preconditions.find((p) => guard.test(text(p.condition)));
    if (!found)
      problems.push(
        `no precondition refuses a prod plan without ${setting} (condition: local.workspace != "prod" || length(var.${setting}) > 0)`,
      );
    else if (
      !text(found.error_message).includes('workspaces/prod.tfvars') ||
      !text(found.error_message).includes(setting)
    )
      problems.push(`the prod guard for ${setting} does not say what to set where (workspaces/prod.tfvars)`);
  }
  return problems;
}

export function perimeterCheckers(
  expect: PerimeterExpectations,
): Record<string, (config: TerraformConfig) => Problems> {
  return {
    eventBus: (c) => checkEventBus(c, expect.handlers),
    publisherGrants: (c) => checkPublisherGrants(c, expect.handlers),
    queuePolicies: (c) => checkQueuePolicies(c, expect.handlers),
    dlqSeparation: (c) => checkDlqSeparation(c, expect.handlers),
    tablePolicies: (c) => checkTablePolicies(c, expect),
    dropAlarms: (c) => checkDropAlarms(c, expect),
    eventArchive: checkEventArchive,
    alarmRunbook: (c) => checkAlarmRunbook(c, expect.alarmsRunbook),
    dataEvents: (c) => checkDataEvents(c, expect),
    topicEncryption: (c) => checkTopicEncryption(c, expect.handlers),
    prodGuard: (c) => checkProdGuard(c, expect.prodRequired),
  };
}
