/**
 * Structural mutation of JSON requests for the fuzz test: every mutation picks one node of the tree
 * (the root included) and replaces, removes, wraps, empties or retypes it, so the bodies stay close to
 * what real clients send while hitting every field the gateway reads with a wrong shape.
 */
import fc from 'fast-check';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface Mutation {
  /** Which node, modulo the number of nodes. */
  readonly at: number;
  readonly op: 'replace' | 'delete' | 'wrap' | 'null' | 'duplicate' | 'empty' | 'stringify' | 'numberify' | 'addKey';
  readonly value: JsonValue;
  readonly key: string;
}

interface Location {
  readonly parent: JsonValue[] | { [key: string]: JsonValue } | undefined;
  readonly key: string | number;
  readonly value: JsonValue;
}

function locations(root: JsonValue): Location[] {
  const found: Location[] = [{ parent: undefined, key: '', value: root }];
  const visit = (value: JsonValue) => {
    if (Array.isArray(value)) {
      value.forEach((item, index) => {
        found.push({ parent: value, key: index, value: item });
        visit(item);
      });
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        found.push({ parent: value, key, value: item });
        visit(item);
      }
    }
  };
  visit(root);
  return found;
}

function replacement(mutation: Mutation, current: JsonValue): JsonValue | undefined {
  switch (mutation.op) {
    case 'replace':
      // A copy: fc.constantFrom hands out the same [] / {} each time, and a shared node mutated later
      // could come to contain itself (a cycle), besides changing the constant for later cases.
      return structuredClone(mutation.value);
    case 'delete':
      return undefined;
    case 'wrap':
      return [current];
    case 'null':
      return null;
    case 'duplicate':
      return Array.isArray(current) ? [...current, ...current] : { value: current };
    case 'empty':
      return Array.isArray(current) ? [] : current !== null && typeof current === 'object' ? {} : '';
    case 'stringify':
      return JSON.stringify(current) ?? '';
    case 'numberify':
      return typeof current === 'string' ? current.length : -1;
    case 'addKey':
      if (current !== null && typeof current === 'object' && !Array.isArray(current)) return { ...current, [mutation.key]: structuredClone(mutation.value) };
      return structuredClone(mutation.value);
  }
}

/** Applies the mutations in order to a copy of `seed`. */
export function mutate(seed: JsonValue, mutations: readonly Mutation[]): JsonValue {
  let root = structuredClone(seed);
  for (const mutation of mutations) {
    const nodes = locations(root);
    // The root itself (a body that is not an object) in one mutation of ten; otherwise a node inside.
    const target = (nodes.length === 1 || mutation.at % 10 === 0 ? nodes[0] : nodes[1 + (mutation.at % (nodes.length - 1))])!;
    const next = replacement(mutation, target.value);
    if (target.parent === undefined) root = next ?? null;
    else if (Array.isArray(target.parent)) {
      if (next === undefined) target.parent.splice(target.key as number, 1);
      else target.parent[target.key as number] = next;
    } else if (next === undefined) delete target.parent[target.key as string];
    else target.parent[target.key as string] = next;
  }
  return root;
}

const oddValue: fc.Arbitrary<JsonValue> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom<JsonValue>(
      null,
      0,
      -1,
      1e308,
      '',
      ' ',
      true,
      false,
      [],
      {},
      [null],
      { type: null },
      'user',
      'assistant',
      'system',
      'tool',
      'model',
      'text',
      'function',
      'image',
      'thinking',
      'tool_use',
      'tool_result',
      '__proto__',
      'constructor',
      'data:image/png;base64,',
      'data:;base64,%%%',
    ),
  },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<JsonValue> },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
);

export const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  op: fc.constantFrom<Mutation['op']>('replace', 'replace', 'delete', 'wrap', 'null', 'duplicate', 'empty', 'stringify', 'numberify', 'addKey'),
  value: oddValue,
  key: fc.constantFrom(
    'type',
    'role',
    'content',
    'text',
    'parts',
    'name',
    'id',
    'input',
    'model',
    'stream',
    'tools',
    'system',
    '_internal',
    'cache_control',
    '__proto__',
  ),
});
