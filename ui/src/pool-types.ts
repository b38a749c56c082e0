/** Shapes of the pool API's answers (GET /api/pools). */
export interface LastError {
  readonly message: string;
  readonly kind: string;
  readonly status: number;
  readonly at: number;
}

export interface PoolItem {
  readonly uuid: string;
  readonly name: string;
  readonly group: string;
  readonly providerType: string;
  readonly healthy: boolean;
  readonly disabled: boolean;
  readonly available: boolean;
  readonly needsRefresh: boolean;
  readonly inFlight: number;
  readonly queued: number;
  readonly usageCount: number;
  readonly errorCount: number;
  readonly consecutiveErrors: number;
  readonly lastUsedAt: number;
  readonly lastError?: LastError;
  readonly cooldownUntil: number;
  readonly modelCooldowns: Readonly<Record<string, number>>;
  readonly quotaOutUntil: number;
  readonly latencyEwmaMs?: number;
}

export interface PoolGroup {
  readonly name: string;
  readonly items: PoolItem[];
  readonly count: number;
  readonly unhealthyCount: number;
}

export interface PoolsAnswer {
  readonly groups: PoolGroup[];
  readonly timestamp: string;
}

export type HealthTone = 'ok' | 'warn' | 'bad' | 'off';

/** Health in words (the colour only repeats it): what an operator needs to read at a glance. */
export function describeHealth(item: PoolItem, now: number, clock: (time: number) => string): { tone: HealthTone; text: string } {
  if (item.disabled) return { tone: 'off', text: 'disabled' };
  if (!item.healthy) {
    const reason = item.lastError ? `: ${item.lastError.status ? `${item.lastError.status} ` : ''}${item.lastError.message}` : '';
    return { tone: 'bad', text: `unhealthy${reason}` };
  }
  if (item.quotaOutUntil > now) return { tone: 'warn', text: `out of quota until ${clock(item.quotaOutUntil)}` };
  if (item.cooldownUntil > now) return { tone: 'warn', text: `cooling down until ${clock(item.cooldownUntil)}` };
  if (item.needsRefresh) return { tone: 'warn', text: 'healthy, token refresh pending' };
  const cooled = Object.keys(item.modelCooldowns).length;
  if (cooled > 0) return { tone: 'warn', text: `healthy, ${cooled} model${cooled === 1 ? '' : 's'} cooling down` };
  return { tone: 'ok', text: 'healthy' };
}
