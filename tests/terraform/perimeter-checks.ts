/**
 * The perimeter, checked on the parsed HCL (checks.ts has the general structure checks; both kinds
 * return problems, and checkers.test.ts proves each able to fail on fixtures/broken):
 *
 * - who may publish: a bus policy that denies video.generation to all but the listed publishers
 *   (every role this configuration lets put events among them), rules pinned to an account, the
 *   publishers' own grants conditioned on source and detail-type (H1);
 * - who may write to each queue: a Deny for all but the rules that dead-letter there and the roles
 *   that send there, and schedule or sweep failures never in the money DLQ (H2, L8);
 * - what may be done to the money at rest: table resource policies (M5).
 *
 * Expressions are compared as text with locals written out (model.ts expand): "does this list name
 * module.replay_dlq.role_arn?", not "what is its value".
 */
import { first, resources, text, type Block, type Json, type ResourceRef, type TerraformConfig } from './hcl';
import {
  actionsOf, at, conditionsOf, effectiveGrants, expand, functionInstances, isEveryone,
  passedValue, policyDocument, principalsOf, roleArnRef, roleStatements, statementsOf,
  type Condition, type FunctionInstance, type Problems,
} from './model';

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
}

// ---------------------------------------------------------------------------------------------
// Shared readings
// ---------------------------------------------------------------------------------------------
const eventRules = (config: TerraformConfig): ResourceRef[] => resources(config, 'aws_cloudwatch_event_rule').filter((r) => r.body.event_pattern !== undefined);
const scheduleRules = (config: TerraformConfig): ResourceRef[] => resources(config, 'aws_cloudwatch_event_rule').filter((r) => r.body.schedule_expression !== undefined);
const targetsOf = (config: TerraformConfig, rule: ResourceRef): ResourceRef[] =>
  resources(config, 'aws_cloudwatch_event_target').filter((t) => t.dir === rule.dir && text(t.body.rule).includes(`aws_cloudwatch_event_rule.${rule.name}.`));
const queueOf = (value: Json | undefined): string | undefined => /aws_sqs_queue\.([\w-]+)\.(?:arn|name|id|url)\b/.exec(text(value))?.[1];
const deadLetterQueue = (target: ResourceRef): string | undefined => queueOf(first(target.body.dead_letter_config)?.arn);
const ruleArn = (rule: ResourceRef): string => `aws_cloudwatch_event_rule.${rule.name}.arn`;
const busOf = (rule: ResourceRef): string => (rule.body.event_bus_name === undefined ? 'default' : text(rule.body.event_bus_name));
/** `${local.event_bus_name}` → `${local.event_bus_arn}`, `${aws_cloudwatch_event_bus.x[0].name}` → `….arn}`. */
const busArnOf = (busName: string): string => busName.replace(/name\}$/, 'arn}');
const isArnNot = (c: Condition): boolean => c.test === 'ArnNotEquals' || c.test === 'ArnNotLike';

/** The function a target invokes (`module.debit.alias_arn`, or a root function/alias). */
function targetInstance(instances: FunctionInstance[], target: ResourceRef): FunctionInstance | undefined {
  const arn = text(target.body.arn);
  return instances.find((fn) => (fn.call ? arn.includes(`module.${fn.call.name}.`) : arn.includes(`aws_lambda_function.${fn.function.name}.`)));
}

