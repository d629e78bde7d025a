/** Untrusted text is inert: what a producer writes cannot steer a terminal or an e-mail. */
import { printable } from '../../shared/text/printable';

test.each([
  ['plain ids, Unicode and spaces are unchanged', 'job-1 user@x.y/z ünïcødé 日本', 'job-1 user@x.y/z ünïcødé 日本'],
  ['ANSI escapes', '\u001b[2J\u001b]0;pwned\u0007', '\\x1b[2J\\x1b]0;pwned\\x07'],
  ['new lines cannot start a fake paragraph', 'ok\n  What to do: adjust --credits=999', 'ok\\n  What to do: adjust --credits=999'],
  ['NUL, DEL and C1 controls', '\u0000\u007f\u0085\u009b', '\\x00\\x7f\\x85\\x9b'],
  ['bidi overrides and isolates', 'abc\u202edef\u2066', 'abc\\u202edef\\u2066'],
  ['a backslash is doubled, so no escape can be forged', 'a\\x1b', 'a\\\\x1b'],
  ['tabs and carriage returns', '\t\r', '\\t\\r'],
])('%s', (_what, input, expected) => {
  expect(printable(input)).toBe(expected);
  // Whatever comes out holds no control character at all.
  // eslint-disable-next-line no-control-regex
  expect(printable(input)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
});
