/**
 * Functions: each exists, is Active with its last update successful, runs the expected runtime,
 * has the environment Terraform gives it (shared/config.ts HANDLER_ENV, values pointing at this
 * workspace), and has an alias `live` on a published version (what every trigger invokes).
 */
import { GetAliasCommand, GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { HANDLERS, type HandlerName } from '../../config';
import { LIVE_ALIAS, expectedEnvironment } from '../../naming';
import { fail, guarded, isNotFound, pass, type CheckResult, type DoctorDeps } from './types';

export async function functionChecks(deps: DoctorDeps): Promise<CheckResult[]> {
  const perFunction = await Promise.all(HANDLERS.map(async (handler) => [
    ...(await guarded(`function ${handler}`, () => configurationCheck(deps, handler))),
    ...(await guarded(`alias ${handler}:${LIVE_ALIAS}`, () => aliasCheck(deps, handler))),
  ]));
  return perFunction.flat();
}

/** Differences between a function's environment and what Terraform sets; empty when right. */
export function environmentProblems(deps: Pick<DoctorDeps, 'names' | 'eventBusName'>, handler: HandlerName, variables: Record<string, string>): string[] {
  const { keys, values } = expectedEnvironment(handler, deps.names);
  const problems: string[] = [];
  const missing = keys.filter((k) => !(k in variables) && k !== 'LOG_LEVEL');
  if (missing.length > 0) problems.push(`missing ${missing.join(', ')}`);
  for (const [key, want] of Object.entries(values)) {
    if (key in variables && variables[key] !== want) problems.push(`${key}=${variables[key]} (expected ${want})`);
  }
  const suffix = (key: string, want: string, test: (v: string) => boolean) => {
    const value = variables[key];
    if (keys.includes(key) && value !== undefined && !test(value)) problems.push(`${key}=${value} (expected ${want})`);
  };
  suffix('DLQ_URL', `…/${deps.names.dlq}`, (v) => v.endsWith(`/${deps.names.dlq}`));
  suffix('ALERTS_TOPIC_ARN', `…:${deps.names.alertsTopic}`, (v) => v.endsWith(`:${deps.names.alertsTopic}`));
  suffix('EVENT_BUS_NAME', deps.eventBusName, (v) => v === deps.eventBusName || v.endsWith(`/${deps.eventBusName}`));
  return problems;
}

async function configurationCheck(deps: DoctorDeps, handler: HandlerName): Promise<CheckResult> {
  const name = `function ${handler}`;
  const functionName = deps.names.functions[handler];
  let config;
  try {
    config = await deps.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
  } catch (error) {
    if (isNotFound(error)) return fail(name, `${functionName} does not exist: deploy with make apply WS=${deps.names.workspace}`);
    throw error;
  }
  const problems: string[] = [];
  if (config.State && config.State !== 'Active') problems.push(`state ${config.State}${config.StateReason ? ` (${config.StateReason})` : ''}`);
  if (config.LastUpdateStatus && config.LastUpdateStatus !== 'Successful') problems.push(`last update ${config.LastUpdateStatus}${config.LastUpdateStatusReason ? ` (${config.LastUpdateStatusReason})` : ''}`);
  if (config.Runtime !== deps.expectedRuntime) problems.push(`runtime ${config.Runtime ?? 'none'} (expected ${deps.expectedRuntime})`);
  problems.push(...environmentProblems(deps, handler, config.Environment?.Variables ?? {}));
  if (problems.length > 0) return fail(name, `${functionName}: ${problems.join('; ')}`);
  return pass(name, `${functionName}: ${config.Runtime}, ${config.State ?? 'Active'}, environment as Terraform sets it`);
}

async function aliasCheck(deps: DoctorDeps, handler: HandlerName): Promise<CheckResult> {
  const name = `alias ${handler}:${LIVE_ALIAS}`;
  const functionName = deps.names.functions[handler];
  try {
    const alias = await deps.lambda.send(new GetAliasCommand({ FunctionName: functionName, Name: LIVE_ALIAS }));
    const version = alias.FunctionVersion;
    if (!version || !/^\d+$/.test(version)) return fail(name, `${functionName}:${LIVE_ALIAS} points at ${version ?? 'nothing'}, not a published version: make deploy WS=${deps.names.workspace}`);
    const weights = alias.RoutingConfig?.AdditionalVersionWeights;
    const split = weights && Object.keys(weights).length > 0 ? `, also routing to ${JSON.stringify(weights)}` : '';
    return pass(name, `${functionName}:${LIVE_ALIAS} → version ${version}${split}`);
  } catch (error) {
    if (isNotFound(error)) return fail(name, `${functionName} has no alias ${LIVE_ALIAS}: triggers have nothing to invoke; make apply WS=${deps.names.workspace}`);
    throw error;
  }
}
