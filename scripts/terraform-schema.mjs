// Regenerates tests/terraform/schema/aws-provider-<version>.json: the AWS provider schema trimmed
// to the resource and data source types listed below, which tests/terraform/schema-check.ts
// validates every block of terraform/ against (there is no terraform binary in this project).
//
// The output has the shape of `terraform providers schema -json` (format_version,
// provider_schemas.<source>.{provider,resource_schemas,data_source_schemas}), keeping only what the
// checker reads: per attribute required/optional/computed/deprecated, per nested block
// nesting_mode/min_items/max_items (types and descriptions are dropped).
//
// Where the full schema comes from, two ways:
//
// 1. Default: the npm package @cdktn/provider-aws (BINDINGS_PACKAGE below), the CDK Terrain
//    bindings, generated from `terraform providers schema -json` of the provider version its
//    package.json names (cdktn.provider.version; 24.1.0 = hashicorp/aws 6.45.0). HashiCorp's own
//    @cdktf/provider-aws has the same layout but stopped at 6.25.0 (21.22.1), before the 6.29.0
//    DynamoDB key_schema. The script `npm pack`s the package into a temporary directory
//    (package.json is not touched) and reads the generated JavaScript: each argument's HCL name,
//    block or not, and list/set from synthesizeHclAttributes / <struct>ToHclTerraform; required = a setter without reset<Name>();
//    computed-only = the generator's "computed: true, optional: false" comment; max_items 1 = the
//    block is an OutputReference rather than a List; min_items 1 = "required: true" on a block.
//    The generator drops the schema's `deprecated` flags, so DEPRECATED below restores the ones of
//    these types, each with the provider release and CHANGELOG/docs entry that deprecated it; and
//    it does not record max_items above 1 (the checker then enforces max_items only where it is 1).
//    Checked once against the real 6.45.0 schema of these types (the per-type JSON that
//    lonegunmanb/terraform-aws-schema publishes for tag v6.45.0): identical apart from those
//    max_items (7 blocks, none used here), deprecations included.
//        node scripts/terraform-schema.mjs
//    A newer BINDINGS_PACKAGE is a one-line change too; then review DEPRECATED against the
//    provider CHANGELOG between the two versions.
//
// 2. From a real schema dump, on a machine with terraform (deprecations then come from the dump):
//        cd "$(mktemp -d)" && printf 'terraform {\n required_providers {\n  aws = { source = "hashicorp/aws", version = "= 6.45.0" }\n }\n}\nresource "terraform_data" "x" {}\n' > main.tf
//        terraform init && terraform providers schema -json > full.json
//        node scripts/terraform-schema.mjs --from-schema full.json --provider-version 6.45.0
//
// Adding a type the configuration starts to use is one line in RESOURCES or DATA_SOURCES, then a
// re-run. Raising the provider floor in terraform/versions.tf means regenerating from that version
// (the checker insists that the floor and the fixture's version agree).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BINDINGS_PACKAGE = '@cdktn/provider-aws@24.1.0';
const AWS_SOURCE = 'registry.terraform.io/hashicorp/aws';
const BUILTIN_SOURCE = 'terraform.io/builtin/terraform';

// Every resource type terraform/ uses, plus the ones it is expected to use soon.
const RESOURCES = [
  'aws_cloudtrail',
  'aws_cloudwatch_dashboard',
  'aws_cloudwatch_event_archive',
  'aws_cloudwatch_event_bus',
  'aws_cloudwatch_event_bus_policy',
  'aws_cloudwatch_event_rule',
  'aws_cloudwatch_event_target',
  'aws_cloudwatch_log_group',
  'aws_cloudwatch_metric_alarm',
  'aws_dynamodb_resource_policy',
  'aws_dynamodb_table',
  'aws_iam_policy',
  'aws_iam_role',
  'aws_iam_role_policy',
  'aws_iam_role_policy_attachment',
  'aws_kms_alias',
  'aws_kms_key',
  'aws_lambda_alias',
  'aws_lambda_event_source_mapping',
  'aws_lambda_function',
  'aws_lambda_function_event_invoke_config',
  'aws_lambda_function_url',
  'aws_lambda_permission',
  'aws_s3_bucket',
  'aws_s3_bucket_policy',
  'aws_s3_bucket_public_access_block',
  'aws_s3_bucket_server_side_encryption_configuration',
  'aws_s3_bucket_versioning',
  'aws_sns_topic',
  'aws_sns_topic_policy',
  'aws_sns_topic_subscription',
  'aws_sqs_queue',
  'aws_sqs_queue_policy',
];

const DATA_SOURCES = [
  'aws_caller_identity',
  'aws_cloudwatch_event_bus',
  'aws_iam_policy_document',
  'aws_partition',
  'aws_region',
];

