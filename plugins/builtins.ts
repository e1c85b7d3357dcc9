// The composition root: the plugins shipped with weft, by name. The kernel never imports a
// plugin; the CLI (bin/weft.js) and embedders hand this map to the loader.
import type { BuiltinPlugins } from '#kernel';

/** Built-in plugins, each imported only when loaded. */
export const builtins = {
  plugins: () => import('./plugin-cli/index.js'),
  pipeline: () => import('./pipeline/index.js'),
  storage: () => import('./storage/index.js'),
  checkpoint: () => import('./checkpoint/index.js'),
  hitl: () => import('./hitl/index.js'),
  catalog: () => import('./catalog/index.js'),
  memory: () => import('./memory/index.js'),
  reliability: () => import('./reliability/index.js'),
  'store-memory': () => import('./store-memory/index.js'),
  'store-redis': () => import('./store-redis/index.js'),
  'store-sql': () => import('./store-sql/index.js'),
} satisfies BuiltinPlugins;
