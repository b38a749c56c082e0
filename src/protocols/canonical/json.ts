import { GatewayError } from '../../errors/gateway-error.js';

export type JsonObject = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function invalidRequest(message: string): GatewayError {
  return new GatewayError('invalid_request_body', 'invalid_request', message, { status: 400, scope: 'request' });
}

/** An upstream body we cannot read: the backend's fault, not the client's. */
export function invalidUpstream(message: string): GatewayError {
  return new GatewayError('upstream_invalid_body', 'upstream', message, { status: 502, scope: 'request' });
}

export function requireRecord(value: unknown, what: string): JsonObject {
  if (!isRecord(value)) throw invalidRequest(`${what} must be a JSON object`);
  return value;
}

export function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A finite number, or undefined. Zero is a value, never "unset". */
export function optionalNumber(value: unknown, what?: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (what !== undefined) throw invalidRequest(`${what} must be a number`);
  return undefined;
}

export function optionalBoolean(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

/** True when `text` is empty or parses as JSON: a streamed argument string that is finished. */
export function isCompleteJson(text: string): boolean {
  if (text.trim() === '') return true;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Stop sequences as an array (OpenAI allows a single string). */
export function readStopSequences(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) {
    const list = value.filter((entry): entry is string => typeof entry === 'string');
    return list.length > 0 ? list : undefined;
  }
  return undefined;
}

/**
 * Parses tool-call arguments into an object. Models sometimes stream truncated or invalid JSON: the
 * result is then `{}` rather than a string, since every target expects an object.
 */
export function parseToolArguments(text: unknown): JsonObject {
  if (isRecord(text)) return text;
  if (typeof text !== 'string' || text.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return isRecord(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

export function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Removes keys whose value is undefined so encoded bodies carry only what was set. */
export function compact<T extends JsonObject>(object: T): T {
  for (const key of Object.keys(object)) if (object[key] === undefined) delete object[key];
  return object;
}

export function parseDataUrl(url: string): { mediaType: string; data: string } | undefined {
  const match = /^data:([^;,]*)(?:;[^,]*)?;base64,(.*)$/s.exec(url);
  if (!match) return undefined;
  return { mediaType: match[1] || 'application/octet-stream', data: match[2] ?? '' };
}

export function toDataUrl(mediaType: string, data: string): string {
  return `data:${mediaType};base64,${data}`;
}