// Deprecated arguments of the types above that the cdktf bindings do not carry (path inside the
// type's block; `a.b` = attribute b of nested block a; a trailing `{}` = the nested block itself).
const DEPRECATED = {
  'resource.aws_dynamodb_table': {
    'global_secondary_index.hash_key': '6.29.0: use key_schema (PR #45357; issue #46197)',
    'global_secondary_index.range_key': '6.29.0: use key_schema (PR #45357; issue #46197)',
  },
  'resource.aws_s3_bucket_server_side_encryption_configuration': {
    expected_bucket_owner: '6.31.0: always the owning account (PR #46262; removed in 7.0.0, issue #46292)',
  },
  'resource.aws_s3_bucket_versioning': {
    expected_bucket_owner: '6.31.0: always the owning account (PR #46262; removed in 7.0.0, issue #46292)',
  },
  'resource.aws_cloudwatch_event_rule': { is_enabled: '6.0.0: use state (CHANGELOG 6.0.0, version 6 upgrade guide)' },
  'resource.aws_iam_role': {
    'inline_policy{}': '5.68.0: use aws_iam_role_policy (CHANGELOG 5.68.0, issue #39203)',
    managed_policy_arns: '5.72.0: use aws_iam_role_policy_attachment (CHANGELOG 5.72.0)',
  },
  'data.aws_iam_policy_document': {
    override_json: 'use override_policy_documents (aws_iam_policy_document docs)',
    source_json: 'use source_policy_documents (aws_iam_policy_document docs)',
  },
  'data.aws_region': { name: '6.0.0: use region (CHANGELOG 6.0.0, version 6 upgrade guide)' },
  // Version 4 moved these aws_s3_bucket arguments to their own aws_s3_bucket_* resources.
  'resource.aws_s3_bucket': Object.fromEntries(
    [
      'acceleration_status',
      'acl',
      'policy',
      'request_payer',
      'website_domain',
      'website_endpoint',
      'cors_rule{}',
      'grant{}',
      'lifecycle_rule{}',
      'logging{}',
      'object_lock_configuration{}',
      'object_lock_configuration.object_lock_enabled',
      'object_lock_configuration.rule{}',
      'replication_configuration{}',
      'server_side_encryption_configuration{}',
      'versioning{}',
      'website{}',
    ].map((path) => [path, '4.0.0: use the aws_s3_bucket_* resources (version 4 upgrade guide)']),
  ),
};

// terraform_data belongs to Terraform itself, not to a provider package; this is its schema as
// `terraform providers schema -json` prints it (Terraform 1.4+, "terraform_data" docs).
const TERRAFORM_DATA = {
  block: {
    attributes: {
      id: { computed: true },
      input: { optional: true },
      output: { computed: true },
      triggers_replace: { optional: true },
    },
  },
};

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outputDir = join(root, 'tests/terraform/schema');

// ---------------------------------------------------------------------------------------------
// Way 2: trim a real `terraform providers schema -json` dump
// ---------------------------------------------------------------------------------------------

function trimBlock(block) {
  const attributes = {};
  for (const [name, a] of Object.entries(block.attributes ?? {})) {
    attributes[name] = Object.fromEntries(
      ['required', 'optional', 'computed', 'deprecated'].filter((k) => a[k]).map((k) => [k, true]),
    );
  }
  const blockTypes = {};
  for (const [name, b] of Object.entries(block.block_types ?? {})) {
    blockTypes[name] = {
      nesting_mode: b.nesting_mode,
      ...pick(b, ['min_items', 'max_items']),
      block: trimBlock(b.block),
    };
  }
  return {
    ...(block.deprecated ? { deprecated: true } : {}),
    attributes,
    ...(Object.keys(blockTypes).length > 0 ? { block_types: blockTypes } : {}),
  };
}

function pick(object, keys) {
  return Object.fromEntries(keys.filter((k) => object[k] !== undefined && object[k] !== 0).map((k) => [k, object[k]]));
}

function fromSchemaDump(file) {
  const dump = JSON.parse(readFileSync(file, 'utf8'));
  const aws = dump.provider_schemas?.[AWS_SOURCE];
  if (!aws) throw new Error(`${file} has no provider_schemas["${AWS_SOURCE}"]`);
  const take = (schemas, names, kind) =>
    Object.fromEntries(
      names.map((n) => {
        if (!schemas?.[n]) throw new Error(`${file}: no ${kind} schema for ${n}`);
        return [n, { block: trimBlock(schemas[n].block) }];
      }),
    );
  const builtin = dump.provider_schemas?.[BUILTIN_SOURCE]?.resource_schemas?.terraform_data;
  return {
    provider: { block: trimBlock(aws.provider.block) },
    resources: take(aws.resource_schemas, RESOURCES, 'resource'),
    dataSources: take(aws.data_source_schemas, DATA_SOURCES, 'data source'),
    terraformData: builtin ? { block: trimBlock(builtin.block) } : TERRAFORM_DATA,
  };
}

