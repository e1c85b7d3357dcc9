import { StoreErrors, ttlMs, WeftError, type KeyValueStore } from '#kernel';

interface Entry {
  value: string;
  /** Epoch milliseconds after which the key is gone. */
  expiresAt?: number;
}

const INTEGER = /^-?\d+$/;

/** Key-value data in process memory; a TTL is an expiry time checked on read (no timers). */
export class MemoryKeyValueStore implements KeyValueStore {
  readonly #entries = new Map<string, Entry>();

  async get(key: string): Promise<string | undefined> {
    return this.#live(key)?.value;
  }

  async set(key: string, value: string, options: { ttl_seconds?: number } = {}): Promise<void> {
    this.#entries.set(key, entry(value, options.ttl_seconds));
  }

  async setIfAbsent(key: string, value: string, options: { ttl_seconds?: number } = {}): Promise<boolean> {
    const fresh = entry(value, options.ttl_seconds);
    if (this.#live(key)) return false;
    this.#entries.set(key, fresh);
    return true;
  }

  async delete(key: string): Promise<boolean> {
    return this.#live(key) !== undefined && this.#entries.delete(key);
  }

  async replaceIf(key: string, expected: string, value: string, options: { ttl_seconds?: number } = {}): Promise<boolean> {
    const fresh = entry(value, options.ttl_seconds);
    if (this.#live(key)?.value !== expected) return false;
    this.#entries.set(key, fresh);
    return true;
  }

  async deleteIf(key: string, expected: string): Promise<boolean> {
    return this.#live(key)?.value === expected && this.#entries.delete(key);
  }

  async increment(key: string, by = 1, options: { ttl_seconds?: number } = {}): Promise<number> {
    const ms = options.ttl_seconds === undefined ? undefined : ttlMs(options.ttl_seconds);
    if (!Number.isSafeInteger(by)) throw new WeftError(StoreErrors.INVALID, `increment takes an integer step, got ${by}`);
    const current = this.#live(key);
    if (current && !INTEGER.test(current.value)) throw new WeftError(StoreErrors.INVALID, `The value of "${key}" is not an integer counter`, { data: { key } });
    const value = Number(current?.value ?? 0) + by;
    const expiresAt = current?.expiresAt ?? (ms === undefined ? undefined : Date.now() + ms);
    this.#entries.set(key, { value: String(value), ...(expiresAt === undefined ? {} : { expiresAt }) });
    return value;
  }

  #live(key: string): Entry | undefined {
    const found = this.#entries.get(key);
    if (found?.expiresAt !== undefined && Date.now() >= found.expiresAt) {
      this.#entries.delete(key);
      return undefined;
    }
    return found;
  }
}

function entry(value: string, ttlSeconds: number | undefined): Entry {
  return ttlSeconds === undefined ? { value } : { value, expiresAt: Date.now() + ttlMs(ttlSeconds) };
}
