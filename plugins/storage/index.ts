import { WeftError, defineErrors, definePlugin, type StoreBackend, type StoreName, type StorageService } from '#kernel';

declare module '#kernel' {
  interface Services {
    storage: StorageService;
  }
}

/** Error codes of the storage plugin. */
export const StorageErrors = defineErrors('STORAGE', {
  UNAVAILABLE: 'The configured backend for a store is not registered (its plugin is disabled, or its URL is not set).',
  DUPLICATE_BACKEND: 'Two backends registered the same kind.',
});

const STORES: readonly StoreName[] = ['runs', 'memory', 'kv', 'catalog', 'records'];
const CHOICES = ['auto', 'memory', 'sql', 'pglite', 'postgres', 'redis'] as const;
type Choice = (typeof CHOICES)[number];
type StorageConfig = Record<StoreName, Choice>;

/** `auto` prefers PostgreSQL (DATABASE_URL), then embedded PGlite, then memory. */
const AUTO_ORDER = ['postgres', 'pglite', 'memory'];

function pick(store: StoreName, choice: Choice, backends: ReadonlyMap<string, StoreBackend>): StoreBackend {
  const order = choice === 'auto' ? AUTO_ORDER : choice === 'sql' ? ['postgres', 'pglite'] : [choice];
  const kind = order.find((k) => backends.has(k));
  if (kind === undefined) {
    const known = [...backends.keys()].join(', ') || 'none';
    throw new WeftError(StorageErrors.UNAVAILABLE, `plugins.storage.${store} is "${choice}", but no such backend is registered (registered: ${known}); enable its plugin or set its URL`, { path: `plugins.storage.${store}` });
  }
  return backends.get(kind)!;
}

/**
 * Storage selection: backend plugins (memory, SQL, Redis) register here, and configuration picks
 * one per store. Nothing connects until a store is first used.
 */
export default definePlugin<StorageConfig>({
  name: 'storage',
  version: '1.0.0',
  kernel: '^1',
  description: 'Picks the backend for run events, memory, key-value data, the pipeline catalogue and time-stamped records',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: Object.fromEntries(STORES.map((s) => [s, { enum: CHOICES, default: 'auto' }])),
  },
  setup(ctx) {
    const backends = new Map<string, StoreBackend>();
    const chosen = new Map<StoreName, StoreBackend>();
    const backend = (store: StoreName): StoreBackend => {
      let found = chosen.get(store);
      if (!found) chosen.set(store, (found = pick(store, ctx.config[store], backends)));
      return found;
    };
    const service: StorageService = {
      register(b) {
        if (backends.has(b.kind)) throw new WeftError(StorageErrors.DUPLICATE_BACKEND, `A "${b.kind}" storage backend is already registered`);
        backends.set(b.kind, b);
      },
      runs: () => backend('runs').runs(),
      memory: () => backend('memory').memory(),
      kv: () => backend('kv').kv(),
      catalog: () => backend('catalog').catalog(),
      records: () => backend('records').records(),
      describe: () => Object.fromEntries(STORES.map((s) => [s, `${backend(s).kind} (${backend(s).describe()})`])) as Record<StoreName, string>,
    };
    ctx.services.provide('storage', service);
    // A misconfigured choice fails the boot, before any command runs.
    ctx.hooks.tapPromise('kernel.ready', async () => {
      for (const store of STORES) backend(store);
    });
  },
});
