import type { Dispatcher } from 'undici';
import { GatewayError } from '../errors/gateway-error.js';
import { toTransportError } from './transport-error.js';

type RawBody = Dispatcher.ResponseData['body'];

/**
 * An upstream answer's body whose failures are classified where they happen: a reset, a body
 * timeout or the client going away while it is read arrive as GatewayErrors (kind and scope), and
 * JSON that does not parse is the upstream's fault. So code above the edge never has to guess
 * whether an error it catches came from the network or from itself.
 */
export class UpstreamBody implements AsyncIterable<Buffer> {
  constructor(
    private readonly raw: RawBody,
    private readonly providerType: string,
    private readonly signal: AbortSignal,
  ) {}

  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    const inner = this.raw[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    // A plain iterator, not a generator: one extra promise per chunk on the streaming hot path.
    const fail = (error: unknown): never => {
      throw toTransportError(error, this.providerType, this.signal);
    };
    return {
      next: () => inner.next().catch(fail),
      return: (value?: unknown) => (inner.return ? inner.return(value).catch(fail) : Promise.resolve({ done: true, value: undefined })),
    };
  }

  async text(): Promise<string> {
    try {
      return await this.raw.text();
    } catch (error) {
      throw toTransportError(error, this.providerType, this.signal);
    }
  }

  /** The body as JSON; text that does not parse is an upstream failure (its bytes are not quoted: they may hold tokens). */
  async json(): Promise<unknown> {
    const text = await this.text();
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new GatewayError('upstream_invalid_json', 'upstream', `${this.providerType} upstream answered with invalid JSON`, {
        status: 502,
        scope: 'account',
      });
    }
  }

  /** Reads and drops the rest (so the connection can be reused). */
  dump(): Promise<void> {
    return this.raw.dump();
  }
}
