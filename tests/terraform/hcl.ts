/**
 * Loads a Terraform configuration the way the structure tests need it: every .tf file under a
 * root directory parsed with @cdktf/hcl2json (the HCL parser Terraform itself uses, compiled to
 * WebAssembly), merged per directory (a directory is a module), plus workspaces/*.tfvars.
 *
 * hcl2json shape: blocks are arrays (`resource.aws_x.name[0]`), expressions are strings with
 * `${…}` interpolations (`"${var.x}"`), literals stay literals.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parse } from '@cdktf/hcl2json';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Block = { [key: string]: Json };

export interface ModuleDir {
  /** Directory relative to the configuration root, '' for the root module, e.g. 'modules/function'. */
  dir: string;
  files: string[];
  json: Block;
}

export interface TerraformConfig {
  rootDir: string;
  modules: Record<string, ModuleDir>;
  /** workspaces/<name>.tfvars, parsed, by workspace name. */
  tfvars: Record<string, Block>;
  /** Every HCL file that was parsed (relative paths), for the "every file parses" assertion. */
  parsedFiles: string[];
  parseErrors: string[];
}

export interface ResourceRef {
  dir: string;
  type: string;
  name: string;
  body: Block;
}

async function walk(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map(async (entry) => {
      if (entry.name === '.terraform' || entry.name === 'node_modules') return [];
      const full = path.join(dir, entry.name);
      return entry.isDirectory() ? walk(full) : [full];
    }),
  );
  return nested.flat().sort();
}

/** Arrays concatenate (blocks), objects merge key by key (block types and labels). */
function merge(a: Json | undefined, b: Json): Json {
  if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  if (isObject(a) && isObject(b)) {
    const out: Block = { ...a };
    for (const [key, value] of Object.entries(b)) out[key] = key in out ? merge(out[key], value) : value;
    return out;
  }
  return b;
}

export function isObject(value: Json | undefined): value is Block {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export async function loadTerraform(rootDir: string): Promise<TerraformConfig> {
  const files = await walk(rootDir);
  const config: TerraformConfig = { rootDir, modules: {}, tfvars: {}, parsedFiles: [], parseErrors: [] };
  for (const file of files) {
    const rel = path.relative(rootDir, file);
    const isTf = file.endsWith('.tf');
    const isTfvars = file.endsWith('.tfvars');
    const isExample = file.endsWith('.tf.example');
    if (!isTf && !isTfvars && !isExample) continue;
    let json: Block;
    try {
      json = (await parse(rel, await fs.readFile(file, 'utf8'))) as Block;
    } catch (error) {
      config.parseErrors.push(`${rel}: ${(error as Error).message}`);
      continue;
    }
    config.parsedFiles.push(rel);
    if (isTfvars) {
      config.tfvars[path.basename(file, '.tfvars')] = json;
    } else if (isTf) {
      const dir = path.dirname(rel) === '.' ? '' : path.dirname(rel);
      const mod = (config.modules[dir] ??= { dir, files: [], json: {} });
      mod.files.push(rel);
      mod.json = merge(mod.json, json) as Block;
    }
  }
  return config;
}

// ---------------------------------------------------------------------------------------------
// Small accessors
// ---------------------------------------------------------------------------------------------

/** The first (only) instance of a block: hcl2json wraps every block body in an array. */
export function first(value: Json | undefined): Block | undefined {
  if (Array.isArray(value)) return isObject(value[0]) ? value[0] : undefined;
  return isObject(value) ? value : undefined;
}

export function blocks(value: Json | undefined): Block[] {
  if (Array.isArray(value)) return value.filter(isObject);
  return isObject(value) ? [value] : [];
}

export function text(value: Json | undefined): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? null);
}

export function resources(config: TerraformConfig, type?: string): ResourceRef[] {
  return collect(config, 'resource', type);
}

export function dataSources(config: TerraformConfig, type?: string): ResourceRef[] {
  return collect(config, 'data', type);
}

