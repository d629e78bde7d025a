/**
 * What the parsed configuration means, as far as the checkers need it: which function instances
 * exist (a module called four times is four functions), what each one's role may do (role -> role
 * policy -> policy documents -> their source documents), which policy document a resource attaches,
 * the statements and conditions of a document (dynamic blocks included), and expressions with the
 * locals and module arguments they name written out, so that a check can ask "does this list name
 * that role?" without a terraform binary.
 */
import {
  blocks,
  dataSources,
  first,
  isObject,
  locals,
  moduleCalls,
  resources,
  text,
  type Block,
  type Json,
  type ModuleCall,
  type ResourceRef,
  type TerraformConfig,
} from './hcl';

export type Problems = string[];

export const at = (r: ResourceRef): string => `${r.dir || '.'}: ${r.type}.${r.name}`;

/**
 * Does the text name the reference? Also when the text is a list or object written out as JSON
 * (text()), where the quotes of an instance key are escaped: `trigger[\"sweep_schedule\"].arn`.
 */
export const mentions = (haystack: string, reference: string): boolean =>
  haystack.includes(reference) || haystack.includes(JSON.stringify(reference).slice(1, -1));

export function varRefs(value: Json | undefined): string[] {
  return [...text(value).matchAll(/\bvar\.([A-Za-z_][\w-]*)/g)].map((m) => m[1]!);
}

export function callsTo(config: TerraformConfig, dir: string): ModuleCall[] {
  return moduleCalls(config).filter((c) => c.target === dir);
}

// ---------------------------------------------------------------------------------------------
// Function instances
// ---------------------------------------------------------------------------------------------
export interface FunctionInstance {
  /** `module.debit` or `aws_lambda_function.debit`. */
  address: string;
  handler: string | undefined;
  env: Record<string, Json> | undefined;
  function: ResourceRef;
  call?: ModuleCall;
}

function inferHandler(value: Json | undefined, handlers: readonly string[]): string | undefined {
  const s = text(value);
  return [...handlers].sort((a, b) => b.length - a.length).find((h) => s.includes(`-${h}-`) || s.includes(`"${h}"`));
}

export function functionInstances(config: TerraformConfig, handlers: readonly string[]): FunctionInstance[] {
  const out: FunctionInstance[] = [];
  for (const fn of resources(config, 'aws_lambda_function')) {
    const envValue = first(fn.body.environment)?.variables;
    if (fn.dir === '') {
      out.push({
        address: `aws_lambda_function.${fn.name}`,
        handler: inferHandler(fn.body.function_name, handlers),
        env: isObject(envValue) ? envValue : undefined,
        function: fn,
      });
      continue;
    }
    for (const call of callsTo(config, fn.dir)) {
      // The module's environment is either a literal map or exactly one variable the caller passes.
      let env: Record<string, Json> | undefined;
      if (isObject(envValue)) env = envValue;
      else {
        const m = /^\$\{var\.([\w-]+)\}$/.exec(text(envValue));
        const passed = m ? call.args[m[1]!] : undefined;
        env = isObject(passed) ? passed : undefined;
      }
      const explicit = typeof call.args.handler_name === 'string' ? call.args.handler_name : undefined;
      out.push({
        address: `module.${call.name}`,
        handler: explicit ?? inferHandler(call.args.function_name, handlers),
        env,
        function: fn,
        call,
      });
    }
  }
  return out;
}

/** How the root refers to an instance's role ARN: `module.debit.role_arn` or `aws_iam_role.x.arn`. */
export function roleArnRef(fn: FunctionInstance): string | undefined {
  if (fn.call) return `module.${fn.call.name}.role_arn`;
  return /(aws_iam_role\.[\w-]+\.arn)/.exec(text(fn.function.body.role))?.[1];
}

/** A value the function's module receives, as the caller wrote it (`${var.x}` → the argument). */
export function passedValue(fn: FunctionInstance, value: Json | undefined): Json | undefined {
  const v = /^\$\{var\.([\w-]+)\}$/.exec(text(value));
  return v && fn.call ? fn.call.args[v[1]!] : value;
}

// ---------------------------------------------------------------------------------------------
// Policy documents
// ---------------------------------------------------------------------------------------------
export interface Statement {
  body: Block;
  /** From a `dynamic "statement"` block: present only when its for_each is not empty. */
  dynamic: boolean;
}

export interface Condition {
  test: string;
  variable: string;
  values: Json | undefined;
  /** From a `dynamic "condition"` block: present only when its for_each is not empty. */
  dynamic: boolean;
}

/** `${data.aws_iam_policy_document.x.json}` (or `x[0]`) → that data source in `dir`. */
export function policyDocument(config: TerraformConfig, dir: string, expr: Json | undefined): ResourceRef | undefined {
  const m = /^\$\{data\.aws_iam_policy_document\.([\w-]+)(?:\[0\])?\.json\}$/.exec(text(expr));
  return m ? dataSources(config, 'aws_iam_policy_document').find((d) => d.dir === dir && d.name === m[1]) : undefined;
}

const dynamicContents = (body: Block, label: string): Block[] =>
  blocks(body.dynamic)
    .flatMap((d) => blocks(d[label]))
    .flatMap((d) => blocks(d.content));

