import { randomBytes } from 'node:crypto';

export type FlowStatus = 'pending' | 'done' | 'failed';

export interface LoginFlow<Secret> {
  readonly id: string;
  readonly provider: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  status: FlowStatus;
  /** What the page shows: the account added, or why it failed (never a token). */
  message?: string;
  uuid?: string;
  /** Server-side only (PKCE verifier, device code): never serialised. */
  readonly secret: Secret;
}

/**
 * Logins started from the console and not finished yet, by id. Each expires on its own; a finished
 * one stays a few minutes so the page can read the outcome.
 */
export class LoginFlows {
  readonly #flows = new Map<string, LoginFlow<unknown>>();

  start<Secret>(provider: string, ttlMs: number, secret: Secret): LoginFlow<Secret> {
    this.#sweep();
    const now = Date.now();
    const flow: LoginFlow<Secret> = { id: randomBytes(24).toString('base64url'), provider, createdAt: now, expiresAt: now + ttlMs, status: 'pending', secret };
    this.#flows.set(flow.id, flow);
    return flow;
  }

  get<Secret>(id: string): LoginFlow<Secret> | undefined {
    this.#sweep();
    return this.#flows.get(id) as LoginFlow<Secret> | undefined;
  }

  finish(flow: LoginFlow<unknown>, outcome: { status: 'done' | 'failed'; message: string; uuid?: string }): void {
    flow.status = outcome.status;
    flow.message = outcome.message;
    flow.uuid = outcome.uuid;
    // Keep the outcome readable for a while, but the flow can no longer be completed twice.
    (flow as { expiresAt: number }).expiresAt = Math.max(flow.expiresAt, Date.now() + 5 * 60_000);
  }

  #sweep(): void {
    const now = Date.now();
    for (const [id, flow] of this.#flows) if (flow.expiresAt <= now) this.#flows.delete(id);
  }
}

export function describeFlow(flow: LoginFlow<unknown>): Record<string, unknown> {
  return {
    id: flow.id,
    provider: flow.provider,
    status: flow.status,
    message: flow.message,
    uuid: flow.uuid,
    expiresAt: new Date(flow.expiresAt).toISOString(),
  };
}