// ---------------------------------------------------------------------------------------------
// Way 1: rebuild the schema from the generated @cdktf/provider-aws bindings
// ---------------------------------------------------------------------------------------------

const upperFirst = (s) => s[0].toUpperCase() + s.slice(1);

/** Type name -> directory of its bindings in the package (aws_lambda_function -> lambda-function). */
function bindingDir(type, kind) {
  const base = type.replace(/_/g, '-');
  return kind === 'data' ? `data-${base}` : base.replace(/^aws-/, '');
}

/** The entries of an `attrs = { name: { value, isBlock, type, storageClassType } }` literal. */
function hclEntries(body) {
  const entry =
    /^ {8,16}(\w+): \{\n\s+value: (.+),\n\s+isBlock: (true|false),\n\s+type: "(\w+)",\n\s+storageClassType: "(\w+)",/gm;
  return [...body.matchAll(entry)].map((m) => ({
    name: m[1],
    camel: /(?:struct|this)\.(_?\w+)(?:\.internalValue)?\)*$/.exec(m[2])?.[1]?.replace(/^_/, ''),
    isBlock: m[3] === 'true',
    collection: m[4],
    storage: m[5],
  }));
}

function parseBindings(source) {
  const classes = new Map();
  for (const m of source.matchAll(/^class (\w+) extends cdkt[fn]\.(\w+) \{\n([\s\S]*?)^\}\n/gm))
    classes.set(m[1], { base: m[2], body: m[3] });
  const structs = new Map();
  for (const m of source.matchAll(/^function (\w+)ToHclTerraform\(struct\) \{\n([\s\S]*?)^\}\n/gm))
    structs.set(upperFirst(m[1]), hclEntries(m[2]));
  return { classes, structs };
}

/** Members a class declares for an HCL name: "computed: …" comments and `new X(this, "name")`. */
function memberFacts(body) {
  const facts = new Map();
  for (const m of body.matchAll(
    /\/\/ (\w+) - computed: (true|false), optional: (true|false), required: (true|false)\n\s+(?:this\._\w+ = new (\w+)\(this, "\w+"(?:, (true|false))?\)|get )/g,
  )) {
    facts.set(m[1], {
      computed: m[2] === 'true',
      optional: m[3] === 'true',
      required: m[4] === 'true',
      className: m[5],
      wrapsSet: m[6] === 'true',
    });
  }
  return facts;
}

function cdktfBlock(bindings, className, entries) {
  const cls = bindings.classes.get(className);
  if (!cls) throw new Error(`no class ${className} in the bindings`);
  const facts = memberFacts(cls.body);
  const attributes = {};
  const blockTypes = {};
  for (const e of entries) {
    const optional = cls.body.includes(`reset${upperFirst(e.camel)}() {`);
    if (!e.isBlock) {
      attributes[e.name] = optional ? { optional: true } : { required: true };
      continue;
    }
    const fact = facts.get(e.name);
    const struct = e.storage.replace(/List$/, '');
    const elementClass = fact?.className?.endsWith('OutputReference') ? fact.className : `${struct}OutputReference`;
    blockTypes[e.name] = {
      nesting_mode: e.collection === 'set' || fact?.wrapsSet ? 'set' : 'list',
      ...(fact?.required ? { min_items: 1 } : {}),
      ...(fact?.className?.endsWith('OutputReference') ? { max_items: 1 } : {}),
      block: cdktfBlock(bindings, elementClass, bindings.structs.get(struct) ?? []),
    };
  }
  for (const [name, fact] of facts) {
    if (fact.computed && !fact.optional && !fact.required && !(name in attributes) && !(name in blockTypes))
      attributes[name] = { computed: true };
  }
  return { attributes, ...(Object.keys(blockTypes).length > 0 ? { block_types: blockTypes } : {}) };
}

function cdktfType(packageDir, type, kind) {
  const source = readFileSync(join(packageDir, 'lib', bindingDir(type, kind), 'index.js'), 'utf8');
  const bindings = parseBindings(source);
  const base = kind === 'data' ? 'TerraformDataSource' : 'TerraformResource';
  const top = [...bindings.classes].find(
    ([name, c]) => c.base === base && source.includes(`${name}.tfResourceType = "${type}";`),
  );
  if (!top) throw new Error(`${bindingDir(type, kind)}/index.js does not define ${kind} ${type}`);
  const synth = /synthesizeHclAttributes\(\) \{\n([\s\S]*?)\n {4}\}\n/.exec(top[1].body)?.[1] ?? '';
  return { block: cdktfBlock(bindings, top[0], hclEntries(synth)) };
}

