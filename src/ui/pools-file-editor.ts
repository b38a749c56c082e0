/**
 * Edits the provider pools file on behalf of the admin console: read, add, change or delete one
 * entry. Every write validates the whole new document with the gateway's own pools-file rules,
 * keeps the previous file as `<file>.bak`, and replaces the file atomically (temp file + rename), so
 * the hot reload never sees half a file. Secrets leave masked and are never written back masked.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GatewayError } from '../errors/gateway-error.js';
import { parsePools, resolveAdapterType } from '../pool/pools-file.js';
import { isSecretKey, maskSecret } from './mask-secrets.js';

type Entry = Record<string, unknown>;
type PoolsDocument = Record<string, unknown>;

export interface PoolsFileEditorOptions {
  readonly filePath: string;
  readonly knownTypes: readonly string[];
  /** The backends' account schemas: an entry the loader would skip for a bad provider field is refused too. */
  readonly validateAccount?: (providerType: string, fields: Readonly<Record<string, unknown>>) => string | undefined;
  /** Fields the account schemas mark secret, masked like the keys whose names say so (a proxy URL's password). */
  readonly secretKeys?: ReadonlySet<string>;
  /** Puts the written file in service (the pools hot reload) before the write is reported done. */
  readonly afterWrite: () => Promise<void>;
}

export interface MaskedGroup {
  readonly group: string;
  readonly providerType: string | null;
  readonly entries: Entry[];
}

function invalid(message: string): GatewayError {
  return new GatewayError('invalid_pool_entry', 'invalid_request', message, { status: 400, scope: 'request' });
}

