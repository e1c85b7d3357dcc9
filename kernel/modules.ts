import { createRequire } from 'node:module';
import { extname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { KernelErrors, WeftError } from './errors.js';

/** A module's namespace: its named exports, and `default`. */
export type ModuleNamespace = Record<string, unknown>;

const TS_EXTENSIONS = new Set(['.ts', '.mts', '.cts']);

// tsImport compiles into a fresh namespace on every call; caching keeps one instance per file,
// as `import()` does for JavaScript.
const tsModules = new Map<string, Promise<ModuleNamespace>>();

/**
 * Imports a user module (a step, a condition, weft.config.ts, a plugin file): a relative or absolute
 * path is resolved against `fromDir`; TypeScript files are compiled on the fly by tsx's scoped
 * `tsImport` (nothing is registered process-wide); a bare specifier is an npm package resolved from
 * `fromDir`. Throws KERNEL_MODULE_LOAD_FAILED naming the specifier and the reason.
 */
export async function importModule(specifier: string, fromDir: string): Promise<ModuleNamespace> {
  try {
    return esModuleView(await (isPath(specifier) ? importFile(resolve(fromDir, specifier)) : importPackage(specifier, fromDir)));
  } catch (e: unknown) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new WeftError(KernelErrors.MODULE_LOAD_FAILED, `Cannot load "${specifier}" from ${fromDir}: ${reason}`, { cause: e, data: { specifier, from: fromDir } });
  }
}

// Outside a `"type": "module"` package, tsx compiles a .ts file to CommonJS, and importing CommonJS
// yields `default: module.exports`. Compiled ES modules mark module.exports with `__esModule`; for
// those, module.exports itself is the namespace the author wrote (`default` is the default export).
function esModuleView(namespace: ModuleNamespace): ModuleNamespace {
  const exports = namespace['default'] as { __esModule?: unknown } | null | undefined;
  return exports?.__esModule === true ? (exports as ModuleNamespace) : namespace;
}

/** Whether `specifier` names a file (relative or absolute path) rather than an npm package. */
export function isPath(specifier: string): boolean {
  return specifier.startsWith('.') || isAbsolute(specifier);
}

function importFile(file: string): Promise<ModuleNamespace> {
  const url = pathToFileURL(file).href;
  if (!TS_EXTENSIONS.has(extname(file))) return import(url) as Promise<ModuleNamespace>;
  let loading = tsModules.get(file);
  if (loading === undefined) {
    loading = tsImport(url, import.meta.url) as Promise<ModuleNamespace>;
    // A failed load is not cached, so fixing the file and retrying works.
    loading.catch(() => tsModules.delete(file));
    tsModules.set(file, loading);
  }
  return loading;
}

// Packages resolve from the user's folder, not weft's. A package that only has an `import`
// condition cannot be resolved by require; it then falls back to weft's own resolution.
function importPackage(specifier: string, fromDir: string): Promise<ModuleNamespace> {
  let file: string;
  try {
    file = createRequire(join(fromDir, 'noop.js')).resolve(specifier);
  } catch {
    return import(specifier) as Promise<ModuleNamespace>;
  }
  return importFile(file);
}
