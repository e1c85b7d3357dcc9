import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { WeftError, type KeyValueStore, type Logger } from '#kernel';
import { CheckpointErrors } from './errors.js';

/** Who holds a run: the value of its lease. */
interface Holder {
  token: string;
  host: string;
  pid: number;
  since: string;
}

/** The lease of run `runId` in the key-value store. */
export const leaseKey = (runId: string): string => `weft:run-lease:${runId}`;

/** A lease's value as stored, or undefined when absent or not one of ours. */
function readHolder(text: string | undefined): Holder | undefined {
  try {
    const value = JSON.parse(text!) as Partial<Holder> | null;
    return typeof value?.host === 'string' && Number.isInteger(value.pid) && typeof value.since === 'string' ? (value as Holder) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a process with that pid exists on this host (EPERM: it does, under another user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e: unknown) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Run leases, so that a run executes in one process at a time: the process starting or resuming a
 * run takes `weft:run-lease:<run>` in the key-value store for `seconds`, renews it every third of
 * that, and gives it back when the run stops. While another process holds it, a start or resume
 * is refused (CHECKPOINT_RUN_ACTIVE) before anything is written. A holder on this host whose
 * process is gone (killed, crashed) is taken over at once; one elsewhere, once its lease lapses.
 */
export class Leases {
  readonly #kv: () => Promise<KeyValueStore>;
  readonly #seconds: number;
  readonly #log: Logger;
  readonly #host = hostname();
  readonly #held = new Map<string, { value: string; timer: NodeJS.Timeout }>();

  constructor(kv: () => Promise<KeyValueStore>, seconds: number, log: Logger) {
    this.#kv = kv;
    this.#seconds = seconds;
    this.#log = log;
  }

  /** Takes the run's lease, or throws CHECKPOINT_RUN_ACTIVE naming the process that holds it. */
  async claim(runId: string): Promise<void> {
    const kv = await this.#kv();
    const key = leaseKey(runId);
    const value = JSON.stringify({ token: randomUUID(), host: this.#host, pid: process.pid, since: new Date().toISOString() } satisfies Holder);
    const ttl = { ttl_seconds: this.#seconds };
    if (!(await kv.setIfAbsent(key, value, ttl))) {
      const current = await kv.get(key);
      const holder = readHolder(current);
      const gone = holder !== undefined && holder.host === this.#host && !alive(holder.pid);
      if (!gone || !(await kv.replaceIf(key, current!, value, ttl))) throw active(runId, holder, this.#seconds);
      this.#log.info(`run ${runId}: took over the lease of process ${holder.pid}, which is gone`);
    }
    const timer = setInterval(() => void this.#renew(runId, key, value), (this.#seconds * 1000) / 3);
    timer.unref();
    this.#held.set(runId, { value, timer });
  }

  /** Gives the run's lease back (a store that cannot be reached lets it lapse instead). */
  async release(runId: string): Promise<void> {
    const held = this.#held.get(runId);
    if (held === undefined) return;
    clearInterval(held.timer);
    this.#held.delete(runId);
    try {
      await (await this.#kv()).deleteIf(leaseKey(runId), held.value);
    } catch (e: unknown) {
      this.#log.warn(`run ${runId}: its lease could not be given back (${(e as Error).message}); it lapses in ${this.#seconds} s`);
    }
  }

  /** Stops renewing every lease (the kernel is closing); they lapse on their own. */
  close(): void {
    for (const { timer } of this.#held.values()) clearInterval(timer);
    this.#held.clear();
  }

  async #renew(runId: string, key: string, value: string): Promise<void> {
    try {
      if (await (await this.#kv()).replaceIf(key, value, value, { ttl_seconds: this.#seconds })) return;
      this.#log.warn(`run ${runId}: its lease was lost (it lapsed, and another process may have taken the run); the store refuses whichever writes second`);
      clearInterval(this.#held.get(runId)!.timer);
      this.#held.delete(runId);
    } catch (e: unknown) {
      this.#log.warn(`run ${runId}: its lease could not be renewed (${(e as Error).message}); trying again`);
    }
  }
}

function active(runId: string, holder: Holder | undefined, seconds: number): WeftError {
  const who = holder === undefined ? 'another process' : `process ${holder.pid} on ${holder.host} (since ${holder.since})`;
  return new WeftError(CheckpointErrors.RUN_ACTIVE, `Run ${runId} is executing in ${who}, which holds its lease: wait for it or stop it; a lease lapses ${seconds} s after its process stops renewing it`, {
    data: { run_id: runId, ...(holder === undefined ? {} : { host: holder.host, pid: holder.pid, since: holder.since }) },
  });
}
