import { type JsonMember, type JsonScan, scanJson } from './json-scan.js';

/** JSON text to put into a document as it is (already valid JSON: the caller vouches for it). */
export class RawJson {
  constructor(readonly bytes: Uint8Array) {}

  /** An array whose elements are raw JSON or values to serialise, without re-serialising the raw ones. */
  static array(elements: readonly unknown[]): RawJson {
    const parts: Uint8Array[] = [OPEN_ARRAY];
    elements.forEach((element, index) => {
      if (index > 0) parts.push(COMMA);
      parts.push(toJsonBytes(element));
    });
    parts.push(CLOSE_ARRAY);
    return new RawJson(Buffer.concat(parts));
  }
}

const OPEN_OBJECT = Buffer.from('{');
const CLOSE_OBJECT = Buffer.from('}');
const OPEN_ARRAY = Buffer.from('[');
const CLOSE_ARRAY = Buffer.from(']');
const COMMA = Buffer.from(',');
const COLON = Buffer.from(':');

function toJsonBytes(value: unknown): Uint8Array {
  return value instanceof RawJson ? value.bytes : Buffer.from(JSON.stringify(value) ?? 'null');
}

/**
 * Edits to a JSON object's top-level members. `set`: each key gets the value (serialised with
 * JSON.stringify, or a RawJson put in as it is), replacing the member where it is or, when absent,
 * added at the end; `undefined` removes the key. `remove`: other members whose key matches are dropped.
 * Example, the OpenAI usage option on a request that may carry its own `stream_options`:
 *   body.edit({ set: { stream_options: { ...(body.get('stream_options') as object), include_usage: true } } })
 */
export interface JsonObjectEdits {
  readonly set?: Readonly<Record<string, unknown>>;
  readonly remove?: (key: string) => boolean;
}

const utf8 = new TextDecoder('utf-8');

/**
 * A JSON object body kept as the bytes the client sent, with its top-level members located: the few
 * values the gateway reads are parsed alone, edits are spliced into the bytes, and the whole object is
 * materialised only for code that needs it (conversion, prompt logs), once.
 */
export class RawJsonObject {
  private object: Record<string, unknown> | undefined;
  private lastIndexOf: Map<string, number> | undefined;

  private constructor(
    readonly bytes: Buffer,
    private readonly scan: JsonScan,
  ) {}

  /**
   * Scans `bytes` (throwing JsonScanError when they are not valid JSON) and returns the object view,
   * or the kind of the value when it is not an object.
   */
  static from(bytes: Buffer): RawJsonObject | { readonly kind: Exclude<JsonScan['kind'], 'object'> } {
    const scan = scanJson(bytes);
    if (scan.kind !== 'object') return { kind: scan.kind };
    return new RawJsonObject(bytes, scan);
  }

  /** Wraps an object already in memory (bodies built by the gateway itself, tests). */
  static fromObject(object: Record<string, unknown>): RawJsonObject {
    const view = RawJsonObject.from(Buffer.from(JSON.stringify(object))) as RawJsonObject;
    view.object = object;
    return view;
  }

  /** The member that counts for `key`: the last, as JSON.parse keeps the last of duplicate keys. */
  member(key: string): JsonMember | undefined {
    const index = this.indexes().get(key);
    return index === undefined ? undefined : this.scan.members[index];
  }

  has(key: string): boolean {
    return this.indexes().has(key);
  }

  /** Distinct top-level keys, in order of first appearance. */
  keys(): string[] {
    return [...this.indexes().keys()];
  }

  /** The value of one top-level member, parsed alone; undefined when absent. */
  get(key: string): unknown {
    if (this.object) return this.object[key];
    const member = this.member(key);
    return member === undefined ? undefined : JSON.parse(utf8.decode(this.bytes.subarray(member.valueStart, member.valueEnd)));
  }

  /** The raw bytes of one top-level member's value, or undefined when absent. */
  rawValue(key: string): Buffer | undefined {
    const member = this.member(key);
    return member === undefined ? undefined : this.bytes.subarray(member.valueStart, member.valueEnd);
  }

  /** The whole object, parsed once and shared: callers that change it work on their own copy. */
  toObject(): Record<string, unknown> {
    this.object ??= JSON.parse(this.bytes.toString('utf8')) as Record<string, unknown>;
    return this.object;
  }

  /** New bytes with the edits applied; the untouched members are copied byte for byte. */
  edit(edits: JsonObjectEdits): Buffer {
    const set = edits.set ?? {};
    const indexes = this.indexes();
    const parts: Uint8Array[] = [OPEN_OBJECT];
    let count = 0;
    const push = (...pieces: Uint8Array[]) => {
      if (count > 0) parts.push(COMMA);
      parts.push(...pieces);
      count += 1;
    };
    this.scan.members.forEach((member, index) => {
      if (Object.hasOwn(set, member.key)) {
        // Only the member that counts gets the new value; earlier duplicates go.
        const value = set[member.key];
        if (value !== undefined && indexes.get(member.key) === index) {
          push(this.bytes.subarray(member.keyStart, member.keyEnd), COLON, toJsonBytes(value));
        }
        return;
      }
      if (edits.remove?.(member.key)) return;
      push(this.bytes.subarray(member.keyStart, member.valueEnd));
    });
    for (const [key, value] of Object.entries(set)) {
      if (value !== undefined && !indexes.has(key)) push(Buffer.from(JSON.stringify(key)), COLON, toJsonBytes(value));
    }
    parts.push(CLOSE_OBJECT);
    return Buffer.concat(parts);
  }

  private indexes(): Map<string, number> {
    if (!this.lastIndexOf) {
      this.lastIndexOf = new Map();
      this.scan.members.forEach((member, index) => {
        // Re-inserting moves nothing in a Map: keys() keeps first-appearance order, the index is the last.
        this.lastIndexOf!.set(member.key, index);
      });
    }
    return this.lastIndexOf;
  }
}
