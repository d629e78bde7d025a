/**
 * Every field of the event contract at its edges, against the parser alone: the smallest and the
 * largest valid value are accepted (and parsed as expected), and one step beyond each bound is
 * invalid with a reason that names the field. One table row per bound and side.
 */
import { InvalidEventError } from '../../../shared/errors';
import { parseVideoEvent, type ParsedVideoEvent } from '../../../shared/events/parse-video-event';
import { DEFAULT_PRICE_BOOK } from '../../../shared/pricing';
import {
  ID_ALPHABET,
  MAX_CREDITS,
  MAX_DETAIL_PROPERTIES,
  MAX_DLQ_MESSAGE_ID,
  MAX_ENVELOPE_PROPERTIES,
  MAX_EXTRA_ITEMS,
  MAX_EXTRA_STRING,
  MAX_ID,
  MAX_MODEL,
  MAX_PROPERTY_NAME,
  MAX_REASON,
  MAX_REPLAY_COUNT,
  MAX_RESOURCES,
  MAX_SECONDS,
  MODEL_ALPHABET,
  extraFields,
  idOf,
  largestExtraArray,
  largestExtraObject,
  nextUp,
  text,
  withNegativeZeroCredits,
} from '../../support/contract-bounds';
import { envelope } from '../../support/events';

type Event = Record<string, any>;
type Kind = 'rendered' | 'failed';

/** A valid event of `kind` with `edit` applied (edit may return a replacement, e.g. parsed JSON text). */
function event(kind: Kind, edit: (e: Event) => unknown = () => undefined): unknown {
  const e = envelope(kind, {}, 'ev-1') as Event;
  const replaced = edit(e);
  return replaced === undefined ? e : replaced;
}
const detail = (fields: Record<string, unknown>) => (e: Event) => {
  Object.assign(e.detail, fields);
};
const top = (fields: Record<string, unknown>) => (e: Event) => {
  Object.assign(e, fields);
};
const parse = (raw: unknown): ParsedVideoEvent => parseVideoEvent(raw, DEFAULT_PRICE_BOOK);

function rejectionOf(raw: unknown): string {
  try {
    parse(raw);
  } catch (error) {
    if (error instanceof InvalidEventError) return error.message;
    throw error;
  }
  throw new Error('expected the event to be invalid');
}

type ValidCase = [string, Kind, (e: Event) => unknown, (p: ParsedVideoEvent) => void];
type InvalidCase = [string, Kind, (e: Event) => unknown, RegExp];

const quoted = (model: string) => detail({ model, credits: 3 });
const replay = (fields: Record<string, unknown>) =>
  detail({ replay: { count: 1, originalEventId: 'orig-1', ...fields } });

