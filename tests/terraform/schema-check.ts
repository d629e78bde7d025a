/**
 * A small offline `terraform validate`: every resource, data and provider block is checked against
 * the provider schema (provider-schema.ts), and every reference against what the module declares.
 * Like the checkers in checks.ts it returns findings instead of asserting, so that schema.test.ts
 * runs it on terraform/ expecting none and on one broken fixture per kind of mistake expecting
 * exactly that mistake.
 */
import {
  blocks,
  expressions,
  isObject,
  locals,
  moduleCalls,
  outputs,
  resources,
  dataSources,
  text,
  variables,
  type Block,
  type Json,
  type ModuleCall,
  type ResourceRef,
  type TerraformConfig,
} from './hcl';
import { localForEach } from './instances';
import {
  BUILTIN_SOURCE,
  fullSource,
  isComputedOnly,
  providerLocalName,
  type BlockSchema,
  type NestedBlockSchema,
  type ProviderSchemas,
} from './provider-schema';

/** Every kind of mistake the checker reports; schema.test.ts has a broken fixture for each. */
export const FINDING_KINDS = [
  'unknown-resource-type',
  'unknown-argument',
  'unknown-block',
  'missing-required',
  'too-many-blocks',
  'computed-only-set',
  'deprecated',
  'undeclared-resource',
  'bad-reference-attribute',
  'undeclared-variable',
  'undeclared-local',
  'undeclared-each-attribute',
  'undeclared-module',
  'missing-module-output',
  'module-argument-without-variable',
  'module-argument-missing',
  'module-source-missing',
] as const;

export type FindingKind = (typeof FINDING_KINDS)[number];

export interface Finding {
  kind: FindingKind;
  /** Module directory and block, e.g. `modules/function: aws_lambda_function.this`. */
  at: string;
  /** The argument, block or reference in question, e.g. `environment.variables` or `var.zip`. */
  subject: string;
  message: string;
}

export const formatFinding = (f: Finding): string => `${f.at}: ${f.message} [${f.kind}]`;

type Report = (kind: FindingKind, subject: string, message: string) => void;

// ---------------------------------------------------------------------------------------------
// Meta-arguments: Terraform's own, valid on every block of that kind whatever the provider says
// ---------------------------------------------------------------------------------------------
const RESOURCE_META = new Set([
  'count',
  'for_each',
  'depends_on',
  'provider',
  'lifecycle',
  'provisioner',
  'connection',
]);
const DATA_META = new Set(['count', 'for_each', 'depends_on', 'provider', 'lifecycle']);
const PROVIDER_META = new Set(['alias', 'version']);
const LIFECYCLE_ARGS = {
  resource: new Set([
    'create_before_destroy',
    'prevent_destroy',
    'ignore_changes',
    'replace_triggered_by',
    'precondition',
    'postcondition',
  ]),
  data: new Set(['precondition', 'postcondition']),
};
const DYNAMIC_ARGS = new Set(['for_each', 'iterator', 'labels', 'content']);
const MODULE_META = new Set(['source', 'version', 'providers', 'depends_on', 'count', 'for_each']);
/** A `moved` block is no resource: it says where an address went, and has nothing but these two. */
const MOVED_ARGS = new Set(['from', 'to']);

// ---------------------------------------------------------------------------------------------
// Block bodies against the schema
// ---------------------------------------------------------------------------------------------

/** hcl2json writes `name { … }` as an array of objects; an attribute rarely looks like that. */
const looksLikeBlock = (value: Json | undefined): boolean =>
  Array.isArray(value) && value.length > 0 && value.every(isObject);

function checkBody(body: Block, schema: BlockSchema, prefix: string, meta: Set<string>, report: Report): void {
  for (const [name, value] of Object.entries(body)) {
    if (!meta.has(name) && name !== 'dynamic') checkArgument(name, value, schema, prefix, report);
  }
  const dynamicCounts = checkDynamicBlocks(body.dynamic, schema.block_types ?? {}, prefix, report);
  checkRequired(body, schema, prefix, dynamicCounts, report);
}

