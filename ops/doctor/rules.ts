/**
 * EventBridge: each rule exists, is ENABLED, and targets the alias `live` of the right function
 * (never $LATEST, never a bare function ARN: a rollback moves only the alias).
 */
import { DescribeRuleCommand, ListTargetsByRuleCommand, type Target } from '@aws-sdk/client-eventbridge';
import { LIVE_ALIAS, type ExpectedRule } from '../../shared/naming';
import { MAX_PAGES, fail, guarded, isNotFound, pass, type CheckResult, type DoctorDeps } from './types';

export async function ruleChecks(deps: DoctorDeps): Promise<CheckResult[]> {
  const perRule = await Promise.all(
    Object.values(deps.names.rules).map(async (rule) => {
      const bus = rule.onDefaultBus ? 'default' : deps.eventBusName;
      const state = await guarded(`rule ${rule.name}`, () => stateCheck(deps, rule, bus));
      if (!state[0]!.ok && /does not exist/.test(state[0]!.detail))
        return [...state, fail(`rule ${rule.name} target`, 'rule missing: nothing to check')];
      return [...state, ...(await guarded(`rule ${rule.name} target`, () => targetCheck(deps, rule, bus)))];
    }),
  );
  return perRule.flat();
}

async function stateCheck(deps: DoctorDeps, rule: ExpectedRule, bus: string): Promise<CheckResult> {
  const name = `rule ${rule.name}`;
  try {
    const described = await deps.eventBridge.send(new DescribeRuleCommand({ Name: rule.name, EventBusName: bus }));
    if (described.State === 'ENABLED')
      return pass(
        name,
        `ENABLED on bus ${bus}${described.ScheduleExpression ? `, ${described.ScheduleExpression}` : ''}`,
      );
    const hint = rule.onDefaultBus
      ? `the sweep does not run (a paused workspace? terraform output paused; make resume WS=${deps.names.workspace})`
      : `events of this rule are being DROPPED; make apply WS=${deps.names.workspace} re-enables it`;
    return fail(name, `${described.State ?? 'unknown state'} on bus ${bus}: ${hint}`);
  } catch (error) {
    if (isNotFound(error)) return fail(name, `does not exist on bus ${bus}: make apply WS=${deps.names.workspace}`);
    throw error;
  }
}

export function isLiveAliasOf(arn: string | undefined, functionName: string): boolean {
  return arn !== undefined && arn.endsWith(`:function:${functionName}:${LIVE_ALIAS}`);
}

async function targetCheck(deps: DoctorDeps, rule: ExpectedRule, bus: string): Promise<CheckResult> {
  const name = `rule ${rule.name} target`;
  const functionName = deps.names.functions[rule.target];
  const targets: Target[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const out = await deps.eventBridge.send(
      new ListTargetsByRuleCommand({ Rule: rule.name, EventBusName: bus, NextToken: token }),
    );
    targets.push(...(out.Targets ?? []));
    token = out.NextToken;
    if (!token) break;
  }
  const live = targets.filter((t) => isLiveAliasOf(t.Arn, functionName));
  if (live.length === 1)
    return pass(
      name,
      `→ ${functionName}:${LIVE_ALIAS}${live[0]!.DeadLetterConfig?.Arn ? `, dead letters → ${live[0]!.DeadLetterConfig.Arn.split(':').pop()}` : ''}`,
    );
  const seen = targets.map((t) => t.Arn ?? '?').join(', ') || 'no targets';
  return fail(
    name,
    `expected exactly one target ${functionName}:${LIVE_ALIAS}, found ${seen}: make apply WS=${deps.names.workspace}`,
  );
}