const VALID: ValidCase[] = [
  // envelope
  ['version: empty', 'rendered', top({ version: '' }), (p) => expect(p.envelope.version).toBe('')],
  [
    'version: 16 characters',
    'rendered',
    top({ version: text(16) }),
    (p) => expect(p.envelope.version).toHaveLength(16),
  ],
  ['id: 1 character', 'rendered', top({ id: 'e' }), (p) => expect(p.event.eventId).toBe('e')],
  [
    `id: ${MAX_ID} characters of the whole alphabet`,
    'rendered',
    top({ id: idOf(MAX_ID) }),
    (p) => expect(p.event.eventId).toBe(idOf(MAX_ID)),
  ],
  ['account: empty', 'rendered', top({ account: '' }), (p) => expect(p.envelope.account).toBe('')],
  [
    'account: 32 characters',
    'rendered',
    top({ account: text(32, '1') }),
    (p) => expect(p.envelope.account).toHaveLength(32),
  ],
  [
    'time: 40 characters',
    'rendered',
    top({ time: `2026-11-23T10:00:00.${text(14, '1')}+01:00` }),
    (p) => expect(p.envelope.time).toHaveLength(40),
  ],
  [
    'region: 32 characters',
    'rendered',
    top({ region: text(32, 'r') }),
    (p) => expect(p.envelope.region).toHaveLength(32),
  ],
  ['resources: 0 items', 'rendered', top({ resources: [] }), (p) => expect(p.envelope.resources).toEqual([])],
  [
    `resources: ${MAX_RESOURCES} items of 2048 characters`,
    'rendered',
    top({ resources: Array.from({ length: MAX_RESOURCES }, () => text(2048)) }),
    (p) => expect(p.envelope.resources).toHaveLength(MAX_RESOURCES),
  ],
  [
    `envelope: ${MAX_ENVELOPE_PROPERTIES} properties`,
    'rendered',
    top(extraFields(MAX_ENVELOPE_PROPERTIES - 9)),
    (p) => expect(Object.keys(p.envelope)).toHaveLength(MAX_ENVELOPE_PROPERTIES),
  ],
  [
    `envelope: a property name of ${MAX_PROPERTY_NAME} characters`,
    'rendered',
    top({ [text(MAX_PROPERTY_NAME, 'n')]: 1 }),
    () => undefined,
  ],
  // detail: ids
  ['jobId: 1 character', 'rendered', detail({ jobId: 'j' }), (p) => expect(p.event.jobId).toBe('j')],
  [
    `jobId: ${MAX_ID} characters`,
    'rendered',
    detail({ jobId: idOf(MAX_ID) }),
    (p) => expect(p.event.jobId).toBe(idOf(MAX_ID)),
  ],
  [
    'jobId: every character of the alphabet',
    'rendered',
    detail({ jobId: ID_ALPHABET }),
    (p) => expect(p.event.jobId).toBe(ID_ALPHABET),
  ],
  ['userId: 1 character', 'rendered', detail({ userId: 'u' }), (p) => expect(p.event.userId).toBe('u')],
  [
    `userId: ${MAX_ID} characters`,
    'rendered',
    detail({ userId: idOf(MAX_ID) }),
    (p) => expect(p.event.userId).toBe(idOf(MAX_ID)),
  ],
  [
    'userId: every character of the alphabet',
    'rendered',
    detail({ userId: ID_ALPHABET }),
    (p) => expect(p.event.userId).toBe(ID_ALPHABET),
  ],
  // detail: model, seconds, credits
  [
    'model: 1 character (quoted)',
    'rendered',
    quoted('m'),
    (p) => expect([p.event.model, p.priceCredits]).toEqual(['m', 3]),
  ],
  [
    `model: ${MAX_MODEL} characters (quoted)`,
    'rendered',
    quoted(text(MAX_MODEL, 'm')),
    (p) => expect(p.event.model).toHaveLength(MAX_MODEL),
  ],
  [
    'model: every character of its alphabet (quoted)',
    'rendered',
    quoted(MODEL_ALPHABET.slice(0, MAX_MODEL)),
    (p) => expect(p.event.model).toBe(MODEL_ALPHABET.slice(0, MAX_MODEL)),
  ],
  [
    'seconds: just above 0 (Number.MIN_VALUE), one started second',
    'rendered',
    detail({ seconds: Number.MIN_VALUE }),
    (p) => expect([p.event.seconds, p.priceCredits]).toEqual([Number.MIN_VALUE, 5]),
  ],
  [
    `seconds: ${MAX_SECONDS}`,
    'rendered',
    detail({ seconds: MAX_SECONDS }),
    (p) => expect([p.event.seconds, p.priceCredits]).toEqual([MAX_SECONDS, MAX_SECONDS]),
  ],
  [
    'credits: 0 (a free job)',
    'rendered',
    detail({ credits: 0 }),
    (p) => expect([p.event.quotedCredits, p.priceCredits]).toEqual([0, 0]),
  ],
  [
    'credits: -0 is read as 0',
    'rendered',
    (e) => withNegativeZeroCredits(e),
    (p) => {
      expect(Object.is(p.event.quotedCredits, 0)).toBe(true);
      expect(Object.is(p.priceCredits, 0)).toBe(true);
    },
  ],
  [
    `credits: ${MAX_CREDITS}`,
    'rendered',
    detail({ credits: MAX_CREDITS }),
    (p) => expect([p.event.quotedCredits, p.priceCredits]).toEqual([MAX_CREDITS, MAX_CREDITS]),
  ],
  [
    'credits on a failed event are kept as the quote',
    'failed',
    detail({ credits: MAX_CREDITS }),
    (p) => expect([p.event.quotedCredits, p.priceCredits]).toEqual([MAX_CREDITS, 0]),
  ],
  // detail: reason
  ['reason: empty', 'failed', detail({ reason: '' }), (p) => expect(p.event.reason).toBe('')],
  [
    `reason: ${MAX_REASON} characters`,
    'failed',
    detail({ reason: text(MAX_REASON, 'r') }),
    (p) => expect(p.event.reason).toBe(text(MAX_REASON, 'r')),
  ],
  // detail: replay
  ['replay.count: 1', 'rendered', replay({ count: 1 }), (p) => expect(p.envelope.detail.replay?.count).toBe(1)],
  [
    `replay.count: ${MAX_REPLAY_COUNT}`,
    'rendered',
    replay({ count: MAX_REPLAY_COUNT }),
    (p) => expect(p.envelope.detail.replay?.count).toBe(MAX_REPLAY_COUNT),
  ],
  [
    "replay.originalEventId: 1 character (the settlement's event id)",
    'rendered',
    replay({ originalEventId: 'o' }),
    (p) => expect(p.event.eventId).toBe('o'),
  ],
  [
    `replay.originalEventId: ${MAX_ID} characters`,
    'rendered',
    replay({ originalEventId: idOf(MAX_ID) }),
    (p) => expect(p.event.eventId).toBe(idOf(MAX_ID)),
  ],
  [
    'replay.dlqMessageId: 1 character',
    'rendered',
    replay({ dlqMessageId: 'm' }),
    (p) => expect(p.envelope.detail.replay?.dlqMessageId).toBe('m'),
  ],
  [
    `replay.dlqMessageId: ${MAX_DLQ_MESSAGE_ID} characters`,
    'rendered',
    replay({ dlqMessageId: idOf(MAX_DLQ_MESSAGE_ID) }),
    (p) => expect(p.envelope.detail.replay?.dlqMessageId).toHaveLength(MAX_DLQ_MESSAGE_ID),
  ],
  [
    'replay.dlqMessageId: an SQS UUID',
    'rendered',
    replay({ dlqMessageId: '0f9c3c56-8a3e-4a5e-9d0c-3f2b1a7e6d54' }),
    () => undefined,
  ],
  // detail: size and property names
  [
    `detail: ${MAX_DETAIL_PROPERTIES} properties`,
    'rendered',
    detail(extraFields(MAX_DETAIL_PROPERTIES - 4)),
    (p) => expect(Object.keys(p.envelope.detail)).toHaveLength(MAX_DETAIL_PROPERTIES),
  ],
  [
    `detail: ${MAX_DETAIL_PROPERTIES} properties and the replay tool's \`replay\` on top`,
    'rendered',
    detail({ ...extraFields(MAX_DETAIL_PROPERTIES - 4), replay: { count: 1, originalEventId: 'ev-0' } }),
    (p) => expect(Object.keys(p.envelope.detail)).toHaveLength(MAX_DETAIL_PROPERTIES + 1),
  ],
  [
    `detail: a property name of ${MAX_PROPERTY_NAME} characters`,
    'rendered',
    detail({ [text(MAX_PROPERTY_NAME, 'n')]: 1 }),
    () => undefined,
  ],
  // unknown fields, detail and envelope alike
  ...(['detail', 'envelope'] as const).flatMap((where): ValidCase[] => {
    const put = (value: unknown) => (where === 'detail' ? detail({ extra: value }) : top({ extra: value }));
    return [
      [
        `${where} unknown field: a string of ${MAX_EXTRA_STRING} characters`,
        'rendered',
        put(text(MAX_EXTRA_STRING)),
        () => undefined,
      ],
      [
        `${where} unknown field: a number, a boolean, null`,
        'rendered',
        (e) => {
          put(1.5)(e);
          (where === 'detail' ? e.detail : e).flag = false;
          (where === 'detail' ? e.detail : e).none = null;
        },
        () => undefined,
      ],
      [
        `${where} unknown field: an empty array and an empty object`,
        'rendered',
        (e) => {
          put([])(e);
          (where === 'detail' ? e.detail : e).empty = {};
        },
        () => undefined,
      ],
      [
        `${where} unknown field: the largest array (${MAX_EXTRA_ITEMS} strings of ${MAX_EXTRA_STRING})`,
        'rendered',
        put(largestExtraArray()),
        () => undefined,
      ],
      [
        `${where} unknown field: the largest object (${MAX_EXTRA_ITEMS} properties of ${MAX_EXTRA_STRING}, names of ${MAX_PROPERTY_NAME})`,
        'rendered',
        put(largestExtraObject()),
        () => undefined,
      ],
      [`${where} unknown field: an array of mixed scalars`, 'rendered', put(['a', 1, true, null]), () => undefined],
    ];
  }),
];

