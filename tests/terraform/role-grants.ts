/**
 * What Terraform grants each handler's role, in the recorder's terms (`table:ledger`,
 * `index:jobs/unsettled`, `queue:dlq`, `topic:alerts`, `bus:events`, `log-group:own`): every Allow
 * statement the role gets (model.ts follows source documents and module arguments), each action on
 * each resource it names. A resource this file cannot name comes out as `unknown:<expression>`, so a
 * new kind of grant shows up as drift instead of disappearing.
 */
import { moduleCalls, outputs, text, type TerraformConfig } from './hcl';
import { functionInstances, roleStatements, type FunctionInstance } from './model';
import type { Needed } from '../support/sdk-recorder';

/** `${aws_dynamodb_table.jobs.arn}/index/unsettled` for each key of the tables module's `index_arns` output. */
function indexArns(config: TerraformConfig): Record<string, string> {
  const tablesDir = moduleCalls(config).find((c) => c.dir === '' && c.name === 'tables')?.target;
  const value = tablesDir === undefined ? undefined : outputs(config, tablesDir).index_arns?.value;
  return value && typeof value === 'object' && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, text(v)]))
    : {};
}

/** One resource expression of a statement, as a logical resource. */
export function logicalResource(config: TerraformConfig, fn: FunctionInstance, expression: string): string {
  const passed = /^\$\{var\.([\w-]+)\}$/.exec(expression);
  if (passed && fn.call && fn.call.args[passed[1]!] !== undefined)
    return logicalResource(config, fn, text(fn.call.args[passed[1]!]));
  const table = /^\$\{module\.tables\.arns\.(\w+)\}$/.exec(expression);
  if (table) return `table:${table[1]}`;
  const index = /^\$\{module\.tables\.index_arns\.(\w+)\}$/.exec(expression);
  const indexArn = index
    ? /^\$\{aws_dynamodb_table\.(\w+)\.arn\}\/index\/(\w+)$/.exec(indexArns(config)[index[1]!] ?? '')
    : null;
  if (indexArn) return `index:${indexArn[1]}/${indexArn[2]}`;
  const queue = /^\$\{aws_sqs_queue\.(\w+)\.arn\}$/.exec(expression);
  if (queue) return `queue:${queue[1]}`;
  if (expression === '${module.alerts.topic_arn}') return 'topic:alerts';
  if (expression === '${local.event_bus_arn}') return 'bus:events';
  if (expression === '${aws_cloudwatch_log_group.this.arn}:*') return 'log-group:own';
  return `unknown:${expression}`;
}

/** Every action each handler's role is granted, on each resource (handler name → grants). */
export function roleGrants(config: TerraformConfig, handlers: readonly string[]): Record<string, Needed[]> {
  const out: Record<string, Needed[]> = {};
  for (const fn of functionInstances(config, handlers)) {
    if (!fn.handler) continue;
    out[fn.handler] = roleStatements(config, fn).flatMap((st) => {
      const res = Array.isArray(st.resources) ? st.resources.map(text) : [];
      const actions = Array.isArray(st.actions) ? st.actions.map(text) : [];
      return actions.flatMap((action) => res.map((r) => ({ action, resource: logicalResource(config, fn, r) })));
    });
  }
  return out;
}