function notFound(uuid: string): GatewayError {
  return new GatewayError('unknown_instance', 'not_found', `No pools file entry with uuid ${uuid}`, { status: 404, scope: 'request' });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

type IsSecret = (key: string) => boolean;

function maskEntry(entry: Entry, isSecret: IsSecret): Entry {
  const masked: Entry = {};
  for (const [key, value] of Object.entries(entry)) masked[key] = typeof value === 'string' && isSecret(key) ? maskSecret(value) : value;
  return masked;
}

/**
 * The entry to store from what a form sent: secret fields the form left out, or sent back as the
 * mask it was shown, keep their stored value; `null` removes a field.
 */
function mergeEntry(previous: Entry, incoming: Entry, isSecret: IsSecret): Entry {
  const merged: Entry = {};
  for (const [key, value] of Object.entries(previous)) {
    if (!isSecret(key)) continue;
    const sent = incoming[key];
    if (sent === undefined || (typeof value === 'string' && sent === maskSecret(value))) merged[key] = value;
  }
  for (const [key, value] of Object.entries(incoming)) {
    if (value === null) {
      delete merged[key];
      continue;
    }
    if (merged[key] === undefined) merged[key] = value;
  }
  return merged;
}

export class PoolsFileEditor {
  readonly #options: PoolsFileEditorOptions;
  readonly #isSecret: IsSecret;
  /** Writes run one after another: each reads the file fresh, so an edit made in between is kept. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: PoolsFileEditorOptions) {
    this.#options = options;
    const secretKeys = options.secretKeys ?? new Set<string>();
    this.#isSecret = (key) => isSecretKey(key) || secretKeys.has(key);
  }

  get filePath(): string {
    return this.#options.filePath;
  }

  async list(): Promise<{ file: string; exists: boolean; groups: MaskedGroup[] }> {
    const { document, exists } = await this.#read();
    const groups = Object.entries(document).map(([group, entries]) => ({
      group,
      providerType: resolveAdapterType(group, this.#options.knownTypes) ?? null,
      entries: Array.isArray(entries) ? entries.filter(isObject).map((entry) => maskEntry(entry, this.#isSecret)) : [],
    }));
    return { file: this.#options.filePath, exists, groups };
  }

  add(group: unknown, entry: unknown): Promise<Entry> {
    return this.#edit((document) => {
      if (typeof group !== 'string' || group.trim() === '') throw invalid('group: name the provider type or custom group (e.g. openai-custom)');
      if (!isObject(entry)) throw invalid('entry: expected an object of the instance fields');
      const name = group.trim();
      if (resolveAdapterType(name, this.#options.knownTypes) === undefined) {
        throw invalid(`group: "${name}" is not a provider type (${this.#options.knownTypes.join(', ')}) or TYPE-name`);
      }
      const key = Object.keys(document).find((existing) => existing.toLowerCase() === name.toLowerCase()) ?? name;
      const created: Entry = { uuid: randomUUID(), ...mergeEntry({}, entry, this.#isSecret) };
      if (typeof entry.uuid === 'string' && entry.uuid.trim() !== '') created.uuid = entry.uuid.trim();
      const list = Array.isArray(document[key]) ? (document[key] as unknown[]) : [];
      document[key] = [...list, created];
      return created;
    });
  }

  update(uuid: string, entry: unknown): Promise<Entry> {
    return this.#edit((document) => {
      if (!isObject(entry)) throw invalid('entry: expected an object of the instance fields');
      const found = this.#find(document, uuid);
      const updated = { ...mergeEntry(found.entry, entry, this.#isSecret), uuid };
      (document[found.group] as unknown[])[found.index] = updated;
      return updated;
    });
  }

  remove(uuid: string): Promise<Entry> {
    return this.#edit((document) => {
      const found = this.#find(document, uuid);
      (document[found.group] as unknown[]).splice(found.index, 1);
      return found.entry;
    });
  }

  #find(document: PoolsDocument, uuid: string): { group: string; index: number; entry: Entry } {
    for (const [group, entries] of Object.entries(document)) {
      if (!Array.isArray(entries)) continue;
      const index = entries.findIndex((entry) => isObject(entry) && entry.uuid === uuid);
      if (index >= 0) return { group, index, entry: entries[index] as Entry };
    }
    throw notFound(uuid);
  }

  async #read(): Promise<{ document: PoolsDocument; exists: boolean }> {
    let text: string;
    try {
      text = await readFile(this.#options.filePath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { document: {}, exists: false };
      throw new GatewayError('pools_file_unreadable', 'internal', 'cannot read the pools file', { status: 500, scope: 'request', cause: error });
    }
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch {
      throw new GatewayError('pools_file_invalid', 'invalid_request', `The pools file ${this.#options.filePath} is not valid JSON: fix it by hand first`, {
        status: 409,
        scope: 'request',
      });
    }
    if (!isObject(document))
      throw new GatewayError('pools_file_invalid', 'invalid_request', 'The pools file does not hold a JSON object', { status: 409, scope: 'request' });
    return { document, exists: true };
  }

  #edit(change: (document: PoolsDocument) => Entry): Promise<Entry> {
    const run = this.#queue.then(async () => {
      const { document, exists } = await this.#read();
      const rules = { knownTypes: this.#options.knownTypes, validateAccount: this.#options.validateAccount };
      const before = new Set(parsePools(document, rules).warnings);
      const next = structuredClone(document);
      const result = change(next);
      // Refuse a change that makes the file say something the gateway would skip (the same rules as loading it).
      const added = parsePools(next, rules).warnings.filter((warning) => !before.has(warning));
      if (added.length > 0) throw invalid(added.map((warning) => warning.replace(/^pools: /, '')).join('; '));
      await this.#write(next, exists);
      await this.#options.afterWrite();
      return maskEntry(result, this.#isSecret);
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #write(document: PoolsDocument, exists: boolean): Promise<void> {
    const file = this.#options.filePath;
    const directory = path.dirname(file);
    await mkdir(directory, { recursive: true });
    const temporary = path.join(directory, `.${path.basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      await writeFile(temporary, `${JSON.stringify(document, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
      if (exists) await copyFile(file, `${file}.bak`);
      await rename(temporary, file);
    } catch (error) {
      await rm(temporary, { force: true }).catch(() => undefined);
      throw new GatewayError('pools_file_write_failed', 'internal', 'cannot write the pools file', { status: 500, scope: 'request', cause: error });
    }
  }
}
