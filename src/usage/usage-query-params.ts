import { GatewayError } from '../errors/gateway-error.js';
import { GROUP_FIELDS, type GroupField, type RecentQuery, type UsageQuery } from './usage-store.js';

/** Query-string parsing for the usage endpoints: a clear 400 naming the parameter for anything wrong. */
function badParameter(name: string, message: string): GatewayError {
  return new GatewayError('invalid_parameter', 'invalid_request', `${name}: ${message}`, { status: 400, scope: 'request', param: name });
}

function parseTime(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const time = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(time)) throw badParameter(name, `expected an ISO-8601 time (e.g. 2026-01-31T00:00:00Z), got ${JSON.stringify(value.slice(0, 40))}`);
  return time;
}

function single(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) return value.length > 0 ? String(value[value.length - 1]) : undefined;
  return typeof value === 'string' ? value : undefined;
}

const DAY_MS = 86_400_000;

export function parseUsageQuery(query: Record<string, unknown>, now: number): UsageQuery & { format: 'json' | 'csv' } {
  const to = parseTime('to', single(query, 'to'), now);
  const from = parseTime('from', single(query, 'from'), to - DAY_MS);
  if (from > to) throw badParameter('from', 'must not be after to');
  const groupBy: GroupField[] = [];
  for (const part of (single(query, 'groupBy') ?? '').split(',')) {
    const field = part.trim();
    if (field === '') continue;
    if (!(GROUP_FIELDS as readonly string[]).includes(field))
      throw badParameter('groupBy', `unknown field ${JSON.stringify(field.slice(0, 40))} (use ${GROUP_FIELDS.join(', ')})`);
    if (!groupBy.includes(field as GroupField)) groupBy.push(field as GroupField);
  }
  const format = single(query, 'format') ?? 'json';
  if (format !== 'json' && format !== 'csv') throw badParameter('format', 'use json or csv');
  return { from, to, groupBy, format };
}

export function parseRecentQuery(query: Record<string, unknown>): RecentQuery {
  const limitText = single(query, 'limit');
  let limit = 50;
  if (limitText !== undefined) {
    if (!/^\d+$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > 1000) throw badParameter('limit', 'expected an integer from 1 to 1000');
    limit = Number(limitText);
  }
  const beforeText = single(query, 'before');
  const before = beforeText === undefined ? undefined : parseTime('before', beforeText, 0);
  const provider = single(query, 'provider')?.toLowerCase() || undefined;
  const statusText = single(query, 'status');
  let status: RecentQuery['status'];
  if (statusText !== undefined && statusText !== '') {
    if (statusText === 'error' || statusText === 'ok') status = statusText;
    else if (/^\d{3}$/.test(statusText)) status = Number(statusText);
    else throw badParameter('status', 'expected an HTTP status (e.g. 429), error or ok');
  }
  return { limit, before, provider, status };
}