/** The queue a function's asynchronous on-failure destination names (through its module call). */
function destinationQueue(config: TerraformConfig, fn: FunctionInstance): string | undefined {
  const invoke = resources(config, 'aws_lambda_function_event_invoke_config')
    .find((c) => c.dir === fn.function.dir && text(c.body.function_name).includes(`aws_lambda_function.${fn.function.name}.`));
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

function documentOf(config: TerraformConfig, r: ResourceRef, attribute = 'policy'): { body: Block; dynamic: boolean }[] {
  return statementsOf(policyDocument(config, r.dir, r.body[attribute]));
}

const conditionText = (config: TerraformConfig, dir: string, conditions: Condition[]): string => conditions.map((c) => expand(config, dir, c.values)).join(' ');

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
      problems.push(`${at(rule)} event pattern does not pin account to this account (data.aws_caller_identity): any account allowed on the bus could move money`);
    }
    for (const t of targetsOf(config, rule)) if (text(t.body.event_bus_name ?? 'default') !== busOf(rule)) problems.push(`${at(t)} is not on the bus of its rule (${busOf(rule)})`);
    const bus = busOf(rule);
    if (bus === 'default') {
      problems.push(`${at(rule)} listens on the default bus: give video.generation a bus of its own, with its own policy`);
      continue;
    }
    const policy = resources(config, 'aws_cloudwatch_event_bus_policy').find((p) => p.dir === rule.dir && text(p.body.event_bus_name) === bus);
    if (!policy) {
      problems.push(`${at(rule)}: no aws_cloudwatch_event_bus_policy on its bus ${bus}`);
      continue;
    }
    const source = /source\s*=\s*\[\(?"?([\w.-]+)/.exec(pattern)?.[1] ?? '';
    const statements = documentOf(config, policy);
    for (const { body: st } of statements.filter((s) => s.body.effect !== 'Deny' && actionsOf(s.body).includes('events:PutEvents'))) {
      if (!conditionsOf(st).some((c) => c.variable === 'events:source')) problems.push(`${at(policy)} statement ${text(st.sid)} allows PutEvents of any source`);
    }
    const deny = statements.find((s) => s.body.effect === 'Deny' && actionsOf(s.body).includes('events:PutEvents') && isEveryone(s.body))?.body;
    if (!deny) {
      problems.push(`${at(policy)} has no Deny of events:PutEvents for every principal (any identity allowed PutEvents could publish ${source})`);
      continue;
    }
    const conditions = conditionsOf(deny);
    const onSource = conditions.filter((c) => c.variable === 'events:source');
    if (onSource.length === 0 || !conditionText(config, policy.dir, onSource).includes(source)) {
      problems.push(`${at(policy)} Deny is not about events:source = ${source}, the source the rules listen to`);
    }
    const exempt = conditions.filter((c) => c.variable === 'aws:PrincipalArn');
    if (exempt.length !== 1 || !isArnNot(exempt[0]!) || exempt[0]!.dynamic) {
      problems.push(`${at(policy)} Deny needs exactly one static ArnNotEquals/ArnNotLike on aws:PrincipalArn (the publishers)`);
      continue;
    }
    const names = expand(config, policy.dir, exempt[0]!.values);
    if (!/\bvar\.[\w-]*producer/.test(names)) problems.push(`${at(policy)} Deny exempts no producers (a variable listing them)`);
    for (const fn of publishers) {
      const role = roleArnRef(fn);
      if (!role || !names.includes(role)) problems.push(`${at(policy)} Deny does not exempt ${fn.address}, which puts events on the bus`);
    }
    for (const fn of instances.filter((i) => !publishers.includes(i))) {
      const role = roleArnRef(fn);
      if (role && names.includes(role)) problems.push(`${at(policy)} Deny exempts ${fn.address}, which never puts events`);
    }
  }
  return problems;
}

