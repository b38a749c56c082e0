import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RawJson, RawJsonObject } from './raw-json-object.js';

const key = fc.constantFrom('model', 'stream', 'messages', '_internal', '_x', 'a"b', 'é', 'stream_options');
const whitespace = fc.stringMatching(/^[ \t\n\r]{0,2}$/);

/** An object's JSON text written member by member: duplicate keys and odd whitespace included. */
const objectText = fc
  .array(fc.tuple(key, fc.jsonValue({ maxDepth: 2 }), whitespace), { maxLength: 8 })
  .map((members) => `{${members.map(([name, value, space]) => `${space}${JSON.stringify(name)}${space}:${space}${JSON.stringify(value)}${space}`).join(',')}}`);

function view(text: string): RawJsonObject {
  const scanned = RawJsonObject.from(Buffer.from(text));
  if (!(scanned instanceof RawJsonObject)) throw new Error('not an object');
  return scanned;
}

describe('RawJsonObject', () => {
  it('reads each key as JSON.parse does (last duplicate wins) without parsing the rest', () => {
    fc.assert(
      fc.property(objectText, key, (text, name) => {
        const parsed = JSON.parse(text) as Record<string, unknown>;
        const body = view(text);
        expect(body.get(name)).toStrictEqual(parsed[name]);
        expect(body.has(name)).toBe(Object.hasOwn(parsed, name));
        expect(new Set(body.keys())).toStrictEqual(new Set(Object.keys(parsed)));
      }),
      { numRuns: 500 },
    );
  });

  it('splices set, added and removed keys into the bytes with the same result as editing the parsed object', () => {
    const edits = fc.record({
      set: fc.dictionary(key, fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }), { maxKeys: 3 }),
      removeUnderscore: fc.boolean(),
    });
    fc.assert(
      fc.property(objectText, edits, (text, { set, removeUnderscore }) => {
        const remove = removeUnderscore ? (name: string) => name.startsWith('_') : undefined;
        const expected = JSON.parse(text) as Record<string, unknown>;
        if (remove) for (const name of Object.keys(expected)) if (remove(name) && !Object.hasOwn(set, name)) delete expected[name];
        for (const [name, value] of Object.entries(set)) {
          if (value === undefined) delete expected[name];
          else expected[name] = value;
        }
        const edited = view(text).edit({ set, remove });
        // Through JSON text on both sides: a set value of -0 is written as 0, as JSON.stringify does.
        expect(JSON.parse(edited.toString('utf8'))).toStrictEqual(JSON.parse(JSON.stringify(expected)));
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps untouched members byte for byte and adds a missing key at the end', () => {
    const body = view('{"model" : "openai-custom:gpt-4o",\n "messages":[{"role":"user","content":"h\\u00e9"}], "_trace":1}');
    const edited = body.edit({ set: { model: 'gpt-4o', stream_options: { include_usage: true } }, remove: (name) => name.startsWith('_') });
    expect(edited.toString()).toBe('{"model":"gpt-4o","messages":[{"role":"user","content":"h\\u00e9"}],"stream_options":{"include_usage":true}}');
  });

  it('merges into an object member the client sent, the way an added upstream option does', () => {
    const body = view('{"stream":true,"stream_options":{"continuous_usage_stats":true}}');
    const edited = body.edit({ set: { stream_options: { ...(body.get('stream_options') as object), include_usage: true } } });
    expect(JSON.parse(edited.toString())).toStrictEqual({ stream: true, stream_options: { continuous_usage_stats: true, include_usage: true } });
  });

  it('puts RawJson values in as they are', () => {
    const body = view('{"messages":[1]}');
    const messages = RawJson.array([{ role: 'system', content: 'x' }, new RawJson(Buffer.from('{"role" : "user"}'))]);
    expect(body.edit({ set: { messages } }).toString()).toBe('{"messages":[{"role":"system","content":"x"},{"role" : "user"}]}');
  });

  it('materialises the whole object once, on demand', () => {
    const body = view('{"a":{"b":[1,2]},"a":{"c":3}}');
    expect(body.toObject()).toStrictEqual({ a: { c: 3 } });
    expect(body.toObject()).toBe(body.toObject());
  });

  it('tells the kind of a JSON value that is not an object', () => {
    expect(RawJsonObject.from(Buffer.from(' [1] '))).toStrictEqual({ kind: 'array' });
    expect(RawJsonObject.from(Buffer.from('"x"'))).toStrictEqual({ kind: 'string' });
  });
});
