import { KernelErrors, WeftError, type Command, type CommandInvocation, type PluginCatalog, type PluginEntry, type RawConfig, type StorageService } from '#kernel';
import { PluginsErrors } from './errors.js';
import { formatFailures, formatPlugins } from './format.js';

/** `weft plugins list [--json]`. */
export const listCommand: Command = {
  name: 'plugins list',
  summary: 'List plugins: version, enabled, source, dependencies, boot time',
  description: 'Lists every plugin weft loaded (built-in, from a file, or from a package), whether it is enabled, what it depends on and how long its setup took, then any plugin that failed to load and why.',
  options: { json: { type: 'boolean', description: 'Print JSON: { plugins, failed, storage }' } },
  run({ values, io, services }) {
    const catalog = services.get('kernel.plugins');
    const plugins = catalog.entries();
    const failed = catalog.failures();
    // Which backend serves each store, when the storage plugin is enabled.
    const storage = services.has('storage') ? (services.get('storage' as never) as StorageService).describe() : undefined;
    if (values['json'] === true) io.stdout(`${JSON.stringify({ plugins, failed, ...(storage ? { storage } : {}) }, null, 2)}\n`);
    else io.stdout(formatPlugins(plugins) + formatFailures(failed) + (storage ? `\nstorage: ${Object.entries(storage).map(([store, backend]) => `${store} → ${backend}`).join(', ')}\n` : ''));
    return 0;
  },
};

/** `weft plugins enable <name>`. */
export const enableCommand: Command = {
  name: 'plugins enable',
  summary: 'Enable a disabled plugin (edits weft.config.json)',
  args: '<name>',
  positionals: { min: 1, max: 1 },
  async run(invocation) {
    const { catalog, entry, io } = find(invocation);
    if (entry.enabled) return done(io, `${entry.name} is already enabled`);
    await catalog.editConfig((raw) => void (raw['disabled'] = names(raw['disabled']).filter((n) => n !== entry.name)));
    return done(io, `enabled ${entry.name}; it boots from the next command`);
  },
};

/** `weft plugins disable <name>`. */
export const disableCommand: Command = {
  name: 'plugins disable',
  summary: 'Disable a plugin so it no longer boots (edits weft.config.json)',
  args: '<name>',
  positionals: { min: 1, max: 1 },
  async run(invocation) {
    const { catalog, entry, io } = find(invocation);
    if (!entry.enabled) return done(io, `${entry.name} is already disabled`);
    if (entry.name === 'plugins') {
      throw new WeftError(PluginsErrors.DISABLE_SELF, 'Disabling "plugins" would remove the command that enables it again; edit weft.config.json by hand if you mean it');
    }
    const dependents = catalog.entries().filter((e) => e.enabled && e.dependencies.some((d) => d.name === entry.name && !d.optional));
    if (dependents.length > 0) {
      const list = dependents.map((d) => d.name).join(', ');
      throw new WeftError(PluginsErrors.HAS_DEPENDENTS, `Cannot disable ${entry.name}: ${list} depend(s) on it; disable those first`, { data: { plugin: entry.name, dependents: dependents.map((d) => d.name) } });
    }
    await catalog.editConfig((raw) => void (raw['disabled'] = [...names(raw['disabled']), entry.name]));
    return done(io, `disabled ${entry.name}; it no longer boots`);
  },
};

/** `weft plugins add <path|package>`. */
export const addCommand: Command = {
  name: 'plugins add',
  summary: 'Add a plugin from a file or an npm package (edits weft.config.json)',
  args: '<path|package>',
  positionals: { min: 1, max: 1 },
  description: 'Loads the file or package to check it default-exports a plugin, then appends it to "load" in weft.config.json. Paths are relative to the working directory.',
  async run({ positionals, io, services }) {
    const specifier = positionals[0]!;
    const catalog = services.get('kernel.plugins');
    const { definition } = await catalog.inspect(specifier);
    const clash = catalog.entries().find((e) => e.name === definition.name);
    if (clash !== undefined) {
      if (clash.specifier === specifier) return done(io, `${definition.name} is already added`);
      throw new WeftError(KernelErrors.PLUGIN_DUPLICATE, `"${specifier}" is a plugin named "${definition.name}", but ${clash.specifier} already provides a plugin of that name`, { data: { plugin: definition.name } });
    }
    await catalog.editConfig((raw: RawConfig) => void (raw['load'] = [...names(raw['load']), specifier]));
    return done(io, `added ${definition.name}@${definition.version} from ${specifier}; it boots from the next command`);
  },
};

function find({ positionals, io, services }: CommandInvocation): { catalog: PluginCatalog; entry: PluginEntry; io: CommandInvocation['io'] } {
  const catalog = services.get('kernel.plugins');
  const name = positionals[0]!;
  const entry = catalog.entries().find((e) => e.name === name);
  if (entry === undefined) {
    throw new WeftError(KernelErrors.PLUGIN_UNKNOWN, `No plugin named "${name}" is loaded; \`weft plugins list\` shows the names`, { data: { plugin: name } });
  }
  return { catalog, entry, io };
}

function done(io: CommandInvocation['io'], message: string): number {
  io.stdout(`${message}\n`);
  return 0;
}

// A config list as written; anything else is replaced (saving validates the result).
function names(value: unknown): string[] {
  return Array.isArray(value) ? (value as string[]) : [];
}