const beyond = (n: number) => n + 1;

const INVALID: InvalidCase[] = [
  // envelope
  ['version: 17 characters', 'rendered', top({ version: text(17) }), /\/version must NOT have more than 16 characters/],
  ['id: empty', 'rendered', top({ id: '' }), /\/id must NOT have fewer than 1 characters/],
  [
    `id: ${beyond(MAX_ID)} characters`,
    'rendered',
    top({ id: idOf(beyond(MAX_ID)) }),
    /\/id must NOT have more than 128 characters/,
  ],
  ['id: a character outside the alphabet', 'rendered', top({ id: 'ev 1' }), /\/id must match pattern/],
  [
    'account: 33 characters',
    'rendered',
    top({ account: text(33, '1') }),
    /\/account must NOT have more than 32 characters/,
  ],
  [
    'time: 41 characters',
    'rendered',
    top({ time: `2026-11-23T10:00:00.${text(15, '1')}+01:00` }),
    /\/time must NOT have more than 40 characters/,
  ],
  [
    'region: 33 characters',
    'rendered',
    top({ region: text(33, 'r') }),
    /\/region must NOT have more than 32 characters/,
  ],
  [
    `resources: ${beyond(MAX_RESOURCES)} items`,
    'rendered',
    top({ resources: Array.from({ length: beyond(MAX_RESOURCES) }, () => 'r') }),
    /\/resources must NOT have more than 20 items/,
  ],
  [
    'resources: an item of 2049 characters',
    'rendered',
    top({ resources: [text(2049)] }),
    /\/resources\/0 must NOT have more than 2048 characters/,
  ],
  [
    `envelope: ${beyond(MAX_ENVELOPE_PROPERTIES)} properties`,
    'rendered',
    top(extraFields(beyond(MAX_ENVELOPE_PROPERTIES) - 9)),
    /\(root\) must NOT have more than 32 properties/,
  ],
  [
    `envelope: a property name of ${beyond(MAX_PROPERTY_NAME)} characters`,
    'rendered',
    top({ [text(beyond(MAX_PROPERTY_NAME), 'n')]: 1 }),
    /\(root\) must NOT have more than 128 characters \(property "n{40}…"\)/,
  ],
  // detail: ids
  ['jobId: empty', 'rendered', detail({ jobId: '' }), /\/detail\/jobId must NOT have fewer than 1 characters/],
  [
    `jobId: ${beyond(MAX_ID)} characters`,
    'rendered',
    detail({ jobId: idOf(beyond(MAX_ID)) }),
    /\/detail\/jobId must NOT have more than 128 characters/,
  ],
  ['userId: empty', 'rendered', detail({ userId: '' }), /\/detail\/userId must NOT have fewer than 1 characters/],
  [
    `userId: ${beyond(MAX_ID)} characters`,
    'rendered',
    detail({ userId: idOf(beyond(MAX_ID)) }),
    /\/detail\/userId must NOT have more than 128 characters/,
  ],
  // detail: model, seconds, credits
  ['model: empty', 'rendered', quoted(''), /\/detail\/model must NOT have fewer than 1 characters/],
  [
    `model: ${beyond(MAX_MODEL)} characters`,
    'rendered',
    quoted(text(beyond(MAX_MODEL), 'm')),
    /\/detail\/model must NOT have more than 64 characters/,
  ],
  [
    'model: an id character outside the model alphabet (@)',
    'rendered',
    quoted('gen@pro'),
    /\/detail\/model must match pattern/,
  ],
  ['seconds: 0', 'rendered', detail({ seconds: 0 }), /\/detail\/seconds must be > 0/],
  [
    'seconds: -0',
    'rendered',
    (e) => JSON.parse(JSON.stringify(e).replace('"seconds":8', '"seconds":-0')),
    /\/detail\/seconds must be > 0/,
  ],
  ['seconds: -Number.MIN_VALUE', 'rendered', detail({ seconds: -Number.MIN_VALUE }), /\/detail\/seconds must be > 0/],
  [
    `seconds: the next number above ${MAX_SECONDS}`,
    'rendered',
    detail({ seconds: nextUp(MAX_SECONDS) }),
    /\/detail\/seconds must be <= 86400/,
  ],
  ['credits: -1', 'rendered', detail({ credits: -1 }), /\/detail\/credits must be >= 0/],
  [
    `credits: ${beyond(MAX_CREDITS)}`,
    'rendered',
    detail({ credits: beyond(MAX_CREDITS) }),
    /\/detail\/credits must be <= 1000000/,
  ],
  ['credits: not an integer (0.5)', 'rendered', detail({ credits: 0.5 }), /\/detail\/credits must be integer/],
  // detail: reason
  [
    `reason: ${beyond(MAX_REASON)} characters`,
    'failed',
    detail({ reason: text(beyond(MAX_REASON)) }),
    /\/detail\/reason must NOT have more than 2048 characters/,
  ],
  // detail: replay
  ['replay.count: 0', 'rendered', replay({ count: 0 }), /\/detail\/replay\/count must be >= 1/],
  [
    `replay.count: ${beyond(MAX_REPLAY_COUNT)}`,
    'rendered',
    replay({ count: beyond(MAX_REPLAY_COUNT) }),
    /\/detail\/replay\/count must be <= 100/,
  ],
  ['replay.count: not an integer', 'rendered', replay({ count: 1.5 }), /\/detail\/replay\/count must be integer/],
  [
    'replay.originalEventId: empty',
    'rendered',
    replay({ originalEventId: '' }),
    /\/detail\/replay\/originalEventId must NOT have fewer than 1 characters/,
  ],
  [
    `replay.originalEventId: ${beyond(MAX_ID)} characters`,
    'rendered',
    replay({ originalEventId: idOf(beyond(MAX_ID)) }),
    /\/detail\/replay\/originalEventId must NOT have more than 128 characters/,
  ],
  [
    'replay.originalEventId: a character outside the alphabet',
    'rendered',
    replay({ originalEventId: 'orig\u001b[2J' }),
    /\/detail\/replay\/originalEventId must match pattern/,
  ],
  [
    'replay.dlqMessageId: empty',
    'rendered',
    replay({ dlqMessageId: '' }),
    /\/detail\/replay\/dlqMessageId must NOT have fewer than 1 characters/,
  ],
  [
    `replay.dlqMessageId: ${beyond(MAX_DLQ_MESSAGE_ID)} characters`,
    'rendered',
    replay({ dlqMessageId: idOf(beyond(MAX_DLQ_MESSAGE_ID)) }),
    /\/detail\/replay\/dlqMessageId must NOT have more than 256 characters/,
  ],
  [
    'replay.dlqMessageId: a character outside the alphabet',
    'rendered',
    replay({ dlqMessageId: 'm\n1' }),
    /\/detail\/replay\/dlqMessageId must match pattern/,
  ],
  [
    'replay: without originalEventId',
    'rendered',
    detail({ replay: { count: 1 } }),
    /\/detail\/replay must have required property 'originalEventId'/,
  ],
  [
    'replay: an unknown property',
    'rendered',
    replay({ note: 'x' }),
    /\/detail\/replay must NOT have additional properties/,
  ],
  // detail: size and property names
  [
    `detail: ${beyond(MAX_DETAIL_PROPERTIES)} properties`,
    'rendered',
    detail(extraFields(beyond(MAX_DETAIL_PROPERTIES) - 4)),
    /\/detail must NOT have more than 64 properties/,
  ],
  [
    `detail: ${beyond(MAX_DETAIL_PROPERTIES)} properties besides \`replay\``,
    'rendered',
    detail({ ...extraFields(beyond(MAX_DETAIL_PROPERTIES) - 4), replay: { count: 1, originalEventId: 'ev-0' } }),
    /\/detail must NOT have more than 65 properties/,
  ],
  [
    `detail: a property name of ${beyond(MAX_PROPERTY_NAME)} characters`,
    'rendered',
    detail({ [text(beyond(MAX_PROPERTY_NAME), 'n')]: 1 }),
    /\/detail must NOT have more than 128 characters \(property "n{40}…"\)/,
  ],
  // unknown fields, detail and envelope alike
  ...(['detail', 'envelope'] as const).flatMap((where): InvalidCase[] => {
    const put = (value: unknown) => (where === 'detail' ? detail({ extra: value }) : top({ extra: value }));
    const path = where === 'detail' ? '\\/detail\\/extra' : '\\/extra';
    const at = (suffix: string) => new RegExp(`${path}${suffix}`);
    return [
      [
        `${where} unknown field: a string of ${beyond(MAX_EXTRA_STRING)} characters`,
        'rendered',
        put(text(beyond(MAX_EXTRA_STRING))),
        at(' must NOT have more than 2048 characters'),
      ],
      [
        `${where} unknown field: an array of ${beyond(MAX_EXTRA_ITEMS)} items`,
        'rendered',
        put(Array.from({ length: beyond(MAX_EXTRA_ITEMS) }, () => 1)),
        at(' must NOT have more than 32 items'),
      ],
      [
        `${where} unknown field: an array item of ${beyond(MAX_EXTRA_STRING)} characters`,
        'rendered',
        put(['a', text(beyond(MAX_EXTRA_STRING))]),
        at('\\/1 must NOT have more than 2048 characters'),
      ],
      [
        `${where} unknown field: an array inside an array`,
        'rendered',
        put([1, [2]]),
        at('\\/1 must be string,number,boolean,null'),
      ],
      [
        `${where} unknown field: an object inside an array`,
        'rendered',
        put([{ a: 1 }]),
        at('\\/0 must be string,number,boolean,null'),
      ],
      [
        `${where} unknown field: an object of ${beyond(MAX_EXTRA_ITEMS)} properties`,
        'rendered',
        put(extraFields(beyond(MAX_EXTRA_ITEMS))),
        at(' must NOT have more than 32 properties'),
      ],
      [
        `${where} unknown field: an object value of ${beyond(MAX_EXTRA_STRING)} characters`,
        'rendered',
        put({ a: text(beyond(MAX_EXTRA_STRING)) }),
        at('\\/a must NOT have more than 2048 characters'),
      ],
      [
        `${where} unknown field: an object inside an object`,
        'rendered',
        put({ a: { b: 1 } }),
        at('\\/a must be string,number,boolean,null'),
      ],
      [
        `${where} unknown field: an array inside an object`,
        'rendered',
        put({ a: [1] }),
        at('\\/a must be string,number,boolean,null'),
      ],
      [
        `${where} unknown field: a property name of ${beyond(MAX_PROPERTY_NAME)} characters`,
        'rendered',
        put({ [text(beyond(MAX_PROPERTY_NAME), 'n')]: 1 }),
        at(' must NOT have more than 128 characters \\(property "n{40}…"\\)'),
      ],
      [
        `${where} unknown field: a __proto__ key`,
        'rendered',
        put(JSON.parse('{"__proto__":1}')),
        at(' property name must be valid \\(property "__proto__"\\)'),
      ],
    ];
  }),
];