function collect(config: TerraformConfig, kind: 'resource' | 'data', type?: string): ResourceRef[] {
  const out: ResourceRef[] = [];
  for (const mod of Object.values(config.modules)) {
    const byType = mod.json[kind];
    if (!isObject(byType)) continue;
    for (const [t, byName] of Object.entries(byType)) {
      if (type !== undefined && t !== type) continue;
      if (!isObject(byName)) continue;
      for (const [name, body] of Object.entries(byName)) {
        for (const b of blocks(body)) out.push({ dir: mod.dir, type: t, name, body: b });
      }
    }
  }
  return out;
}

export interface ModuleCall {
  /** Directory of the calling module. */
  dir: string;
  name: string;
  /** Directory of the called module, relative to the configuration root. */
  target: string;
  args: Block;
}

export function moduleCalls(config: TerraformConfig): ModuleCall[] {
  const out: ModuleCall[] = [];
  for (const mod of Object.values(config.modules)) {
    const calls = mod.json.module;
    if (!isObject(calls)) continue;
    for (const [name, body] of Object.entries(calls)) {
      const args = first(body);
      if (!args) continue;
      const source = typeof args.source === 'string' ? args.source : '';
      const target = path.normalize(path.join(mod.dir, source)).replace(/\/$/, '');
      out.push({ dir: mod.dir, name, target: target === '.' ? '' : target, args });
    }
  }
  return out;
}

export function variables(config: TerraformConfig, dir: string): Record<string, Block> {
  const vars = config.modules[dir]?.json.variable;
  const out: Record<string, Block> = {};
  if (!isObject(vars)) return out;
  for (const [name, body] of Object.entries(vars)) {
    const b = first(body);
    if (b) out[name] = b;
  }
  return out;
}

export function outputs(config: TerraformConfig, dir: string): Record<string, Block> {
  const outs = config.modules[dir]?.json.output;
  const out: Record<string, Block> = {};
  if (!isObject(outs)) return out;
  for (const [name, body] of Object.entries(outs)) {
    const b = first(body);
    if (b) out[name] = b;
  }
  return out;
}

export function locals(config: TerraformConfig, dir: string): Block {
  return blocks(config.modules[dir]?.json.locals).reduce<Block>((acc, b) => ({ ...acc, ...b }), {});
}

/**
 * Every `${…}` expression in a value, as source text with the contents of its string literals
 * blanked (so that words inside strings are never taken for references); templates nested inside
 * those strings are returned as expressions of their own. `$${` is a literal, not an expression.
 */
export function expressions(value: Json | undefined): string[] {
  const out: string[] = [];
  const visit = (v: Json | undefined): void => {
    if (typeof v === 'string') scanTemplate(v, 0, (c) => c === undefined, out);
    else if (Array.isArray(v)) v.forEach(visit);
    else if (isObject(v)) Object.values(v).forEach(visit);
  };
  visit(value);
  return out;
}

/** Scans template text from `start` until `atEnd`; returns where it stopped. */
function scanTemplate(s: string, start: number, atEnd: (c: string | undefined) => boolean, out: string[]): number {
  let i = start;
  while (!atEnd(s[i])) {
    if (s[i] === '\\') i += 2;
    else if (s.startsWith('$${', i)) i += 3;
    else if (s.startsWith('${', i)) i = scanExpression(s, i + 2, out) + 1;
    else i++;
  }
  return i;
}

/** Scans one expression from `start` to its closing brace (returned), pushing its text to `out`. */
function scanExpression(s: string, start: number, out: string[]): number {
  let depth = 0;
  let text = '';
  let i = start;
  for (; i < s.length; i++) {
    const c = s[i]!;
    if (c === '"') {
      i = scanTemplate(s, i + 1, (d) => d === '"' || d === undefined, out);
      text += '""';
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}' && depth-- === 0) break;
    text += c;
  }
  out.push(text);
  return i;
}
