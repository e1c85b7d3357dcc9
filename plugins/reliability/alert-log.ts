import type { KeyValueStore } from '#kernel';
import type { Alert } from './alerts.js';

const PREFIX = 'reliability:alerts:';
const LOG = `${PREFIX}log`;
const COOLDOWN = `${PREFIX}cooldown:`;
const SUPPRESSED = `${PREFIX}suppressed:`;
/** The cooldown keys that have a suppressed counter: the contract has no way to list keys. */
const SUPPRESSED_KEYS = `${PREFIX}suppressed-keys`;

/** How long and how much the log keeps. */
export interface AlertLogOptions {
  retention_days: number;
  max_alerts: number;
}

/**
 * Alerts, cooldowns and suppressed counters in a key-value store, so that another process (the
 * CLI) sees them. Only the contract's operations are used, so any backend does: the log is one
 * bounded JSON list, cooldowns are `setIfAbsent` locks, counters are `increment`s.
 */
export class AlertLog {
  readonly #kv: () => Promise<KeyValueStore>;
  readonly #options: AlertLogOptions;
  readonly #ttl: { ttl_seconds: number };

  constructor(kv: () => Promise<KeyValueStore>, options: AlertLogOptions) {
    this.#kv = kv;
    this.#options = options;
    this.#ttl = { ttl_seconds: options.retention_days * 86_400 };
  }

  /** The stored alerts, oldest first. */
  async read(): Promise<Alert[]> {
    const text = await (await this.#kv()).get(LOG);
    return text === undefined ? [] : (JSON.parse(text) as Alert[]);
  }

  /** Replaces the stored alerts with `alerts`, minus those past retention and beyond the bound. */
  async write(alerts: readonly Alert[], now: number): Promise<void> {
    const cutoff = now - this.#options.retention_days * 86_400_000;
    const kept = alerts.filter((a) => a.at >= cutoff).slice(-this.#options.max_alerts);
    await (await this.#kv()).set(LOG, JSON.stringify(kept), this.#ttl);
  }

  /**
   * Whether an alert under `key` at `at` may be sent: it takes the cooldown until `at + minutes`.
   * The lock holds its end time, so the alerts' own clock decides, and its TTL only cleans up.
   */
  async claim(key: string, at: number, minutes: number): Promise<boolean> {
    if (minutes === 0) return true;
    const kv = await this.#kv();
    const lock = `${COOLDOWN}${key}`;
    const until = String(at + minutes * 60_000);
    const ttl = { ttl_seconds: minutes * 60 };
    if (await kv.setIfAbsent(lock, until, ttl)) return true;
    // A lock that vanished meanwhile reads as NaN and is taken again below.
    if (at < Number(await kv.get(lock))) return false;
    // Over by the alerts' clock though not yet expired: take it again. Of two processes doing
    // this at once, the second delete can free the first's lock, so both may send once.
    await kv.delete(lock);
    return kv.setIfAbsent(lock, until, ttl);
  }

  /** Counts one alert held back under `key`. */
  async suppress(key: string): Promise<void> {
    const kv = await this.#kv();
    if ((await kv.increment(`${SUPPRESSED}${key}`, 1, this.#ttl)) > 1) return;
    // A new counter: list it. Written after the counter, the list expires after every counter in it.
    const keys = new Set(await this.#suppressedKeys(kv));
    await kv.set(SUPPRESSED_KEYS, JSON.stringify([...keys.add(key)]), this.#ttl);
  }

  /** The suppressed count of each cooldown key. */
  async suppressed(): Promise<Record<string, number>> {
    const kv = await this.#kv();
    const out: Record<string, number> = {};
    for (const key of await this.#suppressedKeys(kv)) {
      const count = await kv.get(`${SUPPRESSED}${key}`);
      if (count !== undefined) out[key] = Number(count);
    }
    return out;
  }

  /** Forgets the alerts and the suppressed counters; cooldowns run on. */
  async clear(): Promise<void> {
    const kv = await this.#kv();
    for (const key of await this.#suppressedKeys(kv)) await kv.delete(`${SUPPRESSED}${key}`);
    await kv.delete(SUPPRESSED_KEYS);
    await kv.delete(LOG);
  }

  async #suppressedKeys(kv: KeyValueStore): Promise<string[]> {
    return JSON.parse((await kv.get(SUPPRESSED_KEYS)) ?? '[]') as string[];
  }
}
