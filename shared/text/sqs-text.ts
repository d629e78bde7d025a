/**
 * What an SQS message can carry. SQS accepts, in a body and in every attribute, only the characters
 * of XML 1.0: #x9, #xA, #xD, #x20–#xD7FF, #xE000–#xFFFD, #x10000–#x10FFFF, and refuses the whole
 * message otherwise (InvalidMessageContents). JSON.stringify escapes control characters and lone
 * surrogates but writes U+FFFE and U+FFFF as they are, so an event holding one could not be kept in
 * the DLQ (review of 2026-12-03).
 */
const NOT_CARRIED = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const NOT_CARRIED_ALL = new RegExp(NOT_CARRIED.source, 'gu');

const escaped = (char: string) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * The text with each character SQS cannot carry written as a `\uXXXX` escape. In JSON text such a
 * character can only stand inside a string, where the escape means the same character: the body
 * still parses to the event as it was received.
 */
export function sqsCarriable(text: string): string {
  return NOT_CARRIED.test(text) ? text.replace(NOT_CARRIED_ALL, escaped) : text;
}

/** U+FFFE, U+FFFF, or a lone surrogate (with the u flag, a pair is one code point and never matches). */
const NOT_CARRIED_IN_JSON = /[\uFFFE\uFFFF\uD800-\uDFFF]/u;

const codePoint = (found: string | undefined) =>
  found === undefined ? undefined : `U+${found.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;

/** The first character SQS cannot carry, as `U+XXXX`, or undefined. */
export const firstNotCarried = (text: string) => codePoint(NOT_CARRIED.exec(text)?.[0]);

/**
 * The first character SQS cannot carry even inside JSON text, or undefined: U+FFFE and U+FFFF
 * (JSON.stringify writes them raw), and a lone surrogate (JSON.stringify escapes one, but another
 * JSON writer, such as the platform's own dead-letter record, need not). Control characters are
 * not among them: every JSON writer must escape those.
 */
export const firstNotCarriedInJson = (text: string) => codePoint(NOT_CARRIED_IN_JSON.exec(text)?.[0]);
