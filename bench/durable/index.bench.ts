// Case `durable`: what durability costs per backend, measured in one run.
//  - Redis (REDIS_URL, default redis://127.0.0.1:6379; skipped when it does not answer):
//    baseline: one round trip, a PING on the run store's own ioredis client (through its
//    connection wrapper); append: one step's events (step.started + step.completed +
//    route.decided) through RedisRunStore.append, one Lua script call. Target: append at most
//    1.5× the round trip; the ratio goes to stderr, from tinybench's tasks and from interleaved
//    pairs (robust to a machine that is busy part of the time), overall and per block of pairs.
//    Its keys live under a prefix of this process's own, deleted when the tasks end.
//  - Memory: one step's events through MemoryRunStore.append alone, no I/O (its p50/p99 are the
//    memory backend's append latency).
//  Both append tasks write runs of at most 1,000 steps (then start another), and before timing
//  each backend writes one 1,000-step run and reports the median append time of its first and last
//  100 steps (it must not grow with the run).
//  - Resume on PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test; skipped
//    when it does not answer): beforehand, a kernel with pipeline + storage + store-sql +
//    checkpoint runs a 1,000-step no-op chain whose last step fails the first time, so the run is
//    stored and ends failed. The task reads the run's events (runHistory.events, through that
//    kernel) and resumes it to completion (pipeline.resume) on a second kernel without the
//    checkpoint plugin, so no iteration appends anything: it isolates reading a 1,000-step log
//    back and replaying it, plus running the one failed step again. Target: mean under 100 ms. One
//    resume runs first with a time limit; if it fails or never settles, the task fails at once
//    with that reason instead of hanging the runner.
// PostgreSQL tables go to one fixed schema, emptied at the start (the runner may exit before a
// closing tap finishes).
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { Bench } from 'tinybench';
import type { RunStore } from '../../kernel/index.js';
import type { Kernel } from '../../kernel/kernel.js';
import { createTestKernel, databaseUrl, redisUrl, serverAvailable } from '../../kernel/testing.js';
import checkpoint from '../../plugins/checkpoint/index.js';
import pipelinePlugin from '../../plugins/pipeline/index.js';
import storage from '../../plugins/storage/index.js';
import { MemoryRunStore } from '../../plugins/store-memory/index.js';
import { RedisConnection, RedisKeys, RedisRunStore } from '../../plugins/store-redis/index.js';
import storeSql from '../../plugins/store-sql/index.js';
import { openPostgres } from '../../plugins/store-sql/postgres.js';
import { started, stepEvents, tenKilobytes } from '../support/events.js';

const SCHEMA = 'weft_bench_durable';
const RESUME_STEPS = 1000;


const RUN_STEPS = 1000;

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
const micros = (ms: number): string => `${(ms * 1000).toFixed(0)} µs`;

/**
 * A function appending the next step of a run to `store` on each call. Runs stop at 1,000 steps:
 * the call after that starts the next run (its run.started is appended in that call, before the
 * step), so the figure does not depend on how many samples tinybench takes.
 */
function stepAppender(store: RunStore, name: string): () => Promise<void> {
  let runs = 0;
  let run = '';
  let seq = 2 + RUN_STEPS * 3;
  return async () => {
    if (seq >= 2 + RUN_STEPS * 3) {
      run = `${name}-${++runs}`;
      seq = 2;
      await store.append([started(run)]);
    }
    const events = stepEvents(run, seq, { text: 'ok' });
    seq += 3;
    await store.append(events);
  };
}

/** Median append time of steps 1–100 and 901–1000 of a fresh run, to stderr: it must not grow with the run. */
async function growth(label: string, store: RunStore): Promise<void> {
  const run = `${label}-growth`;
  await store.append([started(run)]);
  const times: number[] = [];
  for (let step = 0; step < RUN_STEPS; step++) {
    const events = stepEvents(run, 2 + step * 3, { text: 'ok' });
    const t0 = performance.now();
    await store.append(events);
    const ms = performance.now() - t0;
    if (step < 100 || step >= RUN_STEPS - 100) times.push(ms);
  }
  const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 0.5);
  const [first, last] = [median(times.slice(0, 100)), median(times.slice(100))];
  process.stderr.write(`durable ${label}: append p50, steps 1–100 of a run: ${micros(first)}; steps 901–1000: ${micros(last)} (${(last / first).toFixed(2)}×; should not grow with the run)\n`);
}

/**
 * Bytes Redis holds per step of a 1,000-step run with 10 kB outputs (it keeps nothing on disk
 * here, so what a step writes is what it adds to memory): MEMORY USAGE of the run's keys, for
 * steps 1–100 and 901–1000, over the bytes of the events' JSON.
 */
