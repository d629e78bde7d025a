/**
 * Functions: each exists, is Active with its last update successful, runs the expected runtime,
 * has the environment Terraform gives it (shared/config.ts HANDLER_ENV, values pointing at this
 * workspace) and nothing else, and has an alias `live` on a published version (what every trigger
 * invokes). The configuration read is the one of the version `live` points at: $LATEST is what the
 * next deploy publishes, not what runs (security review L1).
 */
import { GetAliasCommand, GetFunctionConfigurationCommand, type FunctionConfiguration } from '@aws-sdk/client-lambda';
import { HANDLERS, HANDLER_ENV, type HandlerName } from '../../shared/config';
import { checkDlqUrl } from '../../shared/dlq/queue-url';
import { LIVE_ALIAS, expectedEnvironment, type AccountScope } from '../../shared/naming';
import { fail, guarded, isNotFound, pass, type CheckResult, type DoctorDeps } from './types';

export async function functionChecks(deps: DoctorDeps): Promise<CheckResult[]> {
  const perFunction = await Promise.all(
    HANDLERS.map(async (handler) => [
      ...(await guarded(`function ${handler}`, () => configurationCheck(deps, handler))),
      ...(await guarded(`alias ${handler}:${LIVE_ALIAS}`, () => aliasCheck(deps, handler))),
    ]),
  );
  return perFunction.flat();
}

/** The region and account a function lives in, from its ARN. */
export function scopeOfFunctionArn(arn: string | undefined): AccountScope | undefined {
  const match = /^arn:([^:]+):lambda:([^:]+):(\d{12}):function:/.exec(arn ?? '');
  return match ? { partition: match[1]!, region: match[2]!, accountId: match[3]! } : undefined;
}

/**
 * Variables the handler does not read. Terraform sets exactly HANDLER_ENV; anything else was added
 * by hand and changes what the function does without a code change: AWS_ENDPOINT_URL* sends its
 * requests elsewhere, NODE_OPTIONS changes what Node runs (`--require`, `--import`).
 */
function unexpectedVariables(handler: HandlerName, variables: Record<string, string>): string[] {
  const extra = Object.keys(variables)
    .filter((k) => !HANDLER_ENV[handler].includes(k))
    .sort();
  return extra.length === 0
    ? []
    : [
        `unexpected ${extra.join(', ')} (the handler reads only ${HANDLER_ENV[handler].join(', ')}; an AWS_ENDPOINT_URL* variable redirects its requests, NODE_OPTIONS changes what runs)`,
      ];
}

/** DLQ_URL must be the workspace's DLQ in the function's own region and account (not just end like it). */
function dlqUrlProblems(
  deps: Pick<DoctorDeps, 'names'>,
  handler: HandlerName,
  variables: Record<string, string>,
  scope: AccountScope | undefined,
): string[] {
  const value = variables.DLQ_URL;
  if (!HANDLER_ENV[handler].includes('DLQ_URL') || value === undefined) return [];
  if (!scope) return ['DLQ_URL cannot be checked: the configuration names no function ARN (region, account)'];
  const check = checkDlqUrl(value, {
    workspace: deps.names.workspace,
    region: scope.region,
    accountId: scope.accountId,
  });
  return check.ok ? [] : [`DLQ_URL ${check.problem}`];
}