/** Every role that may put events: only on the rules' bus, only their source and detail types. */
export function checkPublisherGrants(config: TerraformConfig, handlers: readonly string[]): Problems {
  const problems: Problems = [];
  const rules = eventRules(config);
  const busArns = new Set(rules.map((r) => busArnOf(busOf(r))));
  const sources = rules.map((r) => /source\s*=\s*\[\(?"?([\w.-]+)/.exec(expand(config, r.dir, r.body.event_pattern))?.[1] ?? '');
  const detailTypes = rules.flatMap((r) => [...expand(config, r.dir, r.body.event_pattern).matchAll(/"detail-type"\s*=\s*\[([^\]]*)\]/g)].map((m) => m[1]!.replace(/"/g, '')));
  let any = false;
  for (const fn of functionInstances(config, handlers)) {
    for (const st of roleStatements(config, fn).filter((s) => actionsOf(s).includes('events:PutEvents'))) {
      any = true;
      const label = `${fn.address} statement ${text(st.sid)}`;
      const res = (Array.isArray(st.resources) ? st.resources : []).map((r) => text(passedValue(fn, r)));
      if (res.length === 0 || !res.every((r) => busArns.has(r))) problems.push(`${label} puts events on ${res.join(', ') || 'nothing named'}, not only on the rules' bus`);
      const dir = fn.call?.dir ?? fn.function.dir;
      const on = (variable: string): Condition[] => conditionsOf(st).filter((c) => c.variable === variable && c.test === 'StringEquals' && !c.dynamic);
      const sourceText = conditionText(config, dir, on('events:source'));
      if (!sourceText || !sources.every((s) => sourceText.includes(s))) problems.push(`${label} grants events:PutEvents without StringEquals events:source = ${sources.join(', ')}`);
      const typeText = conditionText(config, dir, on('events:detail-type'));
      if (!typeText || !detailTypes.every((d) => typeText.includes(d))) problems.push(`${label} grants events:PutEvents without StringEquals events:detail-type = ${detailTypes.join(', ')}`);
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
  const targets = resources(config, 'aws_cloudwatch_event_target');
  const rules = resources(config, 'aws_cloudwatch_event_rule');
  for (const q of queues) {
    const policy = resources(config, 'aws_sqs_queue_policy').find((p) => p.dir === q.dir && queueOf(p.body.queue_url) === q.name);
    if (!policy) {
      problems.push(`${at(q)} has no aws_sqs_queue_policy (any principal with sqs:SendMessage could write to it)`);
      continue;
    }
    const statements = documentOf(config, policy).map((s) => s.body);
    const senderRules = rules.filter((r) => targets.some((t) => deadLetterQueue(t) === q.name && text(t.body.rule).includes(`aws_cloudwatch_event_rule.${r.name}.`)));
    const senderRoles = instances.filter((fn) => destinationQueue(config, fn) === q.name || sendQueues(config, fn).has(q.name));

    const allow = statements.filter((st) => st.effect !== 'Deny' && principalsOf(st).some((p) => p.identifiers.includes('events.amazonaws.com')));
    for (const rule of senderRules) {
      const ok = allow.some((st) => conditionsOf(st).some((c) => c.variable === 'aws:SourceArn' && c.test === 'ArnEquals' && expand(config, policy.dir, c.values).includes(ruleArn(rule))));
      if (!ok) problems.push(`${at(policy)} does not let EventBridge deliver dead letters of ${ruleArn(rule)} (ArnEquals aws:SourceArn)`);
    }
    const deny = statements.find((st) => st.effect === 'Deny' && actionsOf(st).includes('sqs:SendMessage') && isEveryone(st));
    if (!deny) {
      problems.push(`${at(policy)} has no Deny of sqs:SendMessage for every principal (identity policies decide who writes to ${q.name})`);
      continue;
    }
    const conditions = conditionsOf(deny);
    const bySource = conditions.filter((c) => c.variable === 'aws:SourceArn');
    const byPrincipal = conditions.filter((c) => c.variable === 'aws:PrincipalArn');
    if (conditions.some((c) => !isArnNot(c) || c.dynamic || !['aws:SourceArn', 'aws:PrincipalArn'].includes(c.variable)) || bySource.length !== 1 || byPrincipal.length !== 1) {
      problems.push(`${at(policy)} Deny must have exactly one static ArnNotEquals on aws:SourceArn (rules) and one on aws:PrincipalArn (roles), nothing else`);
      continue;
    }
    const exemptRules = expand(config, policy.dir, bySource[0]!.values);
    const exemptRoles = expand(config, policy.dir, byPrincipal[0]!.values);
    for (const rule of senderRules) if (!exemptRules.includes(ruleArn(rule))) problems.push(`${at(policy)} Deny does not exempt ${ruleArn(rule)}, which dead-letters into ${q.name}`);
    for (const [, name] of exemptRules.matchAll(/aws_cloudwatch_event_rule\.([\w-]+)\.arn/g)) {
      if (!senderRules.some((r) => r.name === name)) problems.push(`${at(policy)} Deny exempts aws_cloudwatch_event_rule.${name}, which does not dead-letter into ${q.name}`);
    }
    for (const fn of instances) {
      const role = roleArnRef(fn);
      const sends = senderRoles.includes(fn);
      if (sends && (!role || !exemptRoles.includes(role))) problems.push(`${at(policy)} Deny does not exempt ${fn.address}, which sends to ${q.name}`);
      if (!sends && role && exemptRoles.includes(role)) problems.push(`${at(policy)} Deny exempts ${fn.address}, which never sends to ${q.name}`);
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
      if (q && money.has(q)) problems.push(`${at(t)} (a schedule) dead-letters into the money DLQ ${q}: its failures are not events replay could put back`);
    }
  }
  const moneyFunctions = new Set(moneyTargets.map((t) => targetInstance(instances, t)?.address));
  for (const fn of instances.filter((i) => !moneyFunctions.has(i.address))) {
    const q = destinationQueue(config, fn);
    if (q && money.has(q)) problems.push(`${fn.address} sends its failed invocations to the money DLQ ${q}`);
    for (const s of sendQueues(config, fn)) if (money.has(s) && s !== q) problems.push(`${fn.address} may send to the money DLQ ${s}`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// M5: the money at rest
// ---------------------------------------------------------------------------------------------
const globToRegExp = (glob: string): RegExp => new RegExp(`^${glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);

export function checkTablePolicies(config: TerraformConfig, expect: PerimeterExpectations): Problems {
  const problems: Problems = [];
  const instances = functionInstances(config, expect.handlers);
  for (const [table, want] of Object.entries(expect.tablePolicies)) {
    const refs = [`module.tables.arns.${table}`, `aws_dynamodb_table.${table}.arn`];
    const rp = resources(config, 'aws_dynamodb_resource_policy').find((p) => refs.some((r) => text(p.body.resource_arn).includes(r)));
    if (!rp) {
      problems.push(`table ${table}: no aws_dynamodb_resource_policy (nothing bounds what IAM may grant on it)`);
      continue;
    }
    const denies = documentOf(config, rp).map((s) => s.body).filter((st) => st.effect === 'Deny' && isEveryone(st));
    const denied = denies.flatMap(actionsOf);
    const missing = want.deny.filter((a) => !denied.some((d) => globToRegExp(d).test(a)));
    if (missing.length > 0) problems.push(`${at(rp)} does not deny ${missing.join(', ')} (table ${table})`);
    for (const st of denies) {
      const conditions = conditionsOf(st);
      for (const c of conditions) {
        if (c.variable !== 'aws:PrincipalArn' || !isArnNot(c)) problems.push(`${at(rp)} Deny ${text(st.sid)} has a condition ${c.test} ${c.variable}, which could let writes through`);
      }
      const exempt = conditionText(config, rp.dir, conditions);
      if (!exempt.includes(`var.${expect.breakGlassVariable}`)) problems.push(`${at(rp)} Deny ${text(st.sid)} exempts no break-glass role (var.${expect.breakGlassVariable})`);
      for (const fn of instances) {
        const role = roleArnRef(fn);
        const writer = fn.handler !== undefined && want.writers.includes(fn.handler);
        if (writer && (!role || !exempt.includes(role))) problems.push(`${at(rp)} Deny ${text(st.sid)} does not exempt ${fn.address}, which writes ${table}`);
        if (!writer && role && exempt.includes(role)) problems.push(`${at(rp)} Deny ${text(st.sid)} lets ${fn.address} write ${table}`);
      }
    }
  }
  return problems;
}

export function perimeterCheckers(expect: PerimeterExpectations): Record<string, (config: TerraformConfig) => Problems> {
  return {
    eventBus: (c) => checkEventBus(c, expect.handlers),
    publisherGrants: (c) => checkPublisherGrants(c, expect.handlers),
    queuePolicies: (c) => checkQueuePolicies(c, expect.handlers),
    dlqSeparation: (c) => checkDlqSeparation(c, expect.handlers),
    tablePolicies: (c) => checkTablePolicies(c, expect),
  };
}
