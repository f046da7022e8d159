import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { controlPicture, terminalSafeJson, visibleLine, visibleText } from '../../../src/common/visible-text.js';

// Strings that favour the characters that matter: C0, DEL, C1, separators, bidi, CRLF.
const nasty = fc.constantFrom('\x1b', '\x07', '\x00', '\n', '\r', '\r\n', '\t', '\x7f', '\u0085', '\u009b', '\u009d', '\u2028', '\u2029', '\u202e', '\u2066', '\u2069', ']52;', '[2J', 'é', '字', '😀', 'a', ' ');
const hostile = fc.oneof(fc.string({ unit: 'binary' }), fc.array(nasty).map((parts) => parts.join('')));

const C0_BUT_NL_TAB = /[\x00-\x08\x0a-\x1f]/;
const C0_AND_NL = /[\x00-\x08\x0b-\x1f]/;
const C1_DEL = /[\x7f-\x9f]/;
const SEPARATORS_BIDI = /[\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('visibleText / visibleLine', () => {
  it('shows escapes as the control pictures, C1 and bidi as <U+XXXX>', () => {
    expect(visibleText('t\x1b]52;c;aGk=\x07 \x1b[2J \x1b]0;x\x07')).toBe('t␛]52;c;aGk=␇ ␛[2J ␛]0;x␇');
    expect(visibleText('\u009b31m \u202eabc \u2066 \x7f \x00')).toBe('<U+009B>31m <U+202E>abc <U+2066> ␡ ␀');
    expect(controlPicture('\x1b')).toBe('␛');
    expect(controlPicture('\u0085')).toBe('<U+0085>');
  });

  it('keeps the lines of a body (CRLF read as a newline, a lone CR shown), and tabs', () => {
    expect(visibleText('one\r\ntwo\nthree\rover\tend')).toBe('one\ntwo\nthree␍over\tend');
    expect(visibleText('plain text, unchanged: é 字 😀')).toBe('plain text, unchanged: é 字 😀');
  });

  it('keeps a line to one line: newlines shown, a tab as a space', () => {
    expect(visibleLine('title\nforged row\r\n\tx')).toBe('title␊forged row␍␊ x');
  });

  it('never lets a control through, and is idempotent (fast-check)', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        const shown = visibleText(text);
        expect(shown).not.toMatch(C0_AND_NL);
        expect(shown).not.toMatch(C1_DEL);
        expect(shown).not.toMatch(SEPARATORS_BIDI);
        expect(visibleText(shown)).toBe(shown);
        const line = visibleLine(text);
        expect(line).not.toMatch(C0_BUT_NL_TAB);
        expect(line).not.toMatch(/\t/);
        expect(line).not.toMatch(C1_DEL);
        expect(line).not.toMatch(SEPARATORS_BIDI);
        expect(visibleLine(line)).toBe(line);
        expect(visibleLine(shown)).toBe(visibleLine(shown.replace(/\t/g, ' ')));
        // Text without controls is never touched.
        const clean = text.replace(/[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, '');
        expect(visibleText(clean)).toBe(clean);
        expect(visibleLine(clean)).toBe(clean);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('terminalSafeJson', () => {
  it('escapes what JSON.stringify leaves raw, and the JSON still parses to the exact value (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(hostile), (strings) => {
        const value = { title: strings[0] ?? '', labels: strings };
        const json = terminalSafeJson(JSON.stringify(value, null, 2));
        expect(json).not.toMatch(/[\x00-\x09\x0b-\x1f]/);
        expect(json).not.toMatch(C1_DEL);
        expect(json).not.toMatch(SEPARATORS_BIDI);
        expect(JSON.parse(json)).toEqual(value);
      }),
      { numRuns: 1000 },
    );
    expect(terminalSafeJson(JSON.stringify('\u009b\u202e'))).toBe('"\\u009b\\u202e"');
  });
});
