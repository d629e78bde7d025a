/**
 * The local EventBridge's settings, resolved once from its options: the workspace's names and ARNs
 * (shared/naming.ts, as Terraform has them), the rules and their buses, retry limits, concurrency.
 */
import { LIVE_ALIAS, arns, workspaceNames } from '../../shared/naming';
import { RETRY_POLICY, RULES, type RuleDefinition } from './rules';
import type { DlqSender, LocalEventBridgeOptions } from './types';

export interface BusWorld {
  region: string;
  account: string;
  workspace: string;
  scope: { region: string; accountId: string };
  rules: readonly RuleDefinition[];
  /** The bus the event rules are on, and every bus that exists. */
  eventBusName: string;
  busNames: Set<string>;
  deliveryMaxRetries: number;
  lambdaMaxRetries: number;
  retryDelayMs: number;
  maxConcurrency: number;
  functionTimeoutMs: number;
  functionName(target: string): string;
  /** The function's `live` alias: what a rule targets and a destination record names. */
  functionArn(target: string): string;
  ruleBus(rule: RuleDefinition): string;
  ruleArn(rule: RuleDefinition): string;
  lambdaSender(target: string): DlqSender;
}

function retryLimits(options: LocalEventBridgeOptions): { deliveryMaxRetries: number; lambdaMaxRetries: number } {
  const deliveryMaxRetries = options.deliveryMaxRetryAttempts ?? RETRY_POLICY.eventBridgeMaxRetryAttempts;
  const lambdaMaxRetries = options.lambdaMaxRetryAttempts ?? RETRY_POLICY.lambdaMaxRetryAttempts;
  if (!Number.isInteger(lambdaMaxRetries) || lambdaMaxRetries < 0 || lambdaMaxRetries > 2)
    throw new Error('lambdaMaxRetryAttempts must be 0, 1 or 2 (Lambda limit)');
  if (!Number.isInteger(deliveryMaxRetries) || deliveryMaxRetries < 0 || deliveryMaxRetries > 185)
    throw new Error('deliveryMaxRetryAttempts must be 0..185 (EventBridge limit)');
  return { deliveryMaxRetries, lambdaMaxRetries };
}

export function busWorldFrom(options: LocalEventBridgeOptions): BusWorld {
  const region = options.region ?? 'us-east-1';
  const account = options.account ?? '123456789012';
  const workspace = options.workspace ?? 'local';
  const names = workspaceNames(workspace);
  const eventBusName = options.eventBusName ?? names.eventBus;
  const scope = { region, accountId: account };
  const functionName = (target: string) =>
    names.functions[target as keyof typeof names.functions] ?? `cc-agent-reconciler-${target}-${workspace}`;
  const ruleBus = (rule: RuleDefinition) => (names.rules[rule.key].onDefaultBus ? 'default' : eventBusName);
  return {
    region,
    account,
    workspace,
    scope,
    eventBusName,
    rules: options.rules ?? RULES,
    busNames: new Set(options.busNames ?? ['default', eventBusName]),
    ...retryLimits(options),
    retryDelayMs: options.retryDelayMs ?? 5,
    maxConcurrency: options.maxConcurrency ?? 16,
    functionTimeoutMs: options.functionTimeoutMs ?? 30_000,
    functionName,
    functionArn: (target) => arns.function(scope, functionName(target), LIVE_ALIAS),
    ruleBus,
    ruleArn: (rule) => arns.rule(scope, ruleBus(rule), names.rules[rule.key].name),
    lambdaSender: (target) => ({ kind: 'function', functionName: functionName(target) }),
  };
}
