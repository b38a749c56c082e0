import { isRecord, type JsonObject } from '../canonical/json.js';

/**
 * JSON Schema -> the OpenAPI-subset Schema that Gemini's `parameters` / `responseSchema` accept.
 * `$ref` is inlined from `$defs`/`definitions` (cycles are cut after a few levels), `const` becomes a
 * one-value enum, type arrays become a type plus `nullable`, and every keyword Gemini rejects
 * (`$schema`, `additionalProperties`, `exclusiveMinimum`, `patternProperties`, ...) is dropped.
 * @see https://ai.google.dev/api/caching#Schema
 */
const STRING_FORMATS = new Set(['enum', 'date-time']);
const NUMBER_FORMATS = new Set(['float', 'double', 'int32', 'int64']);
const MAX_REF_DEPTH = 8;

interface Context {
  definitions: JsonObject;
  depth: number;
}

function resolveRef(ref: string, context: Context): unknown {
  const match = /^#\/(\$defs|definitions)\/(.+)$/.exec(ref);
  if (!match?.[2]) return undefined;
  const name = decodeURIComponent(match[2].replace(/~1/g, '/').replace(/~0/g, '~'));
  return context.definitions[name];
}

function schemaType(value: unknown): { type?: string; nullable: boolean } {
  if (typeof value === 'string') return value === 'null' ? { nullable: true } : { type: value.toUpperCase(), nullable: false };
  if (Array.isArray(value)) {
    const types = value.filter((entry): entry is string => typeof entry === 'string');
    const nonNull = types.filter((entry) => entry !== 'null');
    return { ...(nonNull[0] !== undefined && { type: nonNull[0].toUpperCase() }), nullable: types.includes('null') };
  }
  return { nullable: false };
}

function convert(schema: unknown, context: Context): JsonObject {
  if (!isRecord(schema)) return {};
  if (typeof schema.$ref === 'string') {
    if (context.depth >= MAX_REF_DEPTH) return { type: 'OBJECT' };
    const target = resolveRef(schema.$ref, context);
    const { $ref: _ref, ...rest } = schema;
    return convert({ ...(isRecord(target) ? target : {}), ...rest }, { ...context, depth: context.depth + 1 });
  }
  if (Array.isArray(schema.allOf)) {
    // Merge allOf members into one object schema (the common use is composing object properties).
    const merged: JsonObject = { ...schema };
    delete merged.allOf;
    for (const member of schema.allOf) {
      const resolved = isRecord(member) && typeof member.$ref === 'string' ? resolveRef(member.$ref, context) : member;
      if (!isRecord(resolved)) continue;
      for (const [key, value] of Object.entries(resolved)) {
        if (key === 'properties' && isRecord(value)) merged.properties = { ...(isRecord(merged.properties) ? merged.properties : {}), ...value };
        else if (key === 'required' && Array.isArray(value)) merged.required = [...(Array.isArray(merged.required) ? merged.required : []), ...value];
        else if (merged[key] === undefined) merged[key] = value;
      }
    }
    return convert(merged, context);
  }

  const result: JsonObject = {};
  const { type, nullable } = schemaType(schema.type);
  let isNullable = nullable || schema.nullable === true;

  const alternatives = Array.isArray(schema.anyOf) ? schema.anyOf : Array.isArray(schema.oneOf) ? schema.oneOf : undefined;
  if (alternatives) {
    const options = alternatives.filter((option) => !(isRecord(option) && option.type === 'null'));
    if (options.length < alternatives.length) isNullable = true;
    const converted = options.map((option) => convert(option, context));
    if (converted.length === 1 && type === undefined) {
      Object.assign(result, converted[0]);
    } else if (converted.length > 0) {
      result.anyOf = converted;
    }
  }

  if (type !== undefined) result.type = type;
  if (typeof schema.description === 'string') result.description = schema.description;
  if (typeof schema.title === 'string' && result.description === undefined) result.description = schema.title;

  if (schema.const !== undefined) {
    result.enum = [String(schema.const)];
    result.type ??= 'STRING';
  } else if (Array.isArray(schema.enum)) {
    const values = schema.enum.filter((value) => value !== null);
    if (values.length > 0) {
      // Gemini enums are strings only.
      result.enum = values.map((value) => String(value));
      result.type = 'STRING';
    }
  }

  if (typeof schema.format === 'string') {
    const allowed = result.type === 'STRING' ? STRING_FORMATS : NUMBER_FORMATS;
    if (allowed.has(schema.format)) result.format = schema.format;
  }

  if (isRecord(schema.properties)) {
    const properties: JsonObject = {};
    for (const [name, value] of Object.entries(schema.properties)) properties[name] = convert(value, context);
    if (Object.keys(properties).length > 0) {
      result.properties = properties;
      result.type ??= 'OBJECT';
      if (Array.isArray(schema.required)) {
        const required = [...new Set(schema.required.filter((name): name is string => typeof name === 'string' && name in properties))];
        if (required.length > 0) result.required = required;
      }
    }
  }
  if (schema.items !== undefined) {
    const items = Array.isArray(schema.items) ? schema.items[0] : schema.items;
    result.items = convert(items, context);
    result.type ??= 'ARRAY';
  } else if (result.type === 'ARRAY') {
    result.items = { type: 'STRING' };
  }

  for (const key of ['minItems', 'maxItems', 'minLength', 'maxLength', 'minimum', 'maximum', 'minProperties', 'maxProperties']) {
    const value = schema[key];
    if (typeof value === 'number') result[key] = value;
  }
  if (typeof schema.pattern === 'string') result.pattern = schema.pattern;
  if (isNullable) result.nullable = true;
  return result;
}

export function toGeminiSchema(schema: JsonObject): JsonObject {
  const definitions = {
    ...(isRecord(schema.definitions) ? schema.definitions : {}),
    ...(isRecord(schema.$defs) ? schema.$defs : {}),
  };
  return convert(schema, { definitions, depth: 0 });
}

/** Tool parameters for Gemini; undefined when the tool takes no arguments (Gemini rejects empty OBJECT schemas). */
export function toGeminiParameters(schema: JsonObject): JsonObject | undefined {
  const converted = toGeminiSchema(schema);
  if (converted.type === 'OBJECT' && !isRecord(converted.properties)) return undefined;
  return converted;
}

/** Gemini Schema (upper-case types) -> plain JSON Schema, for a Gemini client's tools sent to other protocols. */
export function fromGeminiSchema(schema: unknown): JsonObject {
  if (!isRecord(schema)) return {};
  const result: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'type' && typeof value === 'string') result.type = value.toLowerCase();
    else if (key === 'properties' && isRecord(value)) {
      result.properties = Object.fromEntries(Object.entries(value).map(([name, child]) => [name, fromGeminiSchema(child)]));
    } else if (key === 'items') result.items = fromGeminiSchema(value);
    else if (key === 'anyOf' && Array.isArray(value)) result.anyOf = value.map(fromGeminiSchema);
    else if (key === 'nullable' || key === 'propertyOrdering') continue;
    else result[key] = value;
  }
  if (schema.nullable === true && typeof result.type === 'string') result.type = [result.type, 'null'];
  return result;
}
