import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KernelErrors, WeftError } from './errors.js';
import { importModule } from './modules.js';
import type { KernelConfig } from './plugin.js';
import { validateConfig } from './schema.js';

/** The configuration as written by a person: any subset of {@link KernelConfig}, plus unknown keys. */
export type RawConfig = Record<string, unknown>;

/** The JSON Schema of the kernel's own configuration, with its defaults. */
export const kernelConfigSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    data_dir: { type: 'string', default: '.weft' },
    database_url: { type: 'string' },
    redis_url: { type: 'string' },
    plugins: { type: 'object', additionalProperties: { type: 'object' }, default: {} },
    load: { type: 'array', items: { type: 'string' }, default: [] },
    disabled: { type: 'array', items: { type: 'string' }, default: [] },
    boot_timeout_ms: { type: 'integer', minimum: 1, default: 10000 },
  },
};

/** Where weft looks for configuration, relative to the working directory. */
export const CONFIG_FILES = { json: 'weft.config.json', ts: 'weft.config.ts' } as const;

// Environment variables with a fixed meaning; their values are taken as strings.
const ENV_NAMES: Record<string, string> = { DATABASE_URL: 'database_url', REDIS_URL: 'redis_url', WEFT_DATA_DIR: 'data_dir' };

/** Validates `raw` against the kernel schema and returns a copy with defaults filled in. */
export function validateKernelConfig(raw: unknown): KernelConfig {
  const copy = clone(raw);
  validateConfig(kernelConfigSchema, copy, '');
  return copy as KernelConfig;
}

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
}

/**
 * Reads `weft.config.json` or `weft.config.ts` in `cwd` (neither is fine), applies the environment
 * (`DATABASE_URL`, `REDIS_URL`, `WEFT_DATA_DIR`, and `WEFT_A__B=v` for `a.b`) and validates it.
 */
export async function loadConfig({ cwd, env }: LoadConfigOptions): Promise<KernelConfig> {
  const raw = await readConfigFile(cwd);
  applyEnvironment(raw, env);
  return validateKernelConfig(raw);
}

/** The configuration file's contents as written, or `{}` when there is none. */
export async function readConfigFile(cwd: string): Promise<RawConfig> {
  const json = join(cwd, CONFIG_FILES.json);
  const ts = join(cwd, CONFIG_FILES.ts);
  if (existsSync(json) && existsSync(ts)) {
    throw new WeftError(KernelErrors.CONFIG_UNREADABLE, `Both ${CONFIG_FILES.json} and ${CONFIG_FILES.ts} exist in ${cwd}; keep one`, { path: ts });
  }
  if (existsSync(ts)) return asObject(await loadTsConfig(ts), ts);
  if (existsSync(json)) return asObject(await readJson(json), json);
  return {};
}

/**
 * Edits `weft.config.json` in `cwd` (creating it when absent): `edit` changes the file's object in
 * place; keys weft does not know are kept. The result is validated, then written to a temporary
 * file and renamed over the original, so a crash never leaves half a file.
 */
export async function saveConfig(cwd: string, edit: (raw: RawConfig) => void): Promise<void> {
  const ts = join(cwd, CONFIG_FILES.ts);
  if (existsSync(ts)) {
    throw new WeftError(KernelErrors.CONFIG_READONLY, `${CONFIG_FILES.ts} is code, so weft cannot edit it; make the change there by hand`, { path: ts });
  }
  const file = join(cwd, CONFIG_FILES.json);
  const raw = existsSync(file) ? asObject(await readJson(file), file) : {};
  edit(raw);
  validateKernelConfig(raw);
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temp, `${JSON.stringify(raw, null, 2)}\n`);
  await rename(temp, file);
}

/** Applies environment variables to `raw` in place (see {@link loadConfig}). */
export function applyEnvironment(raw: RawConfig, env: Readonly<Record<string, string | undefined>>): void {
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined || value === '') continue;
    const named = ENV_NAMES[key];
    if (named !== undefined) raw[named] = value;
    else if (key.startsWith('WEFT_')) setPath(raw, key.slice(5).toLowerCase().split('__'), parseValue(value));
  }
}

function setPath(target: RawConfig, path: string[], value: unknown): void {
  if (path.includes('')) return;
  let node = target;
  for (const segment of path.slice(0, -1)) {
    const child = node[segment];
    node = node[segment] = isPlainObject(child) ? child : {};
  }
  node[path[path.length - 1]!] = value;
}

function parseValue(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch (e: unknown) {
    throw new WeftError(KernelErrors.CONFIG_UNREADABLE, `Cannot read ${file}: ${(e as Error).message}`, { path: file, cause: e });
  }
}

async function loadTsConfig(file: string): Promise<unknown> {
  try {
    return (await importModule(file, '/'))['default'];
  } catch (e: unknown) {
    throw new WeftError(KernelErrors.CONFIG_UNREADABLE, `Cannot load ${file}: ${(e as Error).message}`, { path: file, cause: e });
  }
}

function asObject(value: unknown, file: string): RawConfig {
  if (isPlainObject(value)) return value;
  throw new WeftError(KernelErrors.CONFIG_INVALID, `${file} must contain an object (for .ts, default-export it)`, { path: file });
}

function isPlainObject(value: unknown): value is RawConfig {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

// Copies plain objects and arrays (ajv writes defaults into what it validates) and keeps anything
// else, such as functions in a weft.config.ts, by reference.
function clone(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clone);
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clone(v)]));
  return value;
}
