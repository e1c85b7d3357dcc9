import { extname } from 'node:path';
import { Piscina } from 'piscina';
import { KernelErrors, WeftError } from './errors.js';

/** Options of one worker task. */
export interface WorkerRunOptions {
  /** Aborting removes a queued task or terminates the thread running it. */
  signal?: AbortSignal;
}

/** The kernel's worker threads, shared by every plugin. */
export interface WorkerPool {
  /**
   * Runs `task` through the default export of the worker module `worker` (a file URL or path,
   * usually from {@link workerFile}) on a pool thread. Rejects with KERNEL_WORKER_FAILED.
   */
  run<T>(worker: URL | string, task: unknown, options?: WorkerRunOptions): Promise<T>;
}

/** The pool the kernel owns: a {@link WorkerPool} it can destroy on close. */
export interface OwnedWorkerPool extends WorkerPool {
  /** Terminates the threads; later runs are refused with KERNEL_STATE. */
  destroy(): Promise<void>;
}

/**
 * The URL of a worker module beside the caller: `workerFile(import.meta.url, './hash-worker')`
 * gives `hash-worker.ts` when the caller runs from TypeScript sources and `hash-worker.js` from
 * the compiled build, because it takes the caller's own extension.
 */
export function workerFile(metaUrl: string, name: string): URL {
  return new URL(`${name}${extname(new URL(metaUrl).pathname)}`, metaUrl);
}

/** Options of {@link createWorkerPool}. */
export interface WorkerPoolOptions {
  /** Upper bound on threads (piscina's default: 1.5 × CPUs). */
  maxThreads?: number;
}

/**
 * One piscina pool, started on the first task (a kernel that never uses workers starts no
 * threads). Each task names its own worker file, so every plugin brings its own worker module.
 */
export function createWorkerPool(options: WorkerPoolOptions = {}): OwnedWorkerPool {
  let pool: Piscina | undefined;
  let destroyed = false;
  return {
    async run<T>(worker: URL | string, task: unknown, runOptions: WorkerRunOptions = {}): Promise<T> {
      if (destroyed) throw new WeftError(KernelErrors.STATE, 'The worker pool is closed: the kernel that owned it has closed', { data: { worker: String(worker) } });
      pool ??= new Piscina({ filename: null, ...options });
      const filename = String(worker);
      try {
        return (await pool.run(task, { filename, signal: runOptions.signal ?? null })) as T;
      } catch (e: unknown) {
        const reason = e instanceof Error ? e.message : String(e);
        throw new WeftError(KernelErrors.WORKER_FAILED, `Worker task in ${filename} failed: ${reason}`, { cause: e, data: { worker: filename } });
      }
    },
    async destroy(): Promise<void> {
      destroyed = true;
      await pool?.destroy();
    },
  };
}
