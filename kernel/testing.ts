// Helpers for tests of weft and of plugins, exported as 'weft/testing'.
import { mkdtemp, rm } from 'node:fs/promises';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKernel, type Kernel, type KernelOptions } from './kernel.js';

/** Options of {@link createTestKernel}: those of `createKernel`. */
export type TestKernelOptions = KernelOptions;

/**
 * Creates and boots a real kernel. Without `cwd` it runs in a fresh temporary directory that is
 * removed when the kernel closes. Use `await using kernel = await createTestKernel({ plugins })`
 * or close it in the test.
 */
export async function createTestKernel(options: TestKernelOptions): Promise<Kernel> {
  const cwd = options.cwd ?? (await mkdtemp(join(tmpdir(), 'weft-test-')));
  const kernel = createKernel({ ...options, cwd });
  if (options.cwd === undefined) {
    // Last of all close taps: plugins may still write to their data_dir while closing.
    kernel.hooks.get('kernel.close').tapPromise({ name: 'weft/testing', stage: Infinity }, () => rm(cwd, { recursive: true, force: true }));
  }
  await kernel.boot();
  return kernel;
}

/** A server a test suite may need. */
export type ServerKind = 'postgres' | 'redis';

type Env = Readonly<Record<string, string | undefined>>;

const SERVERS: Record<ServerKind, { variable: string; fallback: string; port: number }> = {
  postgres: { variable: 'DATABASE_URL', fallback: 'postgres://postgres@127.0.0.1:5432/test', port: 5432 },
  redis: { variable: 'REDIS_URL', fallback: 'redis://127.0.0.1:6379', port: 6379 },
};

/** The PostgreSQL URL tests use: `DATABASE_URL`, default `postgres://postgres@127.0.0.1:5432/test`. */
export function databaseUrl(env: Env = process.env): string {
  return serverUrl('postgres', env);
}

/** The Redis URL tests use: `REDIS_URL`, default `redis://127.0.0.1:6379`. */
export function redisUrl(env: Env = process.env): string {
  return serverUrl('redis', env);
}

/** The URL of `kind` from its environment variable, or the local default. */
export function serverUrl(kind: ServerKind, env: Env = process.env): string {
  return env[SERVERS[kind].variable] || SERVERS[kind].fallback;
}

/** Options of {@link serverAvailable} and {@link requireServer}. */
export interface ServerCheckOptions {
  env?: Env;
  /** How long to wait for a TCP connection. Default 1000 ms. */
  timeoutMs?: number;
  /** Where the skip banner goes. Default stderr. */
  stderr?: (text: string) => void;
}

/** Whether the server's TCP port accepts a connection within the timeout. */
export function serverAvailable(kind: ServerKind, options: ServerCheckOptions = {}): Promise<boolean> {
  const url = new URL(serverUrl(kind, options.env));
  const socket = new Socket({ signal: AbortSignal.timeout(options.timeoutMs ?? 1000) });
  return new Promise((resolve) => {
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    // A refused connection and the timeout's abort both arrive here.
    socket.once('error', () => resolve(false));
    socket.connect(Number(url.port || SERVERS[kind].port), url.hostname);
  });
}

/**
 * For a suite that needs a real server: true when it answers. When it does not, a suite run with
 * `CI=true` fails (throws); elsewhere this prints a loud banner and returns false so the suite can
 * skip: `const pg = await requireServer('postgres'); (pg ? test : test.skip)('…', …)`.
 */
export async function requireServer(kind: ServerKind, options: ServerCheckOptions = {}): Promise<boolean> {
  if (await serverAvailable(kind, options)) return true;
  const env = options.env ?? process.env;
  const { variable } = SERVERS[kind];
  const problem = `${kind} is not reachable at ${serverUrl(kind, env)}`;
  if (env['CI'] === 'true') throw new Error(`${problem}, and CI=true requires it: start it with scripts/ci-services.sh or set ${variable}`);
  const stderr = options.stderr ?? ((text: string) => void process.stderr.write(text));
  const rule = '!'.repeat(78);
  stderr(`\n${rule}\n!! SKIPPING ${kind} tests: ${problem}.\n!! Start it with scripts/ci-services.sh or set ${variable}. CI=true makes this a failure.\n${rule}\n\n`);
  return false;
}