/** One argument or block of a body: known to the schema, settable, not deprecated. */
function checkArgument(name: string, value: Json, schema: BlockSchema, prefix: string, report: Report): void {
  const subject = `${prefix}${name}`;
  const attribute = schema.attributes?.[name];
  const nested = schema.block_types?.[name];
  if (attribute) {
    if (isComputedOnly(attribute))
      report('computed-only-set', subject, `${subject} is set, but the provider computes it (computed-only)`);
    else if (attribute.deprecated) report('deprecated', subject, `${subject} is deprecated`);
  } else if (nested) {
    checkNestedBlocks(blocks(value), nested, subject, report);
  } else if (looksLikeBlock(value)) {
    report('unknown-block', subject, `block type ${subject} is not in the schema`);
  } else {
    report('unknown-argument', subject, `argument ${subject} is not in the schema`);
  }
}

/** Required arguments are set; blocks with min_items appear often enough (a dynamic block counts). */
function checkRequired(
  body: Block,
  schema: BlockSchema,
  prefix: string,
  dynamicCounts: Map<string, number>,
  report: Report,
): void {
  for (const [name, a] of Object.entries(schema.attributes ?? {})) {
    if (a.required && !(name in body))
      report('missing-required', `${prefix}${name}`, `required argument ${prefix}${name} is not set`);
  }
  for (const [name, b] of Object.entries(schema.block_types ?? {})) {
    const count = blocks(body[name]).length + (dynamicCounts.get(name) ?? 0);
    if (count < (b.min_items ?? 0))
      report(
        'missing-required',
        `${prefix}${name}`,
        `required block ${prefix}${name} is missing (at least ${b.min_items})`,
      );
  }
}

function checkNestedBlocks(instances: Block[], schema: NestedBlockSchema, subject: string, report: Report): void {
  if (schema.block.deprecated) report('deprecated', subject, `block ${subject} is deprecated`);
  if (schema.max_items !== undefined && instances.length > schema.max_items) {
    report(
      'too-many-blocks',
      subject,
      `${instances.length} ${subject} blocks, the schema allows at most ${schema.max_items}`,
    );
  }
  for (const [i, instance] of instances.entries())
    checkBody(instance, schema.block, `${subject}${instanceKey(instance, i, schema)}.`, new Set(), report);
}

/** `[0]`, or `["byUser"]` for a block that names itself, so findings point at one instance. */
function instanceKey(instance: Block, index: number, schema: NestedBlockSchema): string {
  if (schema.max_items === 1) return '';
  return typeof instance.name === 'string' && !instance.name.includes('${') ? `["${instance.name}"]` : `[${index}]`;
}

/** Validates `dynamic "<label>"` blocks; returns how many there are per label (each may make any number). */
function checkDynamicBlocks(
  value: Json | undefined,
  blockTypes: Record<string, NestedBlockSchema>,
  prefix: string,
  report: Report,
): Map<string, number> {
  const counts = new Map<string, number>();
  for (const byLabel of blocks(value)) {
    for (const [label, dynamics] of Object.entries(byLabel)) {
      const subject = `${prefix}${label}`;
      const nested = blockTypes[label];
      if (!nested) {
        report('unknown-block', subject, `dynamic block type ${subject} is not in the schema`);
        continue;
      }
      for (const d of blocks(dynamics)) {
        counts.set(label, (counts.get(label) ?? 0) + 1);
        for (const key of Object.keys(d))
          if (!DYNAMIC_ARGS.has(key))
            report('unknown-argument', `${subject}.${key}`, `argument ${key} is not valid in dynamic "${label}"`);
        if (nested.block.deprecated) report('deprecated', subject, `block ${subject} is deprecated`);
        for (const content of blocks(d.content)) checkBody(content, nested.block, `${subject}.`, new Set(), report);
      }
    }
  }
  return counts;
}

