/** Options accepted by every WeftError. */
export interface WeftErrorOptions {
  /** The underlying failure, kept for diagnosis. */
  cause?: unknown;
  /** Dotted or JSON path of the offending field, when the error is about one. */
  path?: string;
  /** Extra structured facts (plugin names, limits, step id …). */
  data?: Record<string, unknown>;
}

/** The base class of every error weft raises on purpose: a stable `code` callers can branch on. */
export class WeftError extends Error {
  readonly code: string;
  readonly path: string | undefined;
  readonly data: Record<string, unknown>;

  constructor(code: string, message: string, options: WeftErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WeftError';
    this.code = code;
    this.path = options.path;
    this.data = options.data ?? {};
  }

  /** A plain object for JSON output: `{ code, message, path? , ...data }`. */
  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, ...(this.path === undefined ? {} : { path: this.path }), ...this.data };
  }
}

const catalog = new Map<string, string>();

/**
 * Declares a family of error codes under one prefix and records them in the catalogue that
 * `docs/errors.md` is checked against. Returns `{ NAME: 'PREFIX_NAME' }`.
 */
export function defineErrors<const T extends Record<string, string>>(prefix: string, codes: T): { readonly [K in keyof T]: `${typeof prefix}_${K & string}` } {
  const out: Record<string, string> = {};
  for (const [name, description] of Object.entries(codes)) {
    const code = `${prefix}_${name}`;
    if (catalog.has(code)) throw new WeftError('KERNEL_ERROR_CODE_DUPLICATE', `Error code ${code} is declared twice`);
    catalog.set(code, description);
    out[name] = code;
  }
  return out as { readonly [K in keyof T]: `${typeof prefix}_${K & string}` };
}

/** Every error code declared so far, with its one-line description. */
export function errorCatalog(): ReadonlyMap<string, string> {
  return catalog;
}

/** Turns any thrown value into a WeftError, keeping the original as `cause`. */
export function toWeftError(value: unknown, code: string, prefix = ''): WeftError {
  if (value instanceof WeftError) return value;
  const message = value instanceof Error ? value.message : String(value);
  return new WeftError(code, prefix + message, { cause: value });
}

/** The kernel's own error codes. */
export const KernelErrors = defineErrors('KERNEL', {
  ERROR_CODE_DUPLICATE: 'An error code was declared twice.',
  PLUGIN_INVALID: 'A plugin definition is malformed (missing name, version or setup).',
  PLUGIN_DUPLICATE: 'Two plugins share a name.',
  PLUGIN_MISSING_DEPENDENCY: 'A plugin depends on a plugin that is not loaded or is disabled.',
  PLUGIN_DEPENDENCY_VERSION: 'A dependency is loaded but its version is outside the required range.',
  PLUGIN_KERNEL_VERSION: "A plugin's kernel range does not include this kernel's version.",
  PLUGIN_CYCLE: 'Plugins depend on each other in a cycle.',
  PLUGIN_BOOT_TIMEOUT: "A plugin's setup did not settle within the boot timeout.",
  PLUGIN_BOOT_FAILED: "A plugin's setup threw.",
  PLUGIN_LOAD_FAILED: 'A plugin specifier could not be imported or did not export a plugin.',
  PLUGIN_UNKNOWN: 'A plugin name given on the command line is not known.',
  CLOSE_FAILED: 'One or more plugins failed while closing.',
  HOOK_UNKNOWN: 'A tap names a hook nobody declared.',
  HOOK_DUPLICATE: 'A plugin declared a hook name that already exists.',
  SERVICE_DUPLICATE: 'A service key was registered twice.',
  SERVICE_MISSING: 'A service key was read but never registered.',
  SERVICE_LATE: 'A service was registered after boot finished.',
  STATE: 'A kernel method was called in the wrong lifecycle state.',
  CONFIG_INVALID: 'The configuration does not match its schema.',
  CONFIG_UNREADABLE: 'weft.config.json or weft.config.ts could not be read or parsed.',
  CONFIG_READONLY: 'A command tried to edit the configuration, but it lives in weft.config.ts (code).',
  WORKER_FAILED: 'A worker-pool task failed.',
  CLI_USAGE: 'A command rejected its arguments; the CLI prints its usage and exits 2.',
  COMMAND_DUPLICATE: 'Two plugins contributed a CLI command with the same name.',
  MODULE_LOAD_FAILED: 'A user module (step, condition, config) could not be imported.',
});

/**
 * Error codes every storage backend raises (memory, SQL, Redis), declared here so backends share
 * them without importing each other.
 */
export const StoreErrors = defineErrors('STORE', {
  CONFLICT: 'A write collides with stored data (an event seq that is already stored); nothing was written.',
  INVALID: 'A value a store refuses (an unknown message role, a malformed event batch, a bad TTL); nothing was written.',
  CORRUPT: 'A stored row or value does not parse; the message names its key or run id.',
  UNAVAILABLE: 'The storage server cannot be reached; the message names its URL with the password masked.',
  SCHEMA_NEWER: 'The database was migrated by a newer weft: it has migrations this one does not know.',
  LOCKED: 'An embedded database directory is open in another process.',
});