/** Differences between a function's environment and what Terraform sets; empty when right. */
export function environmentProblems(
  deps: Pick<DoctorDeps, 'names' | 'eventBusName'>,
  handler: HandlerName,
  variables: Record<string, string>,
  scope?: AccountScope,
): string[] {
  const { keys, values } = expectedEnvironment(handler, deps.names);
  const problems: string[] = [];
  const missing = keys.filter((k) => !(k in variables) && k !== 'LOG_LEVEL');
  if (missing.length > 0) problems.push(`missing ${missing.join(', ')}`);
  problems.push(...unexpectedVariables(handler, variables));
  for (const [key, want] of Object.entries(values)) {
    if (key in variables && variables[key] !== want) problems.push(`${key}=${variables[key]} (expected ${want})`);
  }
  problems.push(...dlqUrlProblems(deps, handler, variables, scope));
  const suffix = (key: string, want: string, test: (v: string) => boolean) => {
    const value = variables[key];
    if (keys.includes(key) && value !== undefined && !test(value)) problems.push(`${key}=${value} (expected ${want})`);
  };
  suffix('ALERTS_TOPIC_ARN', `…:${deps.names.alertsTopic}`, (v) => v.endsWith(`:${deps.names.alertsTopic}`));
  suffix('EVENT_BUS_NAME', deps.eventBusName, (v) => v === deps.eventBusName || v.endsWith(`/${deps.eventBusName}`));
  return problems;
}

/** State, last update and runtime of the configuration `live` runs. */
function runtimeProblems(deps: DoctorDeps, config: FunctionConfiguration): string[] {
  const problems: string[] = [];
  if (config.State && config.State !== 'Active')
    problems.push(`state ${config.State}${config.StateReason ? ` (${config.StateReason})` : ''}`);
  if (config.LastUpdateStatus && config.LastUpdateStatus !== 'Successful')
    problems.push(
      `last update ${config.LastUpdateStatus}${config.LastUpdateStatusReason ? ` (${config.LastUpdateStatusReason})` : ''}`,
    );
  if (config.Runtime !== deps.expectedRuntime)
    problems.push(`runtime ${config.Runtime ?? 'none'} (expected ${deps.expectedRuntime})`);
  return problems;
}

async function configurationCheck(deps: DoctorDeps, handler: HandlerName): Promise<CheckResult> {
  const name = `function ${handler}`;
  const functionName = deps.names.functions[handler];
  let config: FunctionConfiguration;
  try {
    config = await deps.lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: functionName, Qualifier: LIVE_ALIAS }),
    );
  } catch (error) {
    if (isNotFound(error))
      return fail(
        name,
        `${functionName}:${LIVE_ALIAS} does not exist (the function, or its alias ${LIVE_ALIAS}): deploy with make apply WS=${deps.names.workspace}`,
      );
    throw error;
  }
  const scope = scopeOfFunctionArn(config.FunctionArn);
  const problems = [
    ...runtimeProblems(deps, config),
    ...environmentProblems(deps, handler, config.Environment?.Variables ?? {}, scope),
  ];
  const version = config.Version ? ` (version ${config.Version})` : '';
  if (problems.length > 0) return fail(name, `${functionName}:${LIVE_ALIAS}${version}: ${problems.join('; ')}`);
  return pass(
    name,
    `${functionName}:${LIVE_ALIAS}${version}: ${config.Runtime}, ${config.State ?? 'Active'}, environment as Terraform sets it`,
  );
}

async function aliasCheck(deps: DoctorDeps, handler: HandlerName): Promise<CheckResult> {
  const name = `alias ${handler}:${LIVE_ALIAS}`;
  const functionName = deps.names.functions[handler];
  try {
    const alias = await deps.lambda.send(new GetAliasCommand({ FunctionName: functionName, Name: LIVE_ALIAS }));
    const version = alias.FunctionVersion;
    if (!version || !/^\d+$/.test(version))
      return fail(
        name,
        `${functionName}:${LIVE_ALIAS} points at ${version ?? 'nothing'}, not a published version: make deploy WS=${deps.names.workspace}`,
      );
    const weights = alias.RoutingConfig?.AdditionalVersionWeights;
    const split = weights && Object.keys(weights).length > 0 ? `, also routing to ${JSON.stringify(weights)}` : '';
    return pass(name, `${functionName}:${LIVE_ALIAS} → version ${version}${split}`);
  } catch (error) {
    if (isNotFound(error))
      return fail(
        name,
        `${functionName} has no alias ${LIVE_ALIAS}: triggers have nothing to invoke; make apply WS=${deps.names.workspace}`,
      );
    throw error;
  }
}
