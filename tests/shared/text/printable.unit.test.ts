/**
 * Untrusted text made inert (security review L2): one class of control characters (C0, DEL, C1, the
 * bidi overrides and isolates), stripped from event free text at parse time and escaped for display.
 */
import { printable, printableLines, stripControlCharacters } from '../../../shared/text/printable';

const code = (n: number) => String.fromCharCode(n);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
/** Every character of the class, and the nearest characters outside it on each side of each range. */
const CONTROLS = [...range(0x00, 0x1f), 0x7f, ...range(0x80, 0x9f), ...range(0x202a, 0x202e), ...range(0x2066, 0x2069)];
const NEIGHBOURS = [0x20, 0x7e, 0xa0, 0x2029, 0x202f, 0x2065, 0x206a];

describe('stripControlCharacters', () => {
  test('every character of the class (all 74) becomes a space between words', () => {
    const stripped = CONTROLS.map((c) => [c.toString(16), stripControlCharacters(`gpu${code(c)}lost`)]);
    expect(stripped.filter(([, text]) => text !== 'gpu lost')).toEqual([]);
    expect(CONTROLS).toHaveLength(74);
  });

  test('each run becomes one space, and the result is trimmed', () => {
    // BEL is one run (one space); the space after it is not a control character and stays.
    expect(stripControlCharacters('\u001b]0;pwned\u0007 fake')).toBe(']0;pwned  fake');
    expect(stripControlCharacters('\u001b[2J\u0000gpu\r\n\r\nlost\u202e\u2066 ')).toBe('[2J gpu lost');
    expect(stripControlCharacters('\n\t\u0085')).toBe('');
  });

  test('the characters just outside the class stay; plain text is unchanged', () => {
    for (const c of NEIGHBOURS.filter((n) => n !== 0x20))
      expect(stripControlCharacters(`a${code(c)}b`)).toBe(`a${code(c)}b`);
    expect(stripControlCharacters('render worker lost the GPU (é, 日本, 🙂)')).toBe(
      'render worker lost the GPU (é, 日本, 🙂)',
    );
    expect(stripControlCharacters('')).toBe('');
  });
});

describe('printable', () => {
  test('named escapes for new line, carriage return and tab; \\xHH up to U+00FF; \\uHHHH above', () => {
    expect(printable('a\nb\rc\td')).toBe('a\\nb\\rc\\td');
    expect(printable('\u001b[31mred\u001b[0m')).toBe('\\x1b[31mred\\x1b[0m');
    expect(printable('\u001b]52;c;cGF5bG9hZA==\u0007')).toBe('\\x1b]52;c;cGF5bG9hZA==\\x07');
    expect(printable('\u0000\u007f\u0085\u009b\u009d')).toBe('\\x00\\x7f\\x85\\x9b\\x9d');
    expect(printable('user\u202eevil\u2066x\u2069')).toBe('user\\u202eevil\\u2066x\\u2069');
  });

  test('every character of the class is escaped: none is left, each shown as one escape', () => {
    const wrong = CONTROLS.map((c) => [c.toString(16), printable(`x${code(c)}y`)]).filter(
      ([, shown]) => !/^x\\(n|r|t|x[0-9a-f]{2}|u[0-9a-f]{4})y$/.test(shown!),
    );
    expect(wrong).toEqual([]);
  });

  test('everything else is shown as it is, and non-strings are converted', () => {
    for (const c of NEIGHBOURS) expect(printable(`a${code(c)}b`)).toBe(`a${code(c)}b`);
    expect(printable('job#1 é 日本 🙂 \\x1b (already text)')).toBe('job#1 é 日本 🙂 \\x1b (already text)');
    expect(printable(42)).toBe('42');
    expect(printable(undefined)).toBe('undefined');
  });

  test('printableLines keeps the line breaks of a block and escapes everything else', () => {
    expect(printableLines('Subject\n\n  job \u001b[2Jx\r\n')).toBe('Subject\n\n  job \\x1b[2Jx\\r\n');
  });
});
