/**
 * The parser on its own (pure): what a SettlementEvent carries is inert text and a normalised quote,
 * and every reason it gives for a bad event is inert too.
 */
import { InvalidEventError } from '../../../shared/errors';
import { parseVideoEvent, validateEnvelope } from '../../../shared/events/parse-video-event';
import { DEFAULT_PRICE_BOOK } from '../../../shared/pricing';
import { envelope } from '../../support/events';

const parse = (event: unknown) => parseVideoEvent(event, DEFAULT_PRICE_BOOK);

function rejection(event: unknown): InvalidEventError {
  try {
    validateEnvelope(event);
  } catch (error) {
    if (error instanceof InvalidEventError) return error;
    throw error;
  }
  throw new Error('expected the event to be invalid');
}

describe('free text is stripped of control characters at parse time (L2)', () => {
  test('reason: each run of C0, DEL, C1 or bidi controls becomes one space, trimmed', () => {
    const { event } = parse(
      envelope('failed', { reason: '\u001b]0;pwned\u0007\u001b[2J gpu\r\nlost\u202e\u0085\u007f ' }),
    );
    expect(event.reason).toBe(']0;pwned [2J gpu lost');
  });

  test('the envelope keeps the reason as received (replay republishes the event, not our reading of it)', () => {
    const raw = envelope('failed', { reason: 'a\u001bb' });
    const { envelope: kept, event } = parse(raw);
    expect(kept.detail.reason).toBe('a\u001bb');
    expect(event.reason).toBe('a b');
  });

  test('a reason of plain text, or an empty one, is unchanged; no reason stays absent', () => {
    expect(parse(envelope('failed', { reason: 'render worker lost the GPU' })).event.reason).toBe(
      'render worker lost the GPU',
    );
    expect(parse(envelope('failed', { reason: '' })).event.reason).toBe('');
    expect(parse(envelope('failed')).event).not.toHaveProperty('reason');
  });
});

describe('a quote of -0 is 0 (M2: ajv accepts -0 as >= 0)', () => {
  test('-0 in detail.credits is +0 in the SettlementEvent and in the price', () => {
    const { event, priceCredits } = parse(
      JSON.parse(JSON.stringify(envelope('rendered', { credits: 7 })).replace('"credits":7', '"credits":-0')),
    );
    expect(Object.is(event.quotedCredits, 0)).toBe(true);
    expect(Object.is(priceCredits, 0)).toBe(true);
  });

  test('every other quote is unchanged', () => {
    for (const credits of [0, 1, 999_999, 1_000_000])
      expect(Object.is(parse(envelope('rendered', { credits })).event.quotedCredits, credits)).toBe(true);
  });
});

describe('the reasons for a bad event are inert', () => {
  test('a field name from the event with control characters is escaped in the schema error', () => {
    const raw = envelope('rendered', { ['\u001b[2J']: { deep: {} } });
    expect(rejection(raw).details).toEqual(['/detail/\\x1b[2J/deep must be string,number,boolean,null']);
  });

  test('a bad property name is quoted (cut to 40 characters) and escaped', () => {
    const raw = envelope('rendered', { [`\u001b[2J${'n'.repeat(130)}`]: 1 });
    expect(rejection(raw).details).toEqual([
      `/detail must NOT have more than 128 characters (property "\\x1b[2J${'n'.repeat(36)}…")`,
      `/detail property name must be valid (property "\\x1b[2J${'n'.repeat(36)}…")`,
    ]);
  });

  test("the JSON parser's message, which quotes the input, is escaped", () => {
    const error = rejection('{"a":\u001b[2J}');
    expect(error.reason).toBe('event is not JSON');
    expect(error.details.join('')).not.toContain('\u001b');
    expect(error.details.join('')).toContain('\\x1b');
  });
});

describe('characters SQS cannot carry are refused at the door (a failed delivery could not be dead-lettered)', () => {
  const refusal = (event: unknown) => {
    try {
      parse(event);
    } catch (error) {
      if (error instanceof InvalidEventError) return { reason: error.reason, details: error.details };
      throw error;
    }
    throw new Error('expected the event to be refused');
  };

  test.each([
    ['U+FFFF in the reason', envelope('failed', { reason: 'gpu\uffff' }), '/detail/reason holds U+FFFF'],
    ['U+FFFE in an extra field', envelope('rendered', { note: '\ufffe' }), '/detail/note holds U+FFFE'],
    [
      'a lone surrogate in an extra list',
      envelope('rendered', { tags: ['a', '\ud800'] }),
      '/detail/tags/1 holds U+D800',
    ],
    [
      'U+FFFF in a property name',
      envelope('rendered', { meta: { ['k\uffff']: 1 } }),
      '/detail/meta has a property name holding U+FFFF',
    ],
  ])('%s', (_name, event, detail) => {
    expect(refusal(event)).toEqual({ reason: 'event holds a character SQS cannot carry', details: [detail] });
  });

  test('other text, emoji and the edges of what SQS carries included, settles as before', () => {
    const event = envelope('rendered', { note: 'tab\t \u{1F600} \ufffd \ud7ff \ue000 \u{10ffff}' });
    expect(parse(event).event.jobId).toBe('job-1');
  });
});