/** lifecycle: only Terraform's arguments, and ignore_changes names real attributes. */
function checkLifecycle(body: Block, schema: BlockSchema, kind: 'resource' | 'data', report: Report): void {
  for (const lifecycle of blocks(body.lifecycle)) {
    for (const key of Object.keys(lifecycle))
      if (!LIFECYCLE_ARGS[kind].has(key))
        report(
          'unknown-argument',
          `lifecycle.${key}`,
          `argument lifecycle.${key} is not a lifecycle argument of a ${kind}`,
        );
    const ignored = Array.isArray(lifecycle.ignore_changes) ? lifecycle.ignore_changes.map(text) : [];
    for (const entry of ignored) {
      const name = /^\$\{([A-Za-z_][\w-]*)/.exec(entry)?.[1] ?? entry;
      if (name !== 'all' && !(name in (schema.attributes ?? {})) && !(name in (schema.block_types ?? {}))) {
        report(
          'unknown-argument',
          `lifecycle.ignore_changes.${name}`,
          `lifecycle.ignore_changes names ${name}, which is not in the schema`,
        );
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Which schema a block belongs to
// ---------------------------------------------------------------------------------------------

/** Source addresses by local name, from the module's required_providers (default hashicorp/<name>). */
function providerSources(config: TerraformConfig, dir: string): Record<string, string> {
  const sources: Record<string, string> = { terraform: BUILTIN_SOURCE };
  for (const tf of blocks(config.modules[dir]?.json.terraform)) {
    for (const required of blocks(tf.required_providers)) {
      for (const [name, req] of Object.entries(required))
        if (isObject(req) && typeof req.source === 'string') sources[name] = fullSource(req.source);
    }
  }
  return sources;
}

function schemaOf(
  schemas: ProviderSchemas,
  sources: Record<string, string>,
  kind: 'resource' | 'data',
  type: string,
): BlockSchema | undefined {
  const local = providerLocalName(type);
  const provider = schemas.providers[sources[local] ?? fullSource(`hashicorp/${local}`)];
  return (kind === 'resource' ? provider?.resource_schemas : provider?.data_source_schemas)?.[type]?.block;
}

/** Every resource and data block against its type's schema. */
function checkResourceBlocks(config: TerraformConfig, schemas: ProviderSchemas, findings: Finding[]): void {
  const refs: [ResourceRef, 'resource' | 'data'][] = [
    ...resources(config).map((r): [ResourceRef, 'resource'] => [r, 'resource']),
    ...dataSources(config).map((r): [ResourceRef, 'data'] => [r, 'data']),
  ];
  for (const [r, kind] of refs) {
    const at = `${r.dir || '.'}: ${kind === 'data' ? 'data.' : ''}${r.type}.${r.name}`;
    const report: Report = (k, subject, message) => findings.push({ kind: k, at, subject, message });
    const schema = schemaOf(schemas, providerSources(config, r.dir), kind, r.type);
    if (!schema) {
      report(
        'unknown-resource-type',
        r.type,
        `${kind} type ${r.type} is not in ${schemas.file} (a typo, or add it to scripts/terraform-schema.mjs and regenerate)`,
      );
      continue;
    }
    checkBody(r.body, schema, '', kind === 'data' ? DATA_META : RESOURCE_META, report);
    checkLifecycle(r.body, schema, kind, report);
  }
}

/** `provider "aws" { … }` configurations against the provider's own schema. */
function checkProviderBlocks(config: TerraformConfig, schemas: ProviderSchemas, findings: Finding[]): void {
  for (const mod of Object.values(config.modules)) {
    const sources = providerSources(config, mod.dir);
    const byName = isObject(mod.json.provider) ? mod.json.provider : {};
    for (const [name, bodies] of Object.entries(byName)) {
      const schema = schemas.providers[sources[name] ?? fullSource(`hashicorp/${name}`)]?.provider?.block;
      const at = `${mod.dir || '.'}: provider.${name}`;
      const report: Report = (k, subject, message) => findings.push({ kind: k, at, subject, message });
      if (!schema) report('unknown-resource-type', name, `provider ${name} has no schema in ${schemas.file}`);
      else for (const body of blocks(bodies)) checkBody(body, schema, '', PROVIDER_META, report);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// References: var.*, local.*, module.*.*, data.*.*.*, <resource>.*.*
// ---------------------------------------------------------------------------------------------
const NAME = '[A-Za-z_][\\w-]*';
const INDEX = '(?:\\[[^\\]]*\\])?';
const REFERENCE = new RegExp(
  `(?<![\\w.\\]])(?:(var|local)\\.(${NAME})` +
    `|module\\.(${NAME})${INDEX}(?:\\.(${NAME}))?` +
    `|data\\.([a-z]\\w*)\\.(${NAME})${INDEX}(?:\\.(${NAME}))?` +
    `|((?:aws|terraform)_\\w+)\\.(${NAME})${INDEX}(?:\\.(${NAME}))?)`,
  'g',
);

interface Scope {
  config: TerraformConfig;
  schemas: ProviderSchemas;
  dir: string;
  vars: Set<string>;
  locals: Set<string>;
  calls: ModuleCall[];
  declared: Map<string, BlockSchema | undefined>;
  sources: Record<string, string>;
}

function scopeOf(config: TerraformConfig, schemas: ProviderSchemas, dir: string): Scope {
  const sources = providerSources(config, dir);
  const declared = new Map<string, BlockSchema | undefined>();
  for (const r of resources(config).filter((x) => x.dir === dir))
    declared.set(`${r.type}.${r.name}`, schemaOf(schemas, sources, 'resource', r.type));
  for (const r of dataSources(config).filter((x) => x.dir === dir))
    declared.set(`data.${r.type}.${r.name}`, schemaOf(schemas, sources, 'data', r.type));
  return {
    config,
    schemas,
    dir,
    sources,
    declared,
    vars: new Set(Object.keys(variables(config, dir))),
    locals: new Set(Object.keys(locals(config, dir))),
    calls: moduleCalls(config).filter((c) => c.dir === dir),
  };
}

/** An attribute read from a resource or data source must exist in its schema (blocks read as lists). */
function checkAttribute(address: string, attribute: string | undefined, scope: Scope, report: Report): void {
  if (!scope.declared.has(address)) {
    report('undeclared-resource', address, `${address} is not declared in this module`);
    return;
  }
  const schema = scope.declared.get(address);
  if (!schema || attribute === undefined) return;
  const found = schema.attributes?.[attribute] ?? schema.block_types?.[attribute]?.block;
  if (!found) report('bad-reference-attribute', `${address}.${attribute}`, `${address} has no attribute ${attribute}`);
  else if (found.deprecated) report('deprecated', `${address}.${attribute}`, `${address}.${attribute} is deprecated`);
}

function checkReference(m: RegExpMatchArray, scope: Scope, report: Report): void {
  const [, root, name, mod, output, dataType, dataName, dataAttr, type, resName, resAttr] = m;
  if (root === 'var' && !scope.vars.has(name!))
    report('undeclared-variable', `var.${name}`, `var.${name} is not declared in this module`);
  else if (root === 'local' && !scope.locals.has(name!))
    report('undeclared-local', `local.${name}`, `local.${name} is not declared in this module`);
  else if (mod !== undefined) {
    const call = scope.calls.find((c) => c.name === mod);
    if (!call) report('undeclared-module', `module.${mod}`, `module.${mod} is not declared in this module`);
    else if (
      output !== undefined &&
      scope.config.modules[call.target] &&
      !(output in outputs(scope.config, call.target))
    ) {
      report(
        'missing-module-output',
        `module.${mod}.${output}`,
        `module.${mod} (${call.target}) has no output ${output}`,
      );
    }
  } else if (dataType !== undefined) checkAttribute(`data.${dataType}.${dataName}`, dataAttr, scope, report);
  else if (type !== undefined) checkAttribute(`${type}.${resName}`, resAttr, scope, report);
}

/** The module's top-level blocks with a label for messages: resource, data, module, output, … */
function labelledBlocks(json: Block): [string, Json][] {
  const out: [string, Json][] = [];
  const twoLabels = (kind: string, prefix: string): void => {
    for (const [type, byName] of Object.entries(isObject(json[kind]) ? json[kind] : {})) {
      for (const [name, body] of Object.entries(isObject(byName) ? byName : {}))
        out.push([`${prefix}${type}.${name}`, body]);
    }
  };
  const oneLabel = (kind: string, prefix: string): void => {
    for (const [name, body] of Object.entries(isObject(json[kind]) ? json[kind] : {}))
      out.push([`${prefix}${name}`, body]);
  };
  twoLabels('resource', '');
  twoLabels('data', 'data.');
  oneLabel('module', 'module.');
  oneLabel('output', 'output.');
  oneLabel('variable', 'var.');
  oneLabel('provider', 'provider.');
  if (json.locals !== undefined) out.push(['locals', json.locals]);
  // Only `to` is a reference of this configuration: `from` names what is no longer declared.
  for (const m of blocks(json.moved))
    out.push([`moved ${text(m.from).replace(/^\$\{(.*)\}$/, '$1')}`, { to: m.to ?? null }]);
  if (json.terraform !== undefined) out.push(['terraform', json.terraform]);
  return out;
}

function checkReferences(config: TerraformConfig, schemas: ProviderSchemas, findings: Finding[]): void {
  for (const mod of Object.values(config.modules)) {
    const scope = scopeOf(config, schemas, mod.dir);
    for (const [label, body] of labelledBlocks(mod.json)) {
      const at = `${mod.dir || '.'}: ${label}`;
      const seen = new Set<string>();
      const report: Report = (kind, subject, message) => {
        if (!seen.has(`${kind} ${subject}`)) findings.push({ kind, at, subject, message });
        seen.add(`${kind} ${subject}`);
      };
      for (const expr of expressions(body)) for (const m of expr.matchAll(REFERENCE)) checkReference(m, scope, report);
    }
  }
}

/** `moved` blocks hold `from` and `to`, nothing else (their `to` is checked with the references). */
function checkMovedBlocks(config: TerraformConfig, findings: Finding[]): void {
  for (const mod of Object.values(config.modules)) {
    for (const m of blocks(mod.json.moved)) {
      const at = `${mod.dir || '.'}: moved ${text(m.from).replace(/^\$\{(.*)\}$/, '$1')}`;
      for (const key of Object.keys(m))
        if (!MOVED_ARGS.has(key))
          findings.push({
            kind: 'unknown-argument',
            at,
            subject: key,
            message: `argument ${key} is not valid in a moved block`,
          });
      for (const key of MOVED_ARGS)
        if (!(key in m))
          findings.push({
            kind: 'missing-required',
            at,
            subject: key,
            message: `required argument ${key} of a moved block is not set`,
          });
    }
  }
}

/** `each.value.<x>` of a for_each over a local map: every entry must have x (a typo would fail the plan). */
function checkEachAttributes(config: TerraformConfig, findings: Finding[]): void {
  for (const r of resources(config)) {
    const entries = localForEach(config, r);
    if (!entries) continue;
    const at = `${r.dir || '.'}: ${r.type}.${r.name}`;
    const seen = new Set<string>();
    for (const expr of expressions(r.body)) {
      for (const [, attribute] of expr.matchAll(/\beach\.value\.([A-Za-z_][\w-]*)/g)) {
        const missing = entries.filter(([, entry]) => !(attribute! in entry)).map(([key]) => key);
        if (missing.length === 0 || seen.has(attribute!)) continue;
        seen.add(attribute!);
        findings.push({
          kind: 'undeclared-each-attribute',
          at,
          subject: `each.value.${attribute}`,
          message: `each.value.${attribute} is not set in ${text(r.body.for_each)} for ${missing.join(', ')}`,
        });
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Module calls: every argument is a variable of the module, every required variable is passed
// ---------------------------------------------------------------------------------------------
function checkModuleCalls(config: TerraformConfig, findings: Finding[]): void {
  for (const call of moduleCalls(config)) {
    const at = `${call.dir || '.'}: module.${call.name}`;
    if (!config.modules[call.target]) {
      findings.push({
        kind: 'module-source-missing',
        at,
        subject: text(call.args.source),
        message: `source ${text(call.args.source)} has no .tf files`,
      });
      continue;
    }
    const vars = variables(config, call.target);
    for (const arg of Object.keys(call.args)) {
      if (!MODULE_META.has(arg) && !(arg in vars))
        findings.push({
          kind: 'module-argument-without-variable',
          at,
          subject: arg,
          message: `${arg} is passed, but ${call.target} declares no variable ${arg}`,
        });
    }
    for (const [name, v] of Object.entries(vars)) {
      if (!('default' in v) && !(name in call.args))
        findings.push({
          kind: 'module-argument-missing',
          at,
          subject: name,
          message: `required variable ${name} of ${call.target} is not passed`,
        });
    }
  }
}

export function checkSchema(config: TerraformConfig, schemas: ProviderSchemas): Finding[] {
  const findings: Finding[] = [];
  checkResourceBlocks(config, schemas, findings);
  checkProviderBlocks(config, schemas, findings);
  checkReferences(config, schemas, findings);
  checkMovedBlocks(config, findings);
  checkEachAttributes(config, findings);
  checkModuleCalls(config, findings);
  return findings;
}