async function redisAmplification(connection: RedisConnection, keys: RedisKeys, store: RunStore): Promise<void> {
  const run = 'amplification';
  await store.append([started(run)]);
  const text = tenKilobytes('random');
  const usage = async (): Promise<number> => {
    let bytes = 0;
    const tail = await connection.run('tail', (redis) => redis.hget(keys.run(run), 'tail'));
    for (const key of [keys.run(run), keys.log(run), keys.tail(run, tail ?? '')]) bytes += Number(await connection.run('memory usage', (redis) => redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')));
    return bytes;
  };
  const window = async (from: number): Promise<number> => {
    let payload = 0;
    const before = await usage();
    for (let step = from; step < from + 100; step++) {
      const events = stepEvents(run, 2 + step * 3, { text });
      payload += JSON.stringify(events).length;
      await store.append(events);
    }
    return ((await usage()) - before) / payload;
  };
  const first = await window(0);
  for (let step = 100; step < 900; step++) await store.append(stepEvents(run, 2 + step * 3, { text }));
  const last = await window(900);
  process.stderr.write(`durable redis: bytes held per step (10 kB output, the run's keys) — steps 1–100: ${first.toFixed(2)}×; steps 901–1000: ${last.toFixed(2)}× the events' JSON\n`);
}

async function redisBench(): Promise<Bench> {
  // Only [a-z0-9-]: the prefix is also a SCAN pattern when its keys are deleted.
  const prefix = `weft-bench-durable-${process.pid}-${randomBytes(4).toString('hex')}:`;
  const connection = new RedisConnection(redisUrl(), { connectTimeoutMs: 2000 });
  const keys = new RedisKeys(prefix);
  const store = new RedisRunStore(connection, keys);
  await redisAmplification(connection, keys, store);
  const roundTrip = () => connection.run('ping', (redis) => redis.ping());
  await growth('redis', store);
  const appendStep = stepAppender(store, 'bench-redis');
  const cleanup = async () => {
    const deleted = await connection.run('delete bench keys', async (redis) => {
      let cursor = '0';
      let count = 0;
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) count += await redis.unlink(...keys);
      } while (cursor !== '0');
      return count;
    });
    process.stderr.write(`durable redis: deleted ${deleted} keys under ${prefix}\n`);
    await connection.close();
  };

  // Interleaved pairs, in 10 blocks of 200 after 300 unrecorded: the ratio of each block's p50s
  // shows how much it moves with the machine's state during the run.
  const paired: [number[], number[]] = [[], []];
  const blocks: string[] = [];
  for (let i = 0; i < 2300; i++) {
    for (const [slot, work] of [roundTrip, appendStep].entries()) {
      const t0 = performance.now();
      await work();
      if (i >= 300) paired[slot]!.push(performance.now() - t0);
    }
    if (i >= 300 && (i - 299) % 200 === 0) {
      const [b, a] = paired.map((t) => t.slice(-200).sort((x, y) => x - y)) as [number[], number[]];
      blocks.push(`${(percentile(a, 0.5) / percentile(b, 0.5)).toFixed(2)}× (PING ${micros(percentile(b, 0.5))})`);
    }
  }
  const [b, a] = paired.map((t) => t.sort((x, y) => x - y)) as [number[], number[]];
  process.stderr.write(
    `durable redis: ${connection.where}: interleaved pairs: append/round trip p50 ${(percentile(a, 0.5) / percentile(b, 0.5)).toFixed(2)}× (target ≤ 1.5×); ` +
      `append p50 ${micros(percentile(a, 0.5))} p99 ${micros(percentile(a, 0.99))}; PING p50 ${micros(percentile(b, 0.5))} p99 ${micros(percentile(b, 0.99))}\n` +
      `durable redis: p50 ratio per block of 200 pairs: ${blocks.join(', ')}\n`,
  );

  const bench = new Bench({ name: 'durable redis', time: 500, warmupTime: 100 });
  const baseline = 'redis: PING round trip (baseline)';
  const append = 'redis: append one step (3 events, one call)';
  bench.add(baseline, roundTrip).add(append, appendStep, {
    // Awaited by bench.run(), unlike a 'complete' listener; the last task's run phase ends the suite.
    afterAll: async (mode) => {
      if (mode === 'run') await cleanup().catch((e: unknown) => void process.stderr.write(`durable redis: cleanup failed: ${(e as Error).message}\n`));
    },
  });
  bench.addEventListener('complete', () => {
    const stats = (name: string) => {
      const result = bench.getTask(name)!.result;
      return result.state === 'completed' ? result.latency : undefined;
    };
    const [base, app] = [stats(baseline), stats(append)];
    if (base && app) process.stderr.write(`durable redis: tinybench tasks: append/round trip ${(app.mean / base.mean).toFixed(2)}× mean, ${(app.p50! / base.p50!).toFixed(2)}× p50 (target ≤ 1.5×)\n`);
  });
  return bench;
}

async function memoryBench(): Promise<Bench> {
  const store = new MemoryRunStore();
  await growth('memory', store);
  const appendStep = stepAppender(store, 'bench-memory');
  return new Bench({ name: 'durable memory', time: 500, warmupTime: 100 }).add('memory: append one step (3 events, one call)', appendStep);
}

