import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonScanError, scanJson } from './json-scan.js';

const bytes = (text: string) => Buffer.from(text, 'utf8');

function accepts(text: string): boolean {
  try {
    scanJson(bytes(text));
    return true;
  } catch (error) {
    expect(error).toBeInstanceOf(JsonScanError);
    return false;
  }
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The object JSON.parse would build, rebuilt from the scanner's members (each value parsed alone). */
function fromMembers(text: string): Record<string, unknown> {
  const buffer = bytes(text);
  const object: Record<string, unknown> = {};
  for (const member of scanJson(buffer).members) {
    object[member.key] = JSON.parse(buffer.subarray(member.valueStart, member.valueEnd).toString('utf8'));
  }
  return object;
}

const whitespace = fc.stringMatching(/^[ \t\n\r]{0,3}$/);
// Keys from a small alphabet collide often (duplicate keys); some need escaping, some are not ASCII.
const key = fc.constantFrom('model', 'stream', 'messages', '_x', 'a"b', 'back\\slash', 'é', '😀', '\u0000', 'mo\u0064el');

/** JSON text of an object written member by member: duplicates kept, random whitespace, \u-escaped keys at times. */
const objectText = fc.array(fc.tuple(key, fc.jsonValue(), whitespace, whitespace, fc.boolean()), { maxLength: 8 }).map(
  (members) =>
    `{${members
      .map(([name, value, before, after, escapeAll]) => {
        const keyText = escapeAll ? `"${[...name].map((char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}"` : JSON.stringify(name);
        return `${before}${keyText}${after}:${before}${JSON.stringify(value, null, after.length > 1 ? 1 : undefined)}${after}`;
      })
      .join(',')}}`,
);

describe('scanJson', () => {
  it('accepts every JSON value JSON.stringify writes, in any indentation, and names its kind', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 0, max: 3 }), (value, indent) => {
        const text = JSON.stringify(value, null, indent);
        const scan = scanJson(bytes(text));
        const kind = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
        expect(scan.kind).toBe(kind);
        expect(bytes(text).subarray(scan.start, scan.end).toString()).toBe(text.trim());
      }),
      { numRuns: 500 },
    );
  });

  it('locates top-level members so that parsing each value alone gives what JSON.parse gives (duplicates: last wins)', () => {
    fc.assert(
      fc.property(objectText, whitespace, (text, outer) => {
        const padded = `${outer}${text}${outer}`;
        expect(fromMembers(padded)).toStrictEqual(JSON.parse(padded));
      }),
      { numRuns: 500 },
    );
  });

  it('locates the elements of a top-level array', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { maxLength: 6 }), (values) => {
        const text = JSON.stringify(values, null, 1);
        const buffer = bytes(text);
        const elements = scanJson(buffer).elements.map(({ start, end }) => JSON.parse(buffer.subarray(start, end).toString()) as unknown);
        expect(elements).toStrictEqual(JSON.parse(text));
      }),
    );
  });

  it('accepts exactly what JSON.parse accepts, for near-valid texts (one character deleted, inserted or replaced)', () => {
    const mutation = fc.tuple(fc.nat(), fc.constantFrom('delete', 'insert', 'replace'), fc.constantFrom(...'{}[]":,\\ \n\u0001-+.eE0123456789tfnul"xé'));
    fc.assert(
      fc.property(fc.oneof(objectText, fc.json()), mutation, (text, [at, kind, char]) => {
        const index = text.length === 0 ? 0 : at % text.length;
        const mutated =
          kind === 'delete'
            ? text.slice(0, index) + text.slice(index + 1)
            : kind === 'insert'
              ? text.slice(0, index) + char + text.slice(index)
              : text.slice(0, index) + char + text.slice(index + 1);
        expect(accepts(mutated)).toBe(parses(mutated));
      }),
      { numRuns: 3000 },
    );
  });

  it('accepts exactly what JSON.parse accepts, for arbitrary short texts of JSON characters', () => {
    const jsonish = fc.string({ unit: fc.constantFrom(...'{}[]":,\\ 0123456789-+.eEtrufalsn'), maxLength: 12 });
    fc.assert(
      fc.property(jsonish, (text) => {
        expect(accepts(text)).toBe(parses(text));
      }),
      { numRuns: 3000 },
    );
  });

  it('rejects what JSON.parse rejects among the classic mistakes', () => {
    for (const text of [
      '',
      ' ',
      '{',
      '{"a":1,}',
      '[1,]',
      '{"a" 1}',
      "{'a':1}",
      '{"a":01}',
      '{"a":1.}',
      '{"a":.5}',
      '{"a":+1}',
      '{"a":1e}',
      '{"a":"\t"}',
      '{"a":"\\x"}',
      '{"a":"\\u12G4"}',
      '{"a":tru}',
      '{"a":NaN}',
      '{"a":1} x',
      '\uFEFF{}',
      '{"a":1}{"b":2}',
    ]) {
      expect(parses(text), text).toBe(false);
      expect(accepts(text), text).toBe(false);
    }
  });

  it('scans very deep nesting without running out of stack', () => {
    const depth = 200_000;
    const text = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    expect(scanJson(bytes(text)).kind).toBe('array');
    expect(accepts(`${'['.repeat(depth)}${']'.repeat(depth - 1)}`)).toBe(false);
  });

  it('passes bytes inside strings through without judging their UTF-8 (they are forwarded as sent)', () => {
    const text = Buffer.concat([bytes('{"model":"m","text":"'), Buffer.from([0xff, 0xfe]), bytes('"}')]);
    expect(scanJson(text).members.map((member) => member.key)).toStrictEqual(['model', 'text']);
  });
});
