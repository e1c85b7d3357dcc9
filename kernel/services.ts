import { KernelErrors, WeftError } from './errors.js';
import type { Logger } from './plugin.js';

/**
 * Service keys and their types. Plugins add keys by module augmentation:
 * `declare module '#kernel' { interface Services { pipeline: PipelineService } }`.
 */
export interface Services {
  /** The kernel's log (stderr unless the embedder gave one); plugins have their own `ctx.log`. */
  logger: Logger;
}

/** Read access to the service container. */
export interface ServiceReader {
  /** The service under `key`; throws KERNEL_SERVICE_MISSING when nobody registered it. */
  get<K extends keyof Services>(key: K): Services[K];
  /** Whether `key` is registered. */
  has(key: keyof Services | string): boolean;
  /** The service under `key`, or undefined. For optional collaborators. */
  find<K extends keyof Services>(key: K): Services[K] | undefined;
}

/** Write access, given to plugins during setup. */
export interface ServiceRegistrar extends ServiceReader {
  /** Registers `value` under `key`; throws on a duplicate key or after boot. */
  provide<K extends keyof Services>(key: K, value: Services[K]): void;
}

/** The kernel's typed service container. */
export class ServiceContainer implements ServiceRegistrar {
  readonly #values = new Map<string, { value: unknown; owner: string }>();
  #sealed = false;

  /** A registrar that records `owner` as the provider of what it registers. */
  for(owner: string): ServiceRegistrar {
    return {
      provide: (key, value) => this.#provide(String(key), value, owner),
      get: (key) => this.get(key),
      has: (key) => this.has(key),
      find: (key) => this.find(key),
    };
  }

  provide<K extends keyof Services>(key: K, value: Services[K]): void {
    this.#provide(String(key), value, 'kernel');
  }

  #provide(key: string, value: unknown, owner: string): void {
    if (this.#sealed) {
      throw new WeftError(KernelErrors.SERVICE_LATE, `Service "${key}" was registered by ${owner} after boot; register services in setup()`, { data: { service: key, plugin: owner } });
    }
    const existing = this.#values.get(key);
    if (existing) {
      throw new WeftError(KernelErrors.SERVICE_DUPLICATE, `Service "${key}" is already registered by ${existing.owner}; ${owner} cannot register it again`, { data: { service: key, plugin: owner, owner: existing.owner } });
    }
    this.#values.set(key, { value, owner });
  }

  get<K extends keyof Services>(key: K): Services[K] {
    const entry = this.#values.get(String(key));
    if (!entry) {
      throw new WeftError(KernelErrors.SERVICE_MISSING, `No service "${String(key)}" is registered; enable the plugin that provides it`, { data: { service: String(key) } });
    }
    return entry.value as Services[K];
  }

  find<K extends keyof Services>(key: K): Services[K] | undefined {
    return this.#values.get(String(key))?.value as Services[K] | undefined;
  }

  has(key: keyof Services | string): boolean {
    return this.#values.has(String(key));
  }

  /** The registered keys and who provided them. */
  entries(): Array<{ key: string; owner: string }> {
    return [...this.#values].map(([key, { owner }]) => ({ key, owner }));
  }

  /** Refuses further registrations (called when boot finishes). */
  seal(): void {
    this.#sealed = true;
  }
}
