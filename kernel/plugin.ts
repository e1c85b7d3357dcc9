import type { HookRegistrar } from './hooks.js';
import type { ServiceRegistrar } from './services.js';
import type { WorkerPool } from './workers.js';

/** A JSON Schema object (validated with ajv). */
export type JsonSchema = Record<string, unknown>;

/** A minimal structured logger. */
export interface Logger {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

/** What a plugin's setup receives. */
export interface PluginContext<C = Record<string, unknown>> {
  /** The plugin's own name. */
  readonly name: string;
  /** The plugin's configuration: `config.plugins[name]`, validated against its configSchema, defaults applied. */
  readonly config: C;
  /** The whole validated kernel configuration (database_url, redis_url, data_dir …). */
  readonly kernelConfig: Readonly<KernelConfig>;
  readonly services: ServiceRegistrar;
  readonly hooks: HookRegistrar;
  readonly workers: WorkerPool;
  readonly log: Logger;
  /** Working directory the kernel was created for. */
  readonly cwd: string;
  /** Registers teardown work; run when the kernel closes, plugins in reverse boot order. */
  onClose(fn: () => void | Promise<void>): void;
}

/** A plugin definition. */
export interface PluginDefinition<C = Record<string, unknown>> {
  name: string;
  version: string;
  /** Semver range of kernel versions this plugin supports, e.g. `^1`. */
  kernel: string;
  /** Plugins that must boot first: names, `name@range` strings, or `{ name: range }`. */
  dependsOn?: string[] | Record<string, string>;
  /** Plugins that boot first when present, ignored when absent. */
  optionalDeps?: string[] | Record<string, string>;
  /** JSON Schema for `config.plugins[name]`. */
  configSchema?: JsonSchema;
  /** One-line description shown by `weft plugins list`. */
  description?: string;
  setup(ctx: PluginContext<C>): void | Promise<void>;
}

/**
 * A plugin definition of any configuration type, for code that holds plugins of different types
 * (the kernel, the loader). `any` because `setup` takes the config contravariantly.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyPluginDefinition = PluginDefinition<any>;

/** Declares a plugin. Identity function that gives the definition its type. */
export function definePlugin<C = Record<string, unknown>>(definition: PluginDefinition<C>): PluginDefinition<C> {
  return definition;
}

/** The validated kernel configuration. */
export interface KernelConfig {
  /** Directory for embedded data (PGlite, keys); relative to cwd. Default `.weft`. */
  data_dir: string;
  database_url?: string;
  redis_url?: string;
  /** Per-plugin configuration, keyed by plugin name. */
  plugins: Record<string, Record<string, unknown>>;
  /** Extra plugin specifiers to load: file paths or npm package names. */
  load: string[];
  /** Plugin names not to boot. */
  disabled: string[];
  /** Per-plugin setup timeout in milliseconds. */
  boot_timeout_ms: number;
}