describe('the smallest and the largest valid value of every field', () => {
  test.each(VALID)('%s', (_, kind, edit, check) => {
    const parsed = parse(event(kind, edit));
    check(parsed);
  });
});

describe('one step beyond each bound: invalid, with a reason naming the field', () => {
  test.each(INVALID)('%s', (_, kind, edit, reason) => {
    expect(rejectionOf(event(kind, edit))).toMatch(reason);
  });
});

describe('the id and model alphabets, character by character (all of ASCII and a few beyond)', () => {
  const candidates = [
    ...Array.from({ length: 128 }, (_, i) => String.fromCharCode(i)),
    'é',
    'ı',
    '\u00a0',
    '\u202e',
    '🙂',
    '＃',
  ];
  const accepted = (field: 'jobId' | 'userId' | 'model' | 'id', c: string) => {
    const raw =
      field === 'id'
        ? event('rendered', top({ id: `e${c}1` }))
        : event('rendered', detail({ [field]: `x${c}1`, ...(field === 'model' ? { credits: 3 } : {}) }));
    try {
      parse(raw);
      return true;
    } catch (error) {
      if (error instanceof InvalidEventError) return false;
      throw error;
    }
  };

  test.each(['jobId', 'userId', 'id'] as const)('%s accepts exactly the id alphabet', (field) => {
    expect(candidates.filter((c) => accepted(field, c)).join('')).toBe([...ID_ALPHABET].sort().join(''));
  });

  test('model accepts exactly the model alphabet (the id alphabet without @ and /)', () => {
    expect(candidates.filter((c) => accepted('model', c)).join('')).toBe([...MODEL_ALPHABET].sort().join(''));
  });
});