/** A no-op chain of `n` steps; the last one runs `last`, the others `noop`. */
function chain(n: number): Record<string, unknown> {
  return {
    name: `durable-chain-${n}`,
    steps: Array.from({ length: n }, (_, i) => ({ id: `s${i}`, step_class: i === n - 1 ? 'last' : 'noop' })),
    flow: { start_at: 's0', transitions: Array.from({ length: n - 1 }, (_, i) => ({ from: `s${i}`, to: `s${i + 1}` })) },
  };
}

/** `work`, or a rejection when it has not settled within `ms`. */
function settled<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`it did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

async function dropSchema(): Promise<void> {
  const db = await openPostgres(databaseUrl(), { connectTimeoutMs: 5000 });
  try {
    await db.rows(sql`drop schema if exists ${sql.identifier(SCHEMA)} cascade`);
  } finally {
    await db.close();
  }
}

async function resumeBench(): Promise<Bench> {
  await dropSchema();
  let failed = false;
  const steps = {
    noop: async (): Promise<Record<string, unknown>> => ({}),
    last: async (): Promise<Record<string, unknown>> => {
      if (!failed) {
        failed = true;
        throw new Error('fails the first time');
      }
      return {};
    },
  };
  const config = { database_url: databaseUrl(), plugins: { 'store-sql': { schema: SCHEMA } } };
  const kernels: Kernel[] = [];
  try {
    // Writes the run (one append per step) and reads it back: runHistory is the checkpoint plugin's.
    const recording = await createTestKernel({ plugins: [pipelinePlugin, storage, storeSql, checkpoint], config });
    kernels.push(recording);
    // Resumes without the checkpoint plugin: nothing it does is appended, so every iteration starts alike.
    const resuming = await createTestKernel({ plugins: [pipelinePlugin, storage, storeSql], config });
    kernels.push(resuming);

    const recorder = recording.services.get('pipeline');
    const t0 = performance.now();
    const first = await recorder.run(await recorder.prepare(await recorder.parse(chain(RESUME_STEPS), { steps }), { steps }), { steps });
    const writeMs = performance.now() - t0;
    if (first.status !== 'failed') throw new Error(`the ${RESUME_STEPS}-step run ended ${first.status}, not failed`);
    const runId = first.run_id;
    const runs = await recording.services.get('storage').runs();
    const storedEvents = async () => (await runs.get(runId))!.events;
    const before = await storedEvents();

    const history = recording.services.get('runHistory');
    const pipeline = resuming.services.get('pipeline');
    const prepared = await pipeline.prepare(await pipeline.parse(chain(RESUME_STEPS), { steps }), { steps });
    const resume = async () => {
      const result = await pipeline.resume(await history.events(runId), { pipeline: prepared, steps });
      if (result.status !== 'completed') throw new Error(`resume ended ${result.status}`);
    };
    process.stderr.write(
      `durable postgres: ${recording.services.get('storage').describe().runs}, schema ${SCHEMA}: ${RESUME_STEPS}-step run stored (${before} events, ${(writeMs / RESUME_STEPS).toFixed(2)} ms per step while writing), ended failed; resume target: mean < 100 ms\n`,
    );
    // One resume before timing, bounded: a resume that throws or never settles (a stack overflow
    // inside a promise callback leaves the run pending) becomes a task that fails at once.
    let problem: Error | undefined;
    try {
      await settled(resume(), 10_000);
      if ((await storedEvents()) !== before) throw new Error('a resume appended events; the timed kernel must not store them');
    } catch (e: unknown) {
      problem = new Error(`resume of the ${RESUME_STEPS}-step run failed: ${(e as Error).message}`, { cause: e });
      process.stderr.write(`durable postgres: ${problem.message}; the resume task is reported as failed\n`);
    }

    const bench = new Bench({ name: 'durable postgres', time: 500, warmupTime: 100, iterations: 20, warmupIterations: 3 });
    const name = `postgres: read + resume a ${RESUME_STEPS}-step run`;
    const failing = problem;
    bench.add(name, failing ? () => Promise.reject(failing) : resume, {
      afterAll: async (mode) => {
        if (mode !== 'run') return;
        const after = await storedEvents();
        if (after !== before) process.stderr.write(`durable postgres: the run has ${after} events stored, not ${before}: resume appended\n`);
        await Promise.all(kernels.map((k) => k.close()));
        await dropSchema().catch(() => undefined);
      },
    });
    bench.addEventListener('complete', () => {
      const result = bench.getTask(name)!.result;
      if (result.state === 'completed') process.stderr.write(`durable postgres: resume mean ${result.latency.mean.toFixed(1)} ms (target < 100 ms)\n`);
    });
    return bench;
  } catch (e) {
    await Promise.all(kernels.map((k) => k.close()));
    throw e;
  }
}

export default async function durableBench(): Promise<Bench[]> {
  const benches: Bench[] = [];
  if (await serverAvailable('redis')) benches.push(await redisBench());
  else process.stderr.write(`durable: Redis is not reachable at ${redisUrl()}; its tasks are skipped\n`);
  benches.push(await memoryBench());
  if (await serverAvailable('postgres')) benches.push(await resumeBench());
  else process.stderr.write(`durable: PostgreSQL is not reachable at ${databaseUrl()}; the resume task is skipped\n`);
  return benches;
}
