/**
 * A validating JSON scanner over raw bytes. It walks a document once, accepts exactly what
 * `JSON.parse(bytes.toString('utf8'))` accepts, and builds nothing but the byte offsets of the
 * top-level object's members: a 1 MB request body is checked and its `model` found without
 * materialising the megabyte of messages around it.
 *
 * One difference from JSON.parse is deliberate: bytes inside strings are not UTF-8-checked (JSON.parse
 * would see U+FFFD where a client sent invalid UTF-8); the bytes are forwarded as the client sent them.
 */

/** Byte offsets of one member of an object: `"key"` spans [keyStart, keyEnd), its value [valueStart, valueEnd). */
export interface JsonMember {
  readonly key: string;
  readonly keyStart: number;
  readonly keyEnd: number;
  readonly valueStart: number;
  readonly valueEnd: number;
}

export type JsonKind = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null';

/** Byte offsets of one element of an array: [start, end). */
export interface JsonElement {
  readonly start: number;
  readonly end: number;
}

export interface JsonScan {
  readonly kind: JsonKind;
  /** The top-level object's members in document order, duplicates included (the last one wins, as in JSON.parse). */
  readonly members: readonly JsonMember[];
  /** The top-level array's elements in order. */
  readonly elements: readonly JsonElement[];
  /** Offsets of the top-level value, without surrounding whitespace. */
  readonly start: number;
  readonly end: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

/** Thrown for invalid JSON; callers that need JSON.parse's own wording re-parse on this rare path. */
export class JsonScanError extends Error {
  constructor(readonly position: number) {
    super(`invalid JSON at byte ${position}`);
  }
}

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** 1 for the bytes that end the plain run of a string: a quote, a backslash, a control character. */
const STRING_SPECIAL = new Uint8Array(256);
for (let c = 0; c < 0x20; c += 1) STRING_SPECIAL[c] = 1;
STRING_SPECIAL[QUOTE] = 1;
STRING_SPECIAL[BACKSLASH] = 1;

const ESCAPABLE = new Uint8Array(128);
for (const c of '"\\/bfnrt') ESCAPABLE[c.charCodeAt(0)] = 1;

/** Index after the whitespace at `i`. */
function skipWhitespace(bytes: Uint8Array, i: number, end: number): number {
  while (i < end && isWhitespace(bytes[i]!)) i += 1;
  return i;
}

/** Set by scanString: whether the string just scanned held an escape. */
let stringHadEscape = false;

/**
 * `i` at an opening quote: returns the index after the closing quote. Positions are locals of
 * top-level functions rather than captured variables, so V8 keeps them in registers: the plain-byte
 * loop is the whole cost of a long string.
 */
function scanString(bytes: Uint8Array, i: number, end: number): number {
  let escaped = false;
  i += 1;
  for (;;) {
    while (i < end && STRING_SPECIAL[bytes[i]!] === 0) i += 1;
    if (i >= end) throw new JsonScanError(i);
    const c = bytes[i]!;
    if (c === QUOTE) {
      stringHadEscape = escaped;
      return i + 1;
    }
    if (c !== BACKSLASH) throw new JsonScanError(i); // a raw control character
    escaped = true;
    const next = i + 1 < end ? bytes[i + 1]! : -1;
    if (next === 0x75 /* u */) {
      if (i + 6 > end || !isHex(bytes[i + 2]!) || !isHex(bytes[i + 3]!) || !isHex(bytes[i + 4]!) || !isHex(bytes[i + 5]!)) throw new JsonScanError(i);
      i += 6;
    } else if (next >= 0 && next < 128 && ESCAPABLE[next] === 1) {
      i += 2;
    } else {
      throw new JsonScanError(i);
    }
  }
}

function skipDigits(bytes: Uint8Array, i: number, end: number): number {
  while (i < end && isDigit(bytes[i]!)) i += 1;
  return i;
}

/** `i` at `-` or a digit: returns the index after the number (JSON's grammar: no `+`, no leading zeros, no bare `.`). */
function scanNumber(bytes: Uint8Array, i: number, end: number): number {
  if (bytes[i] === 0x2d /* - */) i += 1;
  if (i < end && bytes[i] === 0x30 /* 0 */) i += 1;
  else if (i < end && isDigit(bytes[i]!)) i = skipDigits(bytes, i, end);
  else throw new JsonScanError(i);
  if (i < end && bytes[i] === 0x2e /* . */) {
    i += 1;
    if (i >= end || !isDigit(bytes[i]!)) throw new JsonScanError(i);
    i = skipDigits(bytes, i, end);
  }
  if (i < end && (bytes[i] === 0x65 || bytes[i] === 0x45) /* e E */) {
    i += 1;
    if (i < end && (bytes[i] === 0x2b || bytes[i] === 0x2d) /* + - */) i += 1;
    if (i >= end || !isDigit(bytes[i]!)) throw new JsonScanError(i);
    i = skipDigits(bytes, i, end);
  }
  return i;
}

function scanLiteral(bytes: Uint8Array, i: number, end: number, text: string): number {
  if (i + text.length > end) throw new JsonScanError(i);
  for (let k = 0; k < text.length; k += 1) if (bytes[i + k] !== text.charCodeAt(k)) throw new JsonScanError(i + k);
  return i + text.length;
}

/**
 * Scans one JSON value in `bytes[start, end)` (surrounding whitespace allowed) and returns its kind and,
 * for an object, its members. Throws JsonScanError when the bytes are not exactly one valid JSON value.
 */
export function scanJson(bytes: Uint8Array, start = 0, end = bytes.length): JsonScan {
  // Containers open: true for an object, false for an array. Iterative, so a deeply nested body
  // cannot overflow the call stack.
  const stack: boolean[] = [];
  const members: JsonMember[] = [];
  const elements: JsonElement[] = [];
  let kind: JsonKind | undefined;
  // The pending top-level member or element (offsets are kept at depth 1 only).
  let keyStart = 0;
  let keyEnd = 0;
  let keyEscaped = false;
  let valueStart = 0;

  let i = skipWhitespace(bytes, start, end);
  const valueBegin = i;
  let expectKey = false;
  for (;;) {
    if (expectKey) {
      // After `{` or `,` inside an object: a key, a colon, then the value.
      i = skipWhitespace(bytes, i, end);
      if (i >= end || bytes[i] !== QUOTE) throw new JsonScanError(i);
      const topLevel = stack.length === 1;
      const keyBegin = i;
      i = scanString(bytes, i, end);
      if (topLevel) {
        keyStart = keyBegin;
        keyEnd = i;
        keyEscaped = stringHadEscape;
      }
      i = skipWhitespace(bytes, i, end);
      if (i >= end || bytes[i] !== COLON) throw new JsonScanError(i);
      i = skipWhitespace(bytes, i + 1, end);
      if (topLevel) valueStart = i;
      expectKey = false;
    }
    // A value starts at `i`.
    if (i >= end) throw new JsonScanError(i);
    const c = bytes[i]!;
    if (stack.length === 1 && stack[0] === false) valueStart = i;
    let kindHere: JsonKind;
    if (c === QUOTE) {
      i = scanString(bytes, i, end);
      kindHere = 'string';
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      const isObject = c === OPEN_OBJECT;
      i = skipWhitespace(bytes, i + 1, end);
      if (i < end && bytes[i] === (isObject ? CLOSE_OBJECT : CLOSE_ARRAY)) {
        i += 1;
        kindHere = isObject ? 'object' : 'array';
      } else {
        kind ??= isObject ? 'object' : 'array';
        stack.push(isObject);
        expectKey = isObject;
        continue;
      }
    } else if (c === 0x2d || isDigit(c)) {
      i = scanNumber(bytes, i, end);
      kindHere = 'number';
    } else if (c === 0x74 /* t */) {
      i = scanLiteral(bytes, i, end, 'true');
      kindHere = 'boolean';
    } else if (c === 0x66 /* f */) {
      i = scanLiteral(bytes, i, end, 'false');
      kindHere = 'boolean';
    } else if (c === 0x6e /* n */) {
      i = scanLiteral(bytes, i, end, 'null');
      kindHere = 'null';
    } else {
      throw new JsonScanError(i);
    }
    kind ??= kindHere;

    // A value just ended at `i`: close containers until one continues with `,`.
    for (;;) {
      if (stack.length === 1) {
        if (stack[0] === true) members.push({ key: decodeKey(bytes, keyStart, keyEnd, keyEscaped), keyStart, keyEnd, valueStart, valueEnd: i });
        else elements.push({ start: valueStart, end: i });
      }
      const valueEnd = i;
      i = skipWhitespace(bytes, i, end);
      if (stack.length === 0) {
        if (i !== end) throw new JsonScanError(i);
        return { kind, members, elements, start: valueBegin, end: valueEnd };
      }
      if (i >= end) throw new JsonScanError(i);
      const inObject = stack[stack.length - 1]!;
      const next = bytes[i]!;
      if (next === COMMA) {
        i = skipWhitespace(bytes, i + 1, end);
        expectKey = inObject;
        break;
      }
      if (next !== (inObject ? CLOSE_OBJECT : CLOSE_ARRAY)) throw new JsonScanError(i);
      i += 1;
      // The container itself is the value that just ended, in its parent.
      stack.pop();
    }
  }
}

const utf8 = new TextDecoder('utf-8');

function decodeKey(bytes: Uint8Array, start: number, end: number, escaped: boolean): string {
  if (escaped) return JSON.parse(utf8.decode(bytes.subarray(start, end))) as string;
  return utf8.decode(bytes.subarray(start + 1, end - 1));
}