/** Provider arguments are all optional, and its bindings have no classes that tell max_items. */
function cdktfProviderBlock(bindings, entries) {
  const attributes = {};
  const blockTypes = {};
  for (const e of entries) {
    const struct = e.storage.replace(/List$/, '');
    if (e.isBlock)
      blockTypes[e.name] = {
        nesting_mode: e.collection === 'set' ? 'set' : 'list',
        block: cdktfProviderBlock(bindings, bindings.structs.get(struct) ?? []),
      };
    else if (e.name !== 'alias') attributes[e.name] = { optional: true }; // alias is a meta-argument
  }
  return { attributes, ...(Object.keys(blockTypes).length > 0 ? { block_types: blockTypes } : {}) };
}

function cdktfProvider(packageDir) {
  const source = readFileSync(join(packageDir, 'lib/provider/index.js'), 'utf8');
  const synth = /synthesizeHclAttributes\(\) \{\n([\s\S]*?)\n {4}\}\n/.exec(source)?.[1] ?? '';
  return { block: cdktfProviderBlock(parseBindings(source), hclEntries(synth)) };
}

function markDeprecated(schemas) {
  for (const [key, paths] of Object.entries(DEPRECATED)) {
    const [kind, type] = key.split('.');
    const schema = (kind === 'data' ? schemas.dataSources : schemas.resources)[type];
    if (!schema) continue;
    for (const path of Object.keys(paths)) {
      const parts = path.replace(/\{\}$/, '').split('.');
      let block = schema.block;
      for (const p of parts.slice(0, -1)) block = block.block_types?.[p]?.block;
      const last = parts.at(-1);
      const target = path.endsWith('{}') ? block?.block_types?.[last]?.block : block?.attributes?.[last];
      if (!target) throw new Error(`DEPRECATED ${key} ${path}: no such ${path.endsWith('{}') ? 'block' : 'attribute'}`);
      target.deprecated = true;
    }
  }
}

function fromCdktf() {
  const work = mkdtempSync(join(tmpdir(), 'terraform-schema-'));
  try {
    execFileSync('npm', ['pack', BINDINGS_PACKAGE, '--silent', '--pack-destination', work], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    const dirs = [
      ...RESOURCES.map((t) => bindingDir(t, 'resource')),
      ...DATA_SOURCES.map((t) => bindingDir(t, 'data')),
      'provider',
    ];
    execFileSync('tar', [
      'xzf',
      join(work, tarball),
      '-C',
      work,
      'package/package.json',
      ...dirs.map((d) => `package/lib/${d}/index.js`),
    ]);
    const packageDir = join(work, 'package');
    const version = (({ cdktn, cdktf }) => (cdktn ?? cdktf)?.provider?.version)(
      JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')),
    );
    if (!version) throw new Error(`${BINDINGS_PACKAGE} names no provider version (cdktn.provider.version)`);
    const schemas = {
      provider: cdktfProvider(packageDir),
      resources: Object.fromEntries(RESOURCES.map((t) => [t, cdktfType(packageDir, t, 'resource')])),
      dataSources: Object.fromEntries(DATA_SOURCES.map((t) => [t, cdktfType(packageDir, t, 'data')])),
      terraformData: TERRAFORM_DATA,
    };
    markDeprecated(schemas);
    return {
      version,
      source: `npm ${BINDINGS_PACKAGE} (generated from hashicorp/aws ${version}) + DEPRECATED in scripts/terraform-schema.mjs`,
      schemas,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------------

/** Keys sorted at every level, so a regeneration diffs only where the schema changed. */
function sorted(value) {
  if (Array.isArray(value)) return value.map(sorted);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sorted(value[k])]),
    );
  return value;
}

function fixture({ version, source, schemas }) {
  return {
    format_version: '1.0',
    generated: { by: 'scripts/terraform-schema.mjs', from: source, provider_version: version },
    provider_schemas: {
      [AWS_SOURCE]: {
        provider: sorted(schemas.provider),
        resource_schemas: sorted(schemas.resources),
        data_source_schemas: sorted(schemas.dataSources),
      },
      [BUILTIN_SOURCE]: { resource_schemas: { terraform_data: sorted(schemas.terraformData) } },
    },
  };
}

function argument(name) {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dump = argument('--from-schema');
  const version = argument('--provider-version');
  if (dump && !version) throw new Error('--from-schema needs --provider-version (the dump does not name it)');
  const generated = dump
    ? { version, source: `terraform providers schema -json (hashicorp/aws ${version})`, schemas: fromSchemaDump(dump) }
    : fromCdktf();
  const file = join(outputDir, `aws-provider-${generated.version}.json`);
  writeFileSync(file, `${JSON.stringify(fixture(generated), null, 1)}\n`);
  console.log(`wrote ${file}`);
}
