import { saveConfig, type RawConfig } from './config.js';
import type { BootTiming } from './kernel.js';
import { loadPlugin, type BuiltinPlugins, type LoadResult, type LoadedPlugin, type PluginSource } from './loader.js';
import { dependenciesOf, type Dependency } from './registry.js';

/** One plugin as `weft plugins list` shows it. */
export interface PluginEntry {
  name: string;
  version: string;
  description: string | undefined;
  /** False when the configuration disables it. */
  enabled: boolean;
  source: PluginSource;
  specifier: string;
  dependencies: Dependency[];
  /** Setup time in milliseconds; null when it did not boot. */
  boot_ms: number | null;
}

/** A specifier that failed to load, as `weft plugins list` shows it. */
export interface PluginFailure {
  specifier: string;
  source: PluginSource;
  reason: string;
}

/**
 * The `kernel.plugins` service: what the loader found, for commands that show or change which
 * plugins boot. The CLI provides it; the `plugins` plugin's commands use it.
 */
export interface PluginCatalog {
  /** Loaded plugins, enabled first, in boot-list order. */
  entries(): PluginEntry[];
  /** Specifiers that failed to load, with the reason. */
  failures(): PluginFailure[];
  /** Loads `specifier` (relative to the working directory) and checks it is a plugin, without booting it. */
  inspect(specifier: string): Promise<LoadedPlugin>;
  /** Edits weft.config.json atomically; see `saveConfig`. */
  editConfig(edit: (raw: RawConfig) => void): Promise<void>;
}

declare module './services.js' {
  interface Services {
    'kernel.plugins': PluginCatalog;
  }
}

/** Options of {@link createPluginCatalog}. */
export interface PluginCatalogOptions {
  result: LoadResult;
  builtins: BuiltinPlugins;
  cwd: string;
  /** Read when listing, so boot times are those of the kernel that is now running. */
  timings: () => readonly BootTiming[];
}

/** Builds the `kernel.plugins` service over a loader result. */
export function createPluginCatalog(options: PluginCatalogOptions): PluginCatalog {
  const entry = (plugin: LoadedPlugin, enabled: boolean): PluginEntry => {
    const { definition } = plugin;
    return {
      name: definition.name,
      version: definition.version,
      description: definition.description,
      enabled,
      source: plugin.source,
      specifier: plugin.specifier,
      dependencies: dependenciesOf(definition),
      boot_ms: options.timings().find((t) => t.name === definition.name)?.ms ?? null,
    };
  };
  return {
    entries: () => [...options.result.loaded.map((p) => entry(p, true)), ...options.result.disabled.map((p) => entry(p, false))],
    failures: () => options.result.failed.map(({ specifier, source, reason }) => ({ specifier, source, reason })),
    inspect: (specifier) => loadPlugin(specifier, { builtins: options.builtins, cwd: options.cwd }),
    editConfig: (edit) => saveConfig(options.cwd, edit),
  };
}
