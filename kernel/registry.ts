import semver from 'semver';
import { KernelErrors, WeftError } from './errors.js';
import type { AnyPluginDefinition } from './plugin.js';

/** The version of this kernel; plugins declare the range they support in `kernel`. */
export const KERNEL_VERSION = '1.0.0';

/** One dependency of a plugin, normalised from any of the accepted spellings. */
export interface Dependency {
  name: string;
  /** Semver range the dependency's version must satisfy (`*` when none was given). */
  range: string;
  optional: boolean;
}

type AnyPlugin = AnyPluginDefinition;

/**
 * Normalises `dependsOn`/`optionalDeps`: `['a', 'b@^1']` or `{ a: '*', b: '^1' }` become
 * `[{ name, range, optional }]`. A scoped name keeps its leading `@` (`@acme/x@^2`).
 */
export function normaliseDependencies(spec: string[] | Record<string, string> | undefined, optional: boolean): Dependency[] {
  const pairs: Array<[string, string]> = Array.isArray(spec)
    ? spec.map((entry) => {
        const at = entry.indexOf('@', 1);
        return at === -1 ? [entry, '*'] : [entry.slice(0, at), entry.slice(at + 1)];
      })
    : Object.entries(spec ?? {});
  return pairs.map(([name, range]) => ({ name, range, optional }));
}

/** Every dependency of `plugin`, required ones first. */
export function dependenciesOf(plugin: Pick<AnyPlugin, 'dependsOn' | 'optionalDeps'>): Dependency[] {
  return [...normaliseDependencies(plugin.dependsOn, false), ...normaliseDependencies(plugin.optionalDeps, true)];
}

/** Options of {@link resolvePlugins}. */
export interface ResolveOptions {
  /** Names the configuration disables; a dependency on one of them is reported as such. */
  disabled?: readonly string[];
  /** The kernel version to check ranges against (tests pass others). */
  kernelVersion?: string;
}

/**
 * Checks every definition (shape, kernel range, duplicates, dependencies and their versions) and
 * returns the plugins in boot order: dependencies first, otherwise the order they were given in.
 */
export function resolvePlugins<P extends AnyPlugin>(plugins: readonly P[], options: ResolveOptions = {}): P[] {
  const kernelVersion = options.kernelVersion ?? KERNEL_VERSION;
  const byName = new Map<string, P>();
  for (const plugin of plugins) {
    checkShape(plugin);
    if (byName.has(plugin.name)) {
      throw new WeftError(KernelErrors.PLUGIN_DUPLICATE, `Two plugins are named "${plugin.name}"; rename one or remove it from the configuration`, { data: { plugin: plugin.name } });
    }
    if (!semver.satisfies(kernelVersion, plugin.kernel)) {
      throw new WeftError(KernelErrors.PLUGIN_KERNEL_VERSION, `Plugin "${plugin.name}" supports kernel ${plugin.kernel}, but this kernel is ${kernelVersion}; upgrade the plugin or weft`, { data: { plugin: plugin.name, range: plugin.kernel, kernel: kernelVersion } });
    }
    byName.set(plugin.name, plugin);
  }
  const edges = new Map<string, string[]>();
  for (const plugin of plugins) edges.set(plugin.name, checkDependencies(plugin, byName, options.disabled ?? []));
  return order(plugins, edges);
}

// Definitions come from user files, so every field is checked as if it were unknown.
function checkShape({ name, version, kernel, setup }: Partial<Record<keyof AnyPlugin, unknown>>): void {
  const named = typeof name === 'string' && name !== '';
  const problem =
    !named ? 'has no name'
    : typeof version !== 'string' || semver.valid(version) === null ? `has no valid semver version (got ${JSON.stringify(version)})`
    : typeof kernel !== 'string' || semver.validRange(kernel) === null ? `has no valid kernel range (got ${JSON.stringify(kernel)}); use e.g. kernel: '^1'`
    : typeof setup !== 'function' ? 'has no setup function'
    : undefined;
  if (problem !== undefined) {
    throw new WeftError(KernelErrors.PLUGIN_INVALID, `Plugin ${named ? `"${String(name)}"` : '(unnamed)'} ${problem}`, { data: { plugin: name } });
  }
}

function checkDependencies(plugin: AnyPlugin, byName: ReadonlyMap<string, AnyPlugin>, disabled: readonly string[]): string[] {
  const names: string[] = [];
  for (const dep of dependenciesOf(plugin)) {
    const target = byName.get(dep.name);
    if (target === undefined) {
      if (dep.optional) continue;
      const why = disabled.includes(dep.name) ? 'is disabled; enable it' : 'is not loaded; add it to the configuration';
      throw new WeftError(KernelErrors.PLUGIN_MISSING_DEPENDENCY, `Plugin "${plugin.name}" depends on "${dep.name}", which ${why}`, { data: { plugin: plugin.name, dependency: dep.name } });
    }
    if (!semver.satisfies(target.version, dep.range)) {
      throw new WeftError(KernelErrors.PLUGIN_DEPENDENCY_VERSION, `Plugin "${plugin.name}" needs "${dep.name}" ${dep.range}, but version ${target.version} is loaded`, { data: { plugin: plugin.name, dependency: dep.name, range: dep.range, version: target.version } });
    }
    names.push(dep.name);
  }
  return names;
}

// Kahn's algorithm, always taking the earliest-given plugin whose dependencies are placed, so the
// order is deterministic and as close to the configured order as the dependencies allow.
function order<P extends AnyPlugin>(plugins: readonly P[], edges: ReadonlyMap<string, string[]>): P[] {
  const placed = new Set<string>();
  const result: P[] = [];
  let pending = [...plugins];
  while (pending.length > 0) {
    const next = pending.find((p) => edges.get(p.name)!.every((dep) => placed.has(dep)));
    if (next === undefined) throw cycleError(pending.map((p) => p.name), edges);
    placed.add(next.name);
    result.push(next);
    pending = pending.filter((p) => p !== next);
  }
  return result;
}

// Every pending plugin waits on another pending one, so walking dependencies from any of them
// must revisit a name: the path from that name's first visit is the cycle.
function cycleError(pending: string[], edges: ReadonlyMap<string, string[]>): WeftError {
  const path: string[] = [];
  let current = pending[0]!;
  while (!path.includes(current)) {
    path.push(current);
    current = edges.get(current)!.find((dep) => pending.includes(dep))!;
  }
  const cycle = [...path.slice(path.indexOf(current)), current];
  return new WeftError(KernelErrors.PLUGIN_CYCLE, `Plugins depend on each other in a cycle: ${cycle.join(' → ')}; remove one of these dependencies`, { data: { plugins: cycle.slice(0, -1) } });
}
