import { GatewayError } from '../errors/gateway-error.js';
import type { ProviderAdapter } from '../providers/provider-adapter.js';
import type { CustomModel } from '../config/custom-models.js';
import { AUTO_PROVIDER, NOT_IMPLEMENTED_PROVIDER_TYPES, adapterTypeOf } from '../providers/provider-names.js';

export interface ProviderGroup {
  /** Pool key in lower case: a provider type or a custom group such as `openai-custom-team2`. */
  readonly name: string;
  readonly adapter: ProviderAdapter;
  /** False when the group's type exists but has no credentials: choosing it is a 400 with a hint. */
  readonly configured: boolean;
}

/** Which groups exist right now (the pool's, which change on hot reload). */
export interface GroupSource {
  has(group: string): boolean;
  names(): string[];
  /** Adapter type of a configured group. */
  adapterTypeOf(group: string): string | undefined;
}

export interface SelectionInput {
  readonly model: string | undefined;
  readonly pathProvider: string | undefined;
  readonly headerProvider: string | undefined;
}

export interface Selection {
  readonly group: ProviderGroup;
  /** The model to send upstream (a `NAME:` prefix removed). */
  readonly model: string | undefined;
}

function invalid(code: string, message: string): GatewayError {
  return new GatewayError(code, 'invalid_request', message, { status: 400, scope: 'request' });
}

/**
 * Knows which provider names exist and which are configured, and resolves the provider of one
 * request from its model prefix, path segment, header and the default. Immutable after start.
 */
export class ProviderDirectory {
  private readonly types: readonly string[];
  private readonly customById: ReadonlyMap<string, CustomModel>;

  constructor(
    private readonly adapters: ReadonlyMap<string, ProviderAdapter>,
    private readonly source: GroupSource,
    /** MODEL_PROVIDER entries, default first (may include `auto`). */
    private readonly defaults: readonly string[],
    /** CUSTOM_MODELS_FILE_PATH entries: extra ids, possibly redirected to another provider or model. */
    private readonly customModels: readonly CustomModel[] = [],
  ) {
    this.types = [...adapters.keys()];
    this.customById = new Map(customModels.map((model) => [model.id, model]));
  }

  /** Custom model ids a group's model list shows. */
  customModelsOf(group: string): CustomModel[] {
    return this.customModels.filter((model) => model.provider.toLowerCase() === group);
  }

  /** The group a name stands for: configured when the pool has it, else known by its type only. */
  get(name: string): ProviderGroup | undefined {
    const lower = name.toLowerCase();
    const configured = this.source.has(lower);
    const type = (configured ? this.source.adapterTypeOf(lower) : undefined) ?? adapterTypeOf(lower, this.types);
    const adapter = type === undefined ? undefined : this.adapters.get(type);
    if (!adapter) return undefined;
    return { name: lower, adapter, configured };
  }

  get defaultProvider(): string | undefined {
    return this.defaults[0];
  }

  configuredGroups(): ProviderGroup[] {
    return this.source.names().flatMap((name) => {
      const group = this.get(name);
      return group?.configured ? [group] : [];
    });
  }

  /** True for names that select a provider when used as the first path segment. */
  isProviderName(name: string): boolean {
    const lower = name.toLowerCase();
    return (
      lower === AUTO_PROVIDER ||
      this.source.has(lower) ||
      adapterTypeOf(lower, this.types) !== undefined ||
      adapterTypeOf(lower, NOT_IMPLEMENTED_PROVIDER_TYPES) !== undefined
    );
  }

  private validNames(): string {
    const names = this.configuredGroups().map((group) => group.name);
    return names.length > 0 ? names.join(', ') : '(none configured)';
  }

  /** A usable group for `name`, or a 400 saying why not. */
  private requireGroup(name: string, origin: string): ProviderGroup {
    const group = this.get(name);
    if (group?.configured) return group;
    if (group) {
      throw invalid('provider_not_configured', `Provider ${group.name} is not configured: ${group.adapter.setupHint}`);
    }
    if (adapterTypeOf(name, NOT_IMPLEMENTED_PROVIDER_TYPES)) {
      throw invalid('provider_not_available', `Provider ${name} is not available in this gateway (valid: ${this.validNames()})`);
    }
    throw invalid('unknown_provider', `Provider ${name} in ${origin} is not available (valid: ${this.validNames()}, auto)`);
  }

  resolve(input: SelectionInput): Selection {
    let chosen = this.defaults[0];
    let origin = 'MODEL_PROVIDER';
    if (input.headerProvider !== undefined && input.headerProvider !== '') {
      chosen = input.headerProvider;
      origin = 'header model-provider';
      if (chosen.toLowerCase() !== AUTO_PROVIDER) this.requireGroup(chosen, origin);
    }
    if (input.pathProvider !== undefined) {
      chosen = input.pathProvider;
      origin = 'path';
    }
    let model = input.model;
    if (model !== undefined) {
      const colon = model.indexOf(':');
      if (colon > 0) {
        const prefix = model.slice(0, colon);
        // Only a provider name counts as a prefix: model ids such as `qwen3:8b` pass through untouched.
        if (prefix.toLowerCase() !== AUTO_PROVIDER && this.isProviderName(prefix)) {
          chosen = prefix;
          origin = 'model prefix';
          model = model.slice(colon + 1);
        }
      }
    }
    // A custom model id routes where its entry says, whatever else chose the provider.
    const custom = model === undefined ? undefined : this.customById.get(model);
    if (custom) {
      chosen = custom.actualProvider ?? custom.provider;
      origin = 'custom models file';
      model = custom.actualModel ?? custom.id;
    }
    if (chosen === undefined) {
      throw invalid('no_provider', `No provider selected and none configured as default (valid: ${this.validNames()})`);
    }
    if (chosen.toLowerCase() === AUTO_PROVIDER) {
      throw invalid('auto_needs_prefix', 'Provider auto routes by model prefix: use a model such as "claude-custom:claude-sonnet-4-5"');
    }
    return { group: this.requireGroup(chosen, origin), model };
  }
}
