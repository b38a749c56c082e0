import { ConfigError } from './config-error.js';
import { FLAGS, IGNORED_FLAGS_WITH_VALUE, IGNORED_SWITCHES, type FlagSpec } from './flags.js';

export interface ParsedArgv {
  configPath: string | undefined;
  help: boolean;
  version: boolean;
  /** Flag values by config key (dots for nested keys), converted to their types. */
  values: Record<string, unknown>;
  warnings: string[];
}

const FLAG_BY_NAME = new Map<string, FlagSpec>(FLAGS.map((spec) => [spec.flag, spec]));

function convertFlagValue(spec: FlagSpec, raw: string): unknown {
  if (spec.type === 'int') {
    if (!/^-?\d+$/.test(raw)) throw new ConfigError(`${spec.flag} expects an integer, got "${raw}"`);
    return Number(raw);
  }
  if (spec.type === 'bool') {
    if (raw !== 'true' && raw !== 'false') throw new ConfigError(`${spec.flag} expects true or false, got "${raw}"`);
    return raw === 'true';
  }
  return raw;
}

/** Parses `--flag value` and `--flag=value`; an unknown flag or a missing value is an error, not a warning. */
export function parseArgv(argv: readonly string[]): ParsedArgv {
  const result: ParsedArgv = { configPath: undefined, help: false, version: false, values: {}, warnings: [] };
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index] as string;
    if (argument === '--help' || argument === '-h') {
      result.help = true;
      continue;
    }
    if (argument === '--version' || argument === '-v') {
      result.version = true;
      continue;
    }
    if ((IGNORED_SWITCHES as readonly string[]).includes(argument)) {
      result.warnings.push(`${argument} is accepted for compatibility and has no effect yet`);
      continue;
    }
    const equals = argument.indexOf('=');
    const name = argument.startsWith('--') && equals !== -1 ? argument.slice(0, equals) : argument;
    let inlineValue = argument.startsWith('--') && equals !== -1 ? argument.slice(equals + 1) : undefined;
    const takeValue = (): string => {
      if (inlineValue !== undefined) return inlineValue;
      const next = argv[index + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) {
        throw new ConfigError(`${name} needs a value (see --help)`);
      }
      index += 1;
      return next;
    };
    if (name === '--config') {
      result.configPath = takeValue();
      inlineValue = undefined;
      continue;
    }
    if ((IGNORED_FLAGS_WITH_VALUE as readonly string[]).includes(name)) {
      takeValue();
      result.warnings.push(`${name} is accepted for compatibility and has no effect yet`);
      continue;
    }
    const spec = FLAG_BY_NAME.get(name);
    if (!spec) throw new ConfigError(`Unknown option "${argument}" (see --help for the list)`);
    result.values[spec.key] = convertFlagValue(spec, takeValue());
  }
  return result;
}
