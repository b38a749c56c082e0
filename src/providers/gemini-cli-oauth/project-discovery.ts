import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import { GatewayError } from '../../errors/gateway-error.js';
import { SingleFlight } from '../shared/oauth/single-flight.js';
import { awaitUnlessAborted } from './abortable.js';
import type { CodeAssistApi, CodeAssistMethod } from './code-assist-api.js';
import { PROVIDER_TYPE } from './gemini-settings.js';

type Json = Record<string, unknown>;

const CLIENT_METADATA = { ideType: 'IDE_UNSPECIFIED', platform: 'PLATFORM_UNSPECIFIED', pluginType: 'GEMINI', duetProject: '' };
const CALL_TIMEOUT_MS = 30_000;

interface Tier {
  id?: string;
  name?: string;
  isDefault?: boolean;
  userDefinedCloudaicompanionProject?: boolean;
}

export interface ProjectDiscoveryOptions {
  readonly configuredProject: string | undefined;
  readonly pollIntervalMs: number;
  readonly maxPolls: number;
}

function discoveryError(code: string, message: string, status = 403): GatewayError {
  return new GatewayError(code, status === 403 ? 'auth' : 'upstream', `${PROVIDER_TYPE}: ${message}`, { status, scope: 'account' });
}

/** The e-mail inside manageSubscriptionUri (`...?Email=user%40gmail.com&...`), for the log only. */
function accountEmail(load: Json): string | undefined {
  const uri = load.manageSubscriptionUri;
  const match = typeof uri === 'string' ? /[?&]Email=([^&]+)/.exec(uri) : null;
  if (!match?.[1]) return undefined;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return undefined;
  }
}

/**
 * The Google Cloud project Code Assist bills requests to: PROJECT_ID when configured, otherwise
 * asked once per instance (loadCodeAssist, then onboardUser polled until the long-running operation
 * is done) and cached. A failure is not cached, so the next request tries again.
 */
export class ProjectDiscovery {
  private project: string | undefined;
  private readonly discovering = new SingleFlight<string>();

  constructor(
    private readonly api: CodeAssistApi,
    private readonly options: ProjectDiscoveryOptions,
    private readonly logger: Logger,
  ) {}

  get source(): 'config' | 'discovered' {
    return this.options.configuredProject ? 'config' : 'discovered';
  }

  get current(): string | undefined {
    return this.options.configuredProject ?? this.project;
  }

  /** Drops a discovered project Google refused, so the next request asks again. */
  forget(): void {
    this.project = undefined;
  }

  async resolve(signal: AbortSignal): Promise<string> {
    const configured = this.options.configuredProject;
    if (configured) {
      if (configured.toLowerCase() === 'default') {
        throw new GatewayError(
          'gemini_invalid_project',
          'auth',
          `${PROVIDER_TYPE}: PROJECT_ID "default" is not a project id; set a real one or remove it to discover the account's project`,
          {
            status: 400,
            scope: 'account',
          },
        );
      }
      return configured;
    }
    if (this.project) return this.project;
    return awaitUnlessAborted(
      this.discovering.run(async () => (this.project = await this.discover())),
      signal,
    );
  }

  private async post(method: CodeAssistMethod, body: Json): Promise<Json> {
    const response = await this.api.call({ method, body: JSON.stringify(body), signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
    const parsed = (await response.body.json()) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Json) : {};
  }

  private async discover(): Promise<string> {
    const load = await this.post('loadCodeAssist', { cloudaicompanionProject: '', metadata: CLIENT_METADATA });
    const email = accountEmail(load);
    const known = load.cloudaicompanionProject;
    if (typeof known === 'string' && known !== '') {
      this.logger.info({ provider: PROVIDER_TYPE, project: known, account: email }, "gemini-cli-oauth: using the account's Code Assist project");
      return known;
    }
    const tiers = Array.isArray(load.allowedTiers) ? (load.allowedTiers as Tier[]) : [];
    const tier = tiers.find((candidate) => candidate?.isDefault) ?? { id: 'free-tier' };
    if (tier.userDefinedCloudaicompanionProject) {
      throw discoveryError('gemini_project_required', `this account's tier (${tier.id ?? 'unknown'}) needs a Google Cloud project of your own: set PROJECT_ID`);
    }
    return this.onboard(tier.id ?? 'free-tier', email);
  }

  /** onboardUser is a long-running operation: the same call is repeated until it reports done. */
  private async onboard(tierId: string, email: string | undefined): Promise<string> {
    const body = { tierId, cloudaicompanionProject: '', metadata: CLIENT_METADATA };
    const { pollIntervalMs, maxPolls } = this.options;
    this.logger.info({ provider: PROVIDER_TYPE, tier: tierId, account: email }, 'gemini-cli-oauth: onboarding the account to Code Assist');
    for (let poll = 0; ; poll += 1) {
      const operation = await this.post('onboardUser', body);
      if (operation.done === true) {
        const response = (operation.response ?? {}) as { cloudaicompanionProject?: { id?: unknown } };
        const id = response.cloudaicompanionProject?.id;
        if (typeof id === 'string' && id !== '') {
          this.logger.info({ provider: PROVIDER_TYPE, project: id, polls: poll }, 'gemini-cli-oauth: onboarding done');
          return id;
        }
        throw discoveryError(
          'gemini_project_not_found',
          'onboarding finished without a project; set PROJECT_ID to a Google Cloud project with Gemini Code Assist enabled',
        );
      }
      if (poll >= maxPolls) {
        throw discoveryError('gemini_onboarding_timeout', `onboarding did not finish after ${maxPolls} polls; try again later or set PROJECT_ID`, 503);
      }
      this.logger.info({ provider: PROVIDER_TYPE, poll: poll + 1, maxPolls }, 'gemini-cli-oauth: onboarding in progress, polling again');
      await delay(pollIntervalMs);
    }
  }
}