/** The document's own statements, static and dynamic (not those of its source documents). */
export function statementsOf(doc: ResourceRef | undefined): Statement[] {
  if (!doc) return [];
  return [
    ...blocks(doc.body.statement).map((body) => ({ body, dynamic: false })),
    ...dynamicContents(doc.body, 'statement').map((body) => ({ body, dynamic: true })),
  ];
}

export function conditionsOf(st: Block): Condition[] {
  const make = (c: Block, dynamic: boolean): Condition => ({
    test: text(c.test),
    variable: text(c.variable),
    values: c.values,
    dynamic,
  });
  return [
    ...blocks(st.condition).map((c) => make(c, false)),
    ...dynamicContents(st, 'condition').map((c) => make(c, true)),
  ];
}

export const actionsOf = (st: Block): string[] => (Array.isArray(st.actions) ? st.actions.map(text) : []);

/** `principals` of a statement as `type:identifiers-text` pairs, e.g. `*:["*"]`, `Service:["events.amazonaws.com"]`. */
export function principalsOf(st: Block): { type: string; identifiers: string }[] {
  return blocks(st.principals).map((p) => ({ type: text(p.type), identifiers: text(p.identifiers) }));
}

export const isEveryone = (st: Block): boolean =>
  principalsOf(st).some((p) => (p.type === '*' || p.type === 'AWS') && /^\["\*"\]$/.test(p.identifiers));

/** Statements of a document including its source documents (depth-limited), as the role gets them. */
export function documentStatements(
  config: TerraformConfig,
  dir: string,
  expr: string,
  call: ModuleCall | undefined,
  depth = 0,
): Block[] {
  if (depth > 5) return [];
  const found = policyDocument(config, dir, expr);
  if (found) {
    const sources = Array.isArray(found.body.source_policy_documents)
      ? found.body.source_policy_documents.map(text)
      : [];
    const dynamicOnes = blocks(found.body.dynamic)
      .flatMap((d) => blocks(d.statement))
      .filter((d) => dynamicActive(config, dir, d.for_each, call))
      .flatMap((d) => blocks(d.content));
    return [
      ...sources.flatMap((s) => documentStatements(config, dir, s, call, depth + 1)),
      ...blocks(found.body.statement),
      ...dynamicOnes,
    ];
  }
  const v = /^\$\{var\.([\w-]+)\}$/.exec(expr);
  if (v && call) return documentStatements(config, call.dir, text(call.args[v[1]!]), undefined, depth + 1);
  return [];
}

/**
 * Whether a dynamic block is there for this module call: `for_each = local.X ? [...] : []` with
 * `X = var.V != null` is there only when the caller passes V. Anything else counts as there (a grant
 * the model cannot rule out is a grant).
 */
function dynamicActive(
  config: TerraformConfig,
  dir: string,
  forEach: Json | undefined,
  call: ModuleCall | undefined,
): boolean {
  const flag = /^\$\{local\.([\w-]+) \? \[.*\] : \[\]\}$/.exec(text(forEach))?.[1];
  const variable = flag ? /^\$\{var\.([\w-]+) != null\}$/.exec(text(locals(config, dir)[flag]))?.[1] : undefined;
  if (!variable || !call) return true;
  return call.args[variable] !== undefined;
}

/** Every Allow statement the instance's role policies give it (after following source documents). */
export function roleStatements(config: TerraformConfig, fn: FunctionInstance): Block[] {
  const roleName = /aws_iam_role\.([\w-]+)\.arn/.exec(text(fn.function.body.role))?.[1];
  if (!roleName) return [];
  const policies = resources(config, 'aws_iam_role_policy').filter(
    (p) => p.dir === fn.function.dir && text(p.body.role).includes(`aws_iam_role.${roleName}.`),
  );
  return policies
    .flatMap((p) => documentStatements(config, p.dir, text(p.body.policy), fn.call))
    .filter((st) => st.effect !== 'Deny');
}

export interface Grant {
  action: string;
  resources: string[];
}

export function effectiveGrants(config: TerraformConfig, fn: FunctionInstance): Grant[] {
  return roleStatements(config, fn).flatMap((st) => {
    const res = Array.isArray(st.resources) ? st.resources.map(text) : [];
    return actionsOf(st).map((action) => ({ action, resources: res }));
  });
}

// ---------------------------------------------------------------------------------------------
// Expressions written out
// ---------------------------------------------------------------------------------------------

/**
 * The text of a value with every `local.x` of `dir` replaced by that local's own text, recursively
 * (a few levels): enough to ask whether a list built in locals names a given reference.
 */
export function expand(config: TerraformConfig, dir: string, value: Json | undefined, depth = 0): string {
  const own = text(value);
  if (depth > 4) return own;
  const defined = locals(config, dir);
  return own.replace(/\blocal\.([A-Za-z_][\w-]*)/g, (whole, name: string) =>
    name in defined ? `(${expand(config, dir, defined[name], depth + 1)})` : whole,
  );
}

/** A number written directly or as one `${local.x}` of `dir` (undefined if neither). */
export function numberValue(config: TerraformConfig, dir: string, value: Json | undefined): number | undefined {
  if (typeof value === 'number') return value;
  const m = /^\$\{local\.([\w-]+)\}$/.exec(text(value));
  const resolved = m ? locals(config, dir)[m[1]!] : undefined;
  return typeof resolved === 'number' ? resolved : undefined;
}
