/**
 * The provider schemas the configuration is validated against: tests/terraform/schema/
 * aws-provider-<version>.json, a trimmed `terraform providers schema -json` written by
 * scripts/terraform-schema.mjs (its header says where the full schema comes from). Only what the
 * checker needs is kept: per attribute required/optional/computed/deprecated, per nested block
 * nesting_mode/min_items/max_items.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface AttributeSchema {
  required?: boolean;
  optional?: boolean;
  computed?: boolean;
  deprecated?: boolean;
}

export interface BlockSchema {
  attributes?: Record<string, AttributeSchema>;
  block_types?: Record<string, NestedBlockSchema>;
  deprecated?: boolean;
}

export interface NestedBlockSchema {
  nesting_mode: 'single' | 'group' | 'list' | 'set' | 'map';
  min_items?: number;
  max_items?: number;
  block: BlockSchema;
}

interface ProviderSchemaJson {
  provider?: { block: BlockSchema };
  resource_schemas?: Record<string, { block: BlockSchema }>;
  data_source_schemas?: Record<string, { block: BlockSchema }>;
}

interface SchemaFileJson {
  generated?: { provider_version?: string };
  provider_schemas: Record<string, ProviderSchemaJson>;
}

export interface ProviderSchemas {
  /** File the schemas were read from, for messages. */
  file: string;
  /** hashicorp/aws version the fixture was generated from. */
  awsVersion: string;
  /** By full source address, e.g. registry.terraform.io/hashicorp/aws. */
  providers: Record<string, ProviderSchemaJson>;
}

export const SCHEMA_DIR = path.join(__dirname, 'schema');
export const AWS_SOURCE = 'registry.terraform.io/hashicorp/aws';
export const BUILTIN_SOURCE = 'terraform.io/builtin/terraform';

/** The one committed fixture (two would leave it open which version the configuration targets). */
export function loadProviderSchemas(dir = SCHEMA_DIR): ProviderSchemas {
  const files = readdirSync(dir).filter((f) => /^aws-provider-.+\.json$/.test(f));
  if (files.length !== 1)
    throw new Error(`expected exactly one aws-provider-<version>.json in ${dir}, found ${files.join(', ') || 'none'}`);
  const file = path.join(dir, files[0]!);
  const json = JSON.parse(readFileSync(file, 'utf8')) as SchemaFileJson;
  const awsVersion = json.generated?.provider_version;
  if (!awsVersion || !json.provider_schemas[AWS_SOURCE])
    throw new Error(`${file} names no provider_version or has no ${AWS_SOURCE} schema`);
  return { file: path.basename(file), awsVersion, providers: json.provider_schemas };
}

/** `hashicorp/aws` → registry.terraform.io/hashicorp/aws (the form the schema JSON keys by). */
export function fullSource(source: string): string {
  return source.split('/').length === 2 ? `registry.terraform.io/${source}` : source;
}

/** Resource types are `<provider local name>_…`, except Terraform's own terraform_data. */
export function providerLocalName(type: string): string {
  return type === 'terraform_data' ? 'terraform' : type.split('_')[0]!;
}

/** Attributes that only the provider sets: configuring one is an error. */
export function isComputedOnly(a: AttributeSchema): boolean {
  return a.computed === true && a.optional !== true && a.required !== true;
}
