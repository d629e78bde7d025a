/**
 * The edges of the event contract (docs/design.md#4-events and the schema), field by field: the smallest and the
 * largest valid value, and one just beyond each bound. Shared by the pure parser tests and the
 * end-to-end handler tests, so that both speak of the same values.
 */
import { ID_MAX_LENGTH, MODEL_MAX_LENGTH, DLQ_MESSAGE_ID_MAX_LENGTH } from '../../shared/events/ids';

/** Every character the id alphabet allows (68), in one id. */
export const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:@/-';
/** Every character the model alphabet allows (66). */
export const MODEL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:-';

export const text = (n: number, letter = 'x') => letter.repeat(n);
/** An id of exactly n characters that uses the whole alphabet, repeated. */
export const idOf = (n: number, alphabet = ID_ALPHABET) => alphabet.repeat(Math.ceil(n / alphabet.length)).slice(0, n);

export const MAX_ID = ID_MAX_LENGTH;
export const MAX_MODEL = MODEL_MAX_LENGTH;
export const MAX_DLQ_MESSAGE_ID = DLQ_MESSAGE_ID_MAX_LENGTH;
export const MAX_SECONDS = 86_400;
export const MAX_CREDITS = 1_000_000;
export const MAX_REASON = 2048;
export const MAX_REPLAY_COUNT = 100;
export const MAX_RESOURCES = 20;
export const MAX_EXTRA_ITEMS = 32;
export const MAX_EXTRA_STRING = 2048;
export const MAX_PROPERTY_NAME = 128;
export const MAX_DETAIL_PROPERTIES = 64;
export const MAX_ENVELOPE_PROPERTIES = 32;

/** The next double above x (x > 0): the smallest step past a bound. */
export function nextUp(x: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  view.setBigUint64(0, view.getBigUint64(0) + 1n);
  return view.getFloat64(0);
}

/** The largest unknown fields the schema allows: an array and an object of 32 strings of 2048 characters. */
export const largestExtraArray = () =>
  Array.from({ length: MAX_EXTRA_ITEMS }, (_, i) => text(MAX_EXTRA_STRING, String.fromCharCode(97 + (i % 26))));
export const largestExtraObject = () =>
  Object.fromEntries(
    Array.from({ length: MAX_EXTRA_ITEMS }, (_, i) => [
      `${text(MAX_PROPERTY_NAME - 3, 'k')}${String(i).padStart(3, '0')}`,
      text(MAX_EXTRA_STRING),
    ]),
  );

/** n unknown fields named f0, f1, … (each a small number). */
export const extraFields = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, i]));

/** -0 does not survive JSON.stringify; this puts it into the JSON text itself. */
export function withNegativeZeroCredits(event: Record<string, unknown>): unknown {
  const detail = event.detail as Record<string, unknown>;
  const marker = 7_654_321;
  const textWithMarker = JSON.stringify({ ...event, detail: { ...detail, credits: marker } });
  return JSON.parse(textWithMarker.replace(`"credits":${marker}`, '"credits":-0'));
}
