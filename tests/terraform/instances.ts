/**
 * Resource instances, as `terraform plan` would address them, for the checks that need per-instance
 * values: a resource whose for_each is an object literal in its module's locals
 * (`for_each = local.triggers`) becomes one instance per key, named `label["key"]`, with `each.key`
 * and `each.value.<attribute>` written out from that key's entry. An argument that comes out null is
 * dropped, as Terraform treats `x = null` as `x` unset. Every other resource is returned as written:
 * a for_each over a module variable or `toset(…)` has no values here to write out (the alarm checks
 * read those through the caller, perimeter-checks.ts forEachEntries).
 */
import {
  isObject,
  locals,
  resources,
  text,
  type Block,
  type Json,
  type ResourceRef,
  type TerraformConfig,
} from './hcl';

export interface Instance extends ResourceRef {
  /** The resource's own label (`trigger`); `name` is the instance's (`trigger["video_rendered"]`). */
  label: string;
  /** The for_each key, for an instance written out from a local map. */
  key?: string;
}

/** The entries of a `for_each = local.<name>` object literal, or undefined if it is anything else. */
export function localForEach(config: TerraformConfig, r: ResourceRef): [string, Block][] | undefined {
  const name = /^\$\{local\.([\w-]+)\}$/.exec(text(r.body.for_each))?.[1];
  const value = name === undefined ? undefined : locals(config, r.dir)[name];
  if (!isObject(value)) return undefined;
  const entries = Object.entries(value);
  return entries.every(([, v]) => isObject(v)) ? (entries as [string, Block][]) : undefined;
}

export function resourceInstances(config: TerraformConfig, type?: string): Instance[] {
  return resources(config, type).flatMap((r): Instance[] => {
    const entries = localForEach(config, r);
    if (!entries) return [{ ...r, label: r.name }];
    const body = { ...r.body };
    delete body.for_each;
    return entries.map(([key, entry]) => ({
      dir: r.dir,
      type: r.type,
      label: r.name,
      key,
      name: `${r.name}["${key}"]`,
      body: writeOutBlock(body, key, entry),
    }));
  });
}

/** `${each.value.x}` or `${each.key}` as the whole of a string. */
const WHOLE = /^\$\{each\.(?:key|value\.([A-Za-z_][\w-]*))\}$/;
const INTERPOLATION = /\$\{each\.(?:key|value\.([A-Za-z_][\w-]*))\}/g;
const IN_EXPRESSION = /\beach\.(?:key\b|value\.([A-Za-z_][\w-]*))/g;

function writeOutBlock(body: Block, key: string, entry: Block): Block {
  const out: Block = {};
  for (const [name, value] of Object.entries(body)) {
    const written = writeOut(value, key, entry);
    if (written !== null || value === null) out[name] = written;
  }
  return out;
}

function writeOut(value: Json, key: string, entry: Block): Json {
  if (typeof value === 'string') return writeOutString(value, key, entry);
  if (Array.isArray(value)) return value.map((v) => writeOut(v, key, entry));
  if (isObject(value)) return writeOutBlock(value, key, entry);
  return value;
}

/**
 * The whole string one reference: that value as it is (a literal stays a literal). Otherwise literal
 * values are spliced into the template text and references into the expressions around them; an
 * attribute the entry does not have is left as written (schema-check reports it).
 */
function writeOutString(s: string, key: string, entry: Block): Json {
  const lookup = (attribute: string | undefined): Json | undefined =>
    attribute === undefined ? key : entry[attribute];
  const whole = WHOLE.exec(s);
  if (whole && lookup(whole[1]) !== undefined) return structuredClone(lookup(whole[1])!);
  const spliced = s.replace(INTERPOLATION, (ref, attribute: string | undefined) => {
    const v = lookup(attribute);
    const literal = typeof v === 'number' || typeof v === 'boolean' || (typeof v === 'string' && !v.includes('${'));
    return literal ? String(v) : ref;
  });
  return spliced.replace(IN_EXPRESSION, (ref, attribute: string | undefined) => {
    const v = lookup(attribute);
    return v === undefined ? ref : asExpression(v);
  });
}

/** A value as HCL expression text: `${a.b}` → `a.b`, `${f(x)}` → `(f(x))`, `"text"` → `"text"`. */
function asExpression(v: Json): string {
  if (typeof v !== 'string') return v === null || typeof v !== 'object' ? String(v) : JSON.stringify(v);
  const inner = oneInterpolation(v);
  if (inner === undefined) return JSON.stringify(v);
  return /^[\w.-]+(\["[\w-]+"\])?(\.[\w-]+)*$/.test(inner) ? inner : `(${inner})`;
}

/** The expression of a string that is exactly one `${…}` (braces and quoted strings balanced). */
function oneInterpolation(s: string): string | undefined {
  if (!s.startsWith('${') || !s.endsWith('}')) return undefined;
  let depth = 0;
  let quoted = false;
  for (let i = 1; i < s.length; i++) {
    const c = s[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i === s.length - 1 ? s.slice(2, -1) : undefined;
  }
  return undefined;
}
