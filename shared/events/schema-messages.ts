/**
 * The sentence for one schema error, worded as ajv words it. The validator is compiled without
 * ajv's messages (scripts/compile-schemas.mjs, `messages: false`): their templates are repeated in
 * the generated code for every check, about 4 KB of every handler bundle. Here they are written
 * once, for the keywords the event schema uses; a test compares them with ajv's own.
 */
import type { ErrorObject } from 'ajv';

type Params = Record<string, unknown>;

const p = (e: ErrorObject) => e.params as Params;
const more = (keyword: string) => (keyword.startsWith('max') ? 'more' : 'fewer');
const bounded = (noun: string) => (e: ErrorObject) => `must NOT have ${more(e.keyword)} than ${p(e).limit} ${noun}`;
const compared = (e: ErrorObject) => `must be ${p(e).comparison} ${p(e).limit}`;

const MESSAGES: Record<string, (e: ErrorObject) => string> = {
  type: (e) => `must be ${([] as unknown[]).concat(p(e).type).join(',')}`,
  maxLength: bounded('characters'),
  minLength: bounded('characters'),
  maxProperties: bounded('properties'),
  minProperties: bounded('properties'),
  maxItems: bounded('items'),
  minItems: bounded('items'),
  maximum: compared,
  minimum: compared,
  exclusiveMaximum: compared,
  exclusiveMinimum: compared,
  pattern: (e) => `must match pattern "${p(e).pattern}"`,
  enum: () => 'must be equal to one of the allowed values',
  const: () => 'must be equal to constant',
  required: (e) => `must have required property '${p(e).missingProperty}'`,
  additionalProperties: () => 'must NOT have additional properties',
  propertyNames: () => 'property name must be valid',
  not: () => 'must NOT be valid',
  if: (e) => `must match "${p(e).failingKeyword}" schema`,
  'false schema': () => 'boolean schema is false',
};

/** Keywords this module words; any other is reported by name (a test keeps the schema within them). */
export const WORDED_KEYWORDS: ReadonlySet<string> = new Set(Object.keys(MESSAGES));

export function schemaMessage(e: ErrorObject): string {
  const message = Object.prototype.hasOwnProperty.call(MESSAGES, e.keyword) ? MESSAGES[e.keyword] : undefined;
  return message ? message(e) : `fails the schema's "${e.keyword}" check`;
}
