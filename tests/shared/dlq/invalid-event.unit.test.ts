/**
 * The body of the reconciler's invalid-event DLQ message: the event exactly as received whenever it
 * can be written as JSON, otherwise a bounded placeholder with the reason `unserialisable event`.
 * Building it never throws, so an invalid event always reaches the DLQ (security review M3).
 */
import {
  PREVIEW_MAX_CHARS,
  UNSERIALISABLE_BODY_KEY,
  UNSERIALISABLE_EVENT_REASON,
  invalidEventBody,
  sendInvalidEventToDlq,
} from '../../../shared/dlq/invalid-event';
import { firstNotCarried } from '../../../shared/text/sqs-text';
import type { SQSClient } from '@aws-sdk/client-sqs';

const REASON = 'event does not match the video event schema';
const DETAILS = ['/detail/seconds must be > 0'];

function nested(depth: number, inner: unknown = 1): unknown {
  let value = inner;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

const placeholderOf = (body: string) => JSON.parse(body)[UNSERIALISABLE_BODY_KEY] as { error: string; preview: string };

describe('an event that can be written as JSON: the body is the event as received', () => {
  test.each([
    ['an object', { id: 'e', detail: { jobId: 'j' } }, '{"id":"e","detail":{"jobId":"j"}}'],
    ['text (kept as it came, JSON or not)', 'this is {not json', 'this is {not json'],
    ['empty text', '', '""'],
    ['undefined', undefined, 'null'],
    ['null', null, 'null'],
    ['a nesting JSON.stringify still manages (1,000 deep)', nested(1_000), JSON.stringify(nested(1_000))],
  ])('%s', (_, raw, body) => {
    expect(invalidEventBody(raw, REASON, DETAILS)).toEqual({ body, reason: REASON, details: DETAILS });
  });
});

describe('an event that cannot be written as JSON: a placeholder, never a throw', () => {
  const deep = { version: '0', id: 'deep-1', detail: { jobId: 'j-deep', nest: nested(100_000) } };

  test('100,000 deep: reason "unserialisable event", the original reason and the error in the details', () => {
    const result = invalidEventBody(deep, REASON, DETAILS);
    expect(result.reason).toBe(UNSERIALISABLE_EVENT_REASON);
    expect(result.reason).toBe('unserialisable event');
    expect(result.details).toEqual([
      `${REASON}: ${DETAILS[0]}`,
      'the event cannot be kept as it was received (RangeError: Maximum call stack size exceeded)',
    ]);
    const placeholder = placeholderOf(result.body);
    expect(Object.keys(JSON.parse(result.body))).toEqual([UNSERIALISABLE_BODY_KEY]);
    expect(placeholder.error).toBe('RangeError: Maximum call stack size exceeded');
    // The preview names the event and stops after 8 levels of nesting (root, detail, then 6 of nest).
    expect(JSON.parse(placeholder.preview)).toEqual({
      version: '0',
      id: 'deep-1',
      detail: { jobId: 'j-deep', nest: nested(6, '…') },
    });
  });

  test('the placeholder is no video event: it has none of the envelope fields replay would publish', () => {
    const parsed = JSON.parse(invalidEventBody(deep, REASON, []).body);
    for (const field of ['version', 'id', 'detail-type', 'source', 'detail']) expect(parsed).not.toHaveProperty(field);
  });

  test('a reason without details still travels in the details', () => {
    expect(invalidEventBody(deep, 'event is not JSON', []).details[0]).toBe('event is not JSON');
  });

  test('the preview is cut to PREVIEW_MAX_CHARS characters', () => {
    const { body } = invalidEventBody({ big: 'x'.repeat(50_000), nest: nested(100_000) }, REASON, DETAILS);
    const { preview } = placeholderOf(body);
    expect(preview).toHaveLength(PREVIEW_MAX_CHARS + 1);
    expect(preview.endsWith('…')).toBe(true);
    expect(body.length).toBeLessThan(PREVIEW_MAX_CHARS + 1_000);
  });

  test('control characters and keys like __proto__ in the preview stay inert data (escaped JSON)', () => {
    const raw = JSON.parse(
      `{"__proto__":{"polluted":true},"reason":"\\u001b[2J\\n","nest":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
    );
    const { body } = invalidEventBody(raw, REASON, DETAILS);
    expect([...body].filter((c) => c.charCodeAt(0) < 0x20)).toEqual([]);
    expect(JSON.parse(placeholderOf(body).preview)).toMatchObject({
      ['__proto__']: { polluted: true },
      reason: '\u001b[2J\n',
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test.each([
    ['a BigInt', { credits: 10n }, 'TypeError', { credits: '10n' }],
    [
      'a cycle',
      (() => {
        const a: Record<string, unknown> = { id: 'c' };
        a.self = a;
        return a;
      })(),
      'TypeError',
      { id: 'c', self: { id: 'c', self: { id: 'c' } } },
    ],
  ])('not JSON data at all (%s): a placeholder with what can be shown', (_, raw, errorName, previewStart) => {
    const result = invalidEventBody(raw, REASON, DETAILS);
    expect(result.reason).toBe(UNSERIALISABLE_EVENT_REASON);
    const placeholder = placeholderOf(result.body);
    expect(placeholder.error.startsWith(`${errorName}: `)).toBe(true);
    expect(JSON.parse(placeholder.preview)).toMatchObject(previewStart);
  });

  test('nothing of it can be read (a getter that throws): a placeholder without a preview', () => {
    const raw = Object.defineProperty({}, 'detail', {
      enumerable: true,
      get() {
        throw new Error('no');
      },
    });
    const result = invalidEventBody(raw, REASON, DETAILS);
    expect(result.reason).toBe(UNSERIALISABLE_EVENT_REASON);
    expect(placeholderOf(result.body)).toEqual({ error: 'Error: no', preview: '…' });
  });

  test('a thrown value that is not an Error is described, not rethrown', () => {
    const raw = {
      toJSON() {
        throw 'plain text';
      },
    };
    const result = invalidEventBody(raw, REASON, DETAILS);
    expect(placeholderOf(result.body).error).toBe('a value JSON cannot represent');
    expect(result.details[1]).toBe('the event cannot be kept as it was received (a value JSON cannot represent)');
  });
});

describe('only characters SQS can carry (XML 1.0), in the body and every attribute', () => {
  test('U+FFFE and U+FFFF, which JSON.stringify leaves as they are, become escapes: the body parses back to the event', () => {
    const event = { id: 'e', detail: { note: 'a\ufffeb\uffff', ['k\uffff']: 1 } };
    const { body } = invalidEventBody(event, REASON, DETAILS);
    expect(firstNotCarried(body)).toBeUndefined();
    expect(JSON.parse(body)).toEqual(event);
  });

  test('a text event keeps its text, with NUL, a lone surrogate and U+FFFF escaped', () => {
    const { body } = invalidEventBody('bad\u0000 \ud800 \uffff {', REASON, DETAILS);
    expect(body).toBe('bad\\u0000 \\ud800 \\uffff {');
    expect(firstNotCarried(body)).toBeUndefined();
  });

  test('a surrogate pair (an emoji) is carried as it is', () => {
    expect(invalidEventBody({ note: '\u{1F600}' }, REASON, DETAILS).body).toBe('{"note":"\u{1F600}"}');
  });

  test('an event too large for a DLQ message beside its attributes becomes the placeholder', () => {
    const event = { id: 'e', detail: { blob: 'x'.repeat(230 * 1024) } };
    const result = invalidEventBody(event, REASON, DETAILS);
    expect(result.reason).toBe(UNSERIALISABLE_EVENT_REASON);
    expect(result.details[1]).toMatch(
      /^the event cannot be kept as it was received \(RangeError: \d+ bytes, more than a DLQ message holds\)$/,
    );
    expect(placeholderOf(result.body).preview).toHaveLength(PREVIEW_MAX_CHARS + 1);
    expect(invalidEventBody({ id: 'e', detail: { blob: 'x'.repeat(200 * 1024) } }, REASON, DETAILS).reason).toBe(
      REASON,
    );
  });

  test('attributes: escaped, and never cut through a surrogate pair', async () => {
    const sent: any[] = [];
    const sqs = {
      send: async (command: any) => (sent.push(command.input), { MessageId: 'm' }),
    } as unknown as SQSClient;
    const reason = `${'r'.repeat(1_999)}\u{1F600}`; // the pair straddles the 2,000-character cut
    await sendInvalidEventToDlq(sqs, 'http://q', {
      rawEvent: {},
      reason,
      details: ['a\uffff'],
      handler: 'debit',
      rejectedAt: new Date(0),
    });
    const attributes = sent[0].MessageAttributes;
    expect(attributes['reconciler-reason'].StringValue).toBe('r'.repeat(1_999));
    expect(attributes['reconciler-details'].StringValue).toBe('a\\uffff');
    for (const a of Object.values(attributes) as { StringValue: string }[])
      expect(firstNotCarried(a.StringValue)).toBeUndefined();
  });
});
