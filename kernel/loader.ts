import { KernelErrors, WeftError } from './errors.js';
import { importModule, isPath } from './modules.js';
import type { AnyPluginDefinition } from './plugin.js';

/** The plugins shipped with weft, by name: each entry imports the plugin's module lazily. */
export type BuiltinPlugins = Record<string, () => Promise<{ default: AnyPluginDefinition }>>;

/** Where a plugin came from. */
export type PluginSource = 'builtin' | 'file' | 'package';

/** A plugin module that loaded and default-exports a plugin definition. */
export interface LoadedPlugin {
  definition: AnyPluginDefinition;
  source: PluginSource;
  /** The built-in name, path or package name it was loaded by. */
  specifier: string;
}

/** A plugin specifier that could not be loaded. */
export interface FailedPlugin {
  specifier: string;
  source: PluginSource;
  /** Why, in one sentence. */
  reason: string;
  error: WeftError;
}

/** What {@link loadPlugins} found. */
export interface LoadResult {
  /** Plugins to boot, in the order they were listed (built-ins first). */
  loaded: LoadedPlugin[];
  /** Plugins that loaded but the configuration disables. */
  disabled: LoadedPlugin[];
  failed: FailedPlugin[];
}

/** Options of {@link loadPlugins}. */
export interface LoadOptions {
  builtins: BuiltinPlugins;
  /** Extra specifiers (file paths relative to `cwd`, npm package names): `config.load`. */
  load?: readonly string[];
  /** Plugin names not to boot: `config.disabled`. */
  disabled?: readonly string[];
  cwd: string;
}

/**
 * Loads every built-in plugin and every specifier in `load`. One that fails to load is reported
 * in `failed` and the rest still load; disabled ones are listed apart.
 */
export async function loadPlugins(options: LoadOptions): Promise<LoadResult> {
  const specifiers = [...new Set([...Object.keys(options.builtins), ...(options.load ?? [])])];
  const outcomes = await Promise.all(
    specifiers.map((specifier) =>
      loadPlugin(specifier, options).catch((error: WeftError): FailedPlugin => ({ specifier, source: sourceOf(specifier, options.builtins), reason: error.message, error })),
    ),
  );
  const result: LoadResult = { loaded: [], disabled: [], failed: [] };
  for (const outcome of outcomes) {
    if ('error' in outcome) result.failed.push(outcome);
    else if (options.disabled?.includes(outcome.definition.name)) result.disabled.push(outcome);
    else result.loaded.push(outcome);
  }
  return result;
}

/** Loads one plugin by built-in name, file path or package name; throws KERNEL_PLUGIN_LOAD_FAILED. */
export async function loadPlugin(specifier: string, options: Pick<LoadOptions, 'builtins' | 'cwd'>): Promise<LoadedPlugin> {
  const source = sourceOf(specifier, options.builtins);
  let module: Record<string, unknown>;
  try {
    module = source === 'builtin' ? await options.builtins[specifier]!() : await importModule(specifier, options.cwd);
  } catch (e: unknown) {
    throw new WeftError(KernelErrors.PLUGIN_LOAD_FAILED, `Plugin "${specifier}" could not be loaded: ${(e as Error).message}`, { cause: e, data: { specifier } });
  }
  const definition = module['default'];
  if (!isPluginDefinition(definition)) {
    throw new WeftError(KernelErrors.PLUGIN_LOAD_FAILED, `"${specifier}" is not a plugin: its default export must be definePlugin({ name, version, kernel, setup })`, { data: { specifier } });
  }
  return { definition, source, specifier };
}

/** Whether `value` looks like a plugin definition (the registry checks the rest at boot). */
export function isPluginDefinition(value: unknown): value is AnyPluginDefinition {
  const candidate = value as Partial<Record<string, unknown>> | undefined;
  return typeof candidate?.['name'] === 'string' && typeof candidate['version'] === 'string' && typeof candidate['setup'] === 'function';
}

function sourceOf(specifier: string, builtins: BuiltinPlugins): PluginSource {
  if (Object.hasOwn(builtins, specifier)) return 'builtin';
  return isPath(specifier) ? 'file' : 'package';
}
