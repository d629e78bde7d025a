/**
 * Untrusted text made inert (security review L2). One definition of "control character", two uses:
 * - `stripControlCharacters`: at parse time, for free text an event carries (`detail.reason`), so that
 *   what reaches the ledger's description is plain text;
 * - `printable`: at display time, for every value a human-readable CLI line shows (and anything else
 *   that prints data for a person, e.g. the sweep's alert), so that a value can neither drive the
 *   terminal (ANSI/OSC sequences) nor fake a line (newlines) nor reorder what is shown (bidi).
 *
 * The characters: C0 (U+0000–U+001F, which includes ESC, CR and LF), DEL (U+007F), C1 (U+0080–U+009F,
 * which includes the one-byte CSI and OSC), and the bidirectional overrides and isolates
 * (U+202A–U+202E, U+2066–U+2069, the "Trojan Source" characters).
 */
const CONTROL_CLASS = '\\u0000-\\u001f\\u007f-\\u009f\\u202a-\\u202e\\u2066-\\u2069';
const CONTROL_RUN = new RegExp(`[${CONTROL_CLASS}]+`, 'g');
const CONTROL_CHAR = new RegExp(`[${CONTROL_CLASS}]`, 'g');

/** Each run of control characters becomes one space; the result is trimmed. */
export function stripControlCharacters(text: string): string {
  return text.replace(CONTROL_RUN, ' ').trim();
}

const NAMED_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeOne(char: string): string {
  const named = NAMED_ESCAPES[char];
  if (named !== undefined) return named;
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * The value as text safe to print: every control character is shown as an escape (`\x1b`, `\n`,
 * `\u202e`), everything else as it is. Non-strings are converted with String() first.
 */
export function printable(value: unknown): string {
  return String(value).replace(CONTROL_CHAR, escapeOne);
}

/**
 * A block that is multi-line by design (e.g. an alert body someone else composed): its line breaks
 * stay, every other control character is escaped as printable() does.
 */
export function printableLines(text: string): string {
  return text.split('\n').map(printable).join('\n');
}
