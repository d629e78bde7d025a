/**
 * Text that came from data (producer records, events, DLQ attributes), made inert before a person
 * reads it in a terminal or an e-mail: C0 controls (newlines included), DEL, C1 controls and the
 * bidi overrides/isolates are shown as escapes (`\x1b`, `\n`, `\u202e`), and a backslash is doubled
 * so that no escape can be forged. Printable text, Unicode included, is unchanged.
 */
// Control characters are exactly what this matches.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\\\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Readonly<Record<string, string>> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escape(char: string): string {
  const named = NAMED[char];
  if (named) return named;
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

export function printable(text: string): string {
  return text.replace(UNSAFE, escape);
}
