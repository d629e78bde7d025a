/**
 * The committed validator carries no messages (scripts/compile-schemas.mjs); schemaMessage words its
 * errors. Checked against ajv's own wording, from the same schema compiled with messages, on events
 * that break every keyword the schema uses.
 */
import Ajv, { type ErrorObject } from 'ajv';
import schema from '../../../shared/events/video-event.schema.json';
import validateVideoEvent from '../../../shared/events/generated/validate-video-event.js';
import { schemaMessage, WORDED_KEYWORDS } from '../../../shared/events/schema-messages';

const withMessages = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);

const valid = () => ({
  version: '0',
  id: 'ev-1',
  'detail-type': 'video.rendered',
  source: 'video.generation',
  time: '2026-12-02T10:00:00Z',
  detail: { jobId: 'job-1', userId: 'user-1', seconds: 6, model: 'gen-standard' } as Record<string, unknown>,
});
const many = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, i]));

const HOSTILE: [string, unknown][] = [
  ['not an object', 'x'],
  [
    'types, lengths, patterns, enum and const',
    { ...valid(), version: 1, id: '', 'detail-type': 'x', source: 'y', time: 'z' },
  ],
  [
    'numbers out of range',
    { ...valid(), detail: { ...valid().detail, seconds: 0, credits: -1, hold: { credits: 1e7 } } },
  ],
  [
    'seconds above the maximum, a fraction of credits',
    { ...valid(), detail: { ...valid().detail, seconds: 1e9, credits: 1.5 } },
  ],
  ['required and additional properties', { ...valid(), detail: { jobId: 'j', hold: { x: 1 }, replay: { count: 1 } } }],
  [
    'too many properties, items and nesting',
    { ...valid(), ...many(40), detail: { ...valid().detail, tags: [[1]], deep: many(40), list: Array(40).fill(1) } },
  ],
  [
    'a reserved property name, a long one',
    { ...valid(), detail: { ...valid().detail, ['constructor']: 1, ['n'.repeat(200)]: 1 } },
  ],
  ['too many detail properties, with and without replay', { ...valid(), detail: { ...valid().detail, ...many(70) } }],
  [
    'too many detail properties beside replay',
    { ...valid(), detail: { ...valid().detail, ...many(70), replay: { count: 1, originalEventId: 'e' } } },
  ],
];

const line = (e: ErrorObject, message: string | undefined) => `${e.instancePath} ${e.schemaPath} ${message}`;

describe('schema messages', () => {
  test.each(HOSTILE)('%s: worded exactly as ajv words them', (_name, event) => {
    expect(validateVideoEvent(event)).toBe(false);
    expect(withMessages(event)).toBe(false);
    const ours = (validateVideoEvent.errors ?? []).map((e) => line(e, schemaMessage(e)));
    const ajvs = (withMessages.errors ?? []).map((e) => line(e, e.message));
    expect(ours.length).toBeGreaterThan(0);
    expect(ours).toEqual(ajvs);
  });

  test('the fixtures break every keyword the schema uses, and each is worded', () => {
    const broken = new Set(
      HOSTILE.flatMap(([, event]) =>
        validateVideoEvent(event) ? [] : (validateVideoEvent.errors ?? []).map((e) => e.keyword),
      ),
    );
    const used = keywordsIn(schema);
    expect([...used].filter((k) => !WORDED_KEYWORDS.has(k))).toEqual([]);
    expect([...used].filter((k) => !broken.has(k))).toEqual([]);
  });

  test('a keyword it does not word is still reported, by name', () => {
    const error = { keyword: 'uniqueItems', instancePath: '/x', schemaPath: '#/uniqueItems', params: {} };
    expect(schemaMessage(error)).toBe(`fails the schema's "uniqueItems" check`);
  });
});

/** The keywords of a schema that can fail (annotations, structure and the branches of `if` cannot). */
function keywordsIn(node: unknown, found = new Set<string>()): Set<string> {
  const SILENT = new Set(['$id', '$comment', '$ref', '$defs', 'title', 'properties', 'items', 'then', 'else']);
  if (Array.isArray(node) || typeof node !== 'object' || node === null) return found;
  for (const [key, value] of Object.entries(node)) {
    if (!SILENT.has(key)) found.add(key);
    if (key === 'properties' || key === '$defs') Object.values(value as object).forEach((v) => keywordsIn(v, found));
    else if (typeof value === 'object') keywordsIn(value, found);
  }
  return found;
}
