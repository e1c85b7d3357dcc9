import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { JsonObject, KeyValueStore, RunResult } from '../../../kernel/index.js';
import type { PipelineDef } from '../../../plugins/pipeline/model.js';
import type { Kernel } from '../../../kernel/kernel.js';
import { createTestKernel } from '../../../kernel/testing.js';
import checkpoint from '../../../plugins/checkpoint/index.js';
import { leaseKey } from '../../../plugins/checkpoint/lease.js';
import pipelinePlugin from '../../../plugins/pipeline/index.js';
import storage from '../../../plugins/storage/index.js';
import storeMemory from '../../../plugins/store-memory/index.js';

const quiet = (): void => {};

/** A kernel with durable runs on the memory stores; what its plugins log at info and above is kept. */
async function boot(config: JsonObject = {}): Promise<{ kernel: Kernel; kv: KeyValueStore; logged: string[] }> {
  const logged: string[] = [];
  const keep = (m: string): void => void logged.push(m);
  const kernel = await createTestKernel({ plugins: [pipelinePlugin, storage, storeMemory, checkpoint], config: { plugins: { checkpoint: config } }, logger: { debug: quiet, info: keep, warn: keep, error: keep } });
  return { kernel, kv: await kernel.services.get('storage').kv(), logged };
}

/** A two-step pipeline whose first step waits until `release` is called, and whose second fails while `failing` is set. */
function gated() {
  let open: () => void = () => {};
  const state = { failing: true, calls: [] as string[] };
  const steps = {
    slow: async () => {
      state.calls.push('slow');
      await new Promise<void>((resolve) => (open = resolve));
      return {};
    },
    last: async () => {
      state.calls.push('last');
      if (state.failing) throw new Error('not yet');
      return { done: true };
    },
  };
  const document = { name: 'gated', steps: [{ id: 'a', step_class: 'slow' }, { id: 'b', step_class: 'last' }], flow: { start_at: 'a', transitions: [{ from: 'a', to: 'b' }] } };
  // Resumed with `pipeline` (the parsed document), as it has no file to be loaded from again.
  const resumeWith = { steps, pipeline: undefined as unknown as PipelineDef };
  return { steps, document, state, release: () => open(), resumeWith };
}

/** Runs until its first step is waiting; resolves to the running result's promise and the run id. */
async function startGated(kernel: Kernel, g: ReturnType<typeof gated>): Promise<{ running: Promise<RunResult>; runId: string }> {
  const pipeline = kernel.services.get('pipeline');
  const def = await pipeline.parse(g.document, { steps: g.steps });
  g.resumeWith.pipeline = def;
  const running = pipeline.run(def, { steps: g.steps, run_id: `gated-${Math.random().toString(36).slice(2)}` });
  while (g.state.calls.length === 0) await sleep(5);
  const [runId] = (await (await kernel.services.get('storage').runs()).list()).map((r) => r.run_id);
  return { running, runId: runId! };
}

const history = async (kernel: Kernel, runId: string) => kernel.services.get('runHistory').events(runId);

const rejects = async (p: Promise<unknown>): Promise<{ code: string; message: string; data: Record<string, unknown> }> => {
  try {
    await p;
  } catch (e: unknown) {
    return e as { code: string; message: string; data: Record<string, unknown> };
  }
  throw new Error('expected a rejection');
};

/** The pid of a process that has exited. */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '0']).pid!;

const lease = suite('checkpoint: run leases');

lease('a run executing here holds its lease: resuming it meanwhile is refused before anything is written, and it is given back when the run stops', async () => {
  const { kernel, kv } = await boot();
  const g = gated();
  const { running, runId } = await startGated(kernel, g);
  const holder = JSON.parse((await kv.get(leaseKey(runId)))!) as JsonObject;
  assert.equal([holder['host'], holder['pid']], [hostname(), process.pid]);
  const before = await history(kernel, runId);
  const error = await rejects(kernel.services.get('pipeline').resume(before, g.resumeWith));
  assert.is(error.code, 'CHECKPOINT_RUN_ACTIVE');
  assert.match(error.message, new RegExp(`^Run ${runId} is executing in process ${process.pid} on ${hostname()} \\(since .+\\), which holds its lease`));
  assert.equal(error.data, { run_id: runId, host: hostname(), pid: process.pid, since: holder['since'] });
  assert.equal(await history(kernel, runId), before, 'nothing was written');
  assert.equal(g.state.calls, ['slow'], 'no step ran twice');
  g.release();
  assert.is((await running).status, 'failed');
  assert.is(await kv.get(leaseKey(runId)), undefined);
  // Stopped: now it resumes (and holds the lease again while it runs).
  g.state.failing = false;
  const resumed = await kernel.services.get('pipeline').resume(await history(kernel, runId), g.resumeWith);
  assert.is(resumed.status, 'completed');
  assert.equal(g.state.calls, ['slow', 'last', 'last']);
  assert.is(await kv.get(leaseKey(runId)), undefined);
  await kernel.close();
});

lease('a lease held by a process that is gone from this host is taken over; one elsewhere, or unreadable, is not', async () => {
  const { kernel, kv, logged } = await boot();
  const g = gated();
  g.state.failing = true;
  const { running, runId } = await startGated(kernel, g);
  g.release();
  await running;
  const events = await history(kernel, runId);
  const other = { token: 't', host: 'elsewhere.example', pid: process.pid, since: '2026-01-01T00:00:00.000Z' };
  await kv.set(leaseKey(runId), JSON.stringify(other));
  let error = await rejects(kernel.services.get('pipeline').resume(events, g.resumeWith));
  assert.match(error.message, `is executing in process ${process.pid} on elsewhere.example (since 2026-01-01T00:00:00.000Z)`);
  for (const foreign of ['not a lease', 'null', '{"host":"h","pid":"7","since":"s"}', '{"host":"h","pid":7}', '{"pid":7,"since":"s"}']) {
    await kv.set(leaseKey(runId), foreign);
    // The caller's abort signal is let go of too (the refused run never starts).
    error = await rejects(kernel.services.get('pipeline').resume(events, { ...g.resumeWith, signal: new AbortController().signal }));
    assert.match(error.message, `Run ${runId} is executing in another process, which holds its lease`);
    assert.equal(error.data, { run_id: runId });
  }
  const dead = deadPid();
  await kv.set(leaseKey(runId), JSON.stringify({ ...other, host: hostname(), pid: dead }));
  g.state.failing = false;
  assert.is((await kernel.services.get('pipeline').resume(events, g.resumeWith)).status, 'completed');
  assert.ok(logged.includes(`[checkpoint] run ${runId}: took over the lease of process ${dead}, which is gone`), logged.join('\n'));
  await kernel.close();
});

lease('a lease is renewed while its run executes, and a lost lease is reported', async () => {
  const { kernel, kv, logged } = await boot({ lease_seconds: 0.3 });
  const g = gated();
  const { running, runId } = await startGated(kernel, g);
  const mine = (await kv.get(leaseKey(runId)))!;
  // Past the first lease: renewed, so still held, and a resume is still refused.
  await sleep(450);
  assert.is(await kv.get(leaseKey(runId)), mine);
  assert.is((await rejects(kernel.services.get('pipeline').resume(await history(kernel, runId), g.resumeWith))).code, 'CHECKPOINT_RUN_ACTIVE');
  // Someone else's value in its place (the lease lapsed and another process took the run).
  await kv.set(leaseKey(runId), 'taken');
  await sleep(250);
  assert.ok(logged.some((m) => m.includes(`run ${runId}: its lease was lost`)), logged.join('\n'));
  assert.is(await kv.get(leaseKey(runId)), 'taken', 'not given back: it is not ours');
  g.release();
  await running;
  assert.is(await kv.get(leaseKey(runId)), 'taken');
  await kernel.close();
});

lease('a store that cannot renew or give back a lease is reported; the lease lapses on its own', async () => {
  const { kernel, kv, logged } = await boot({ lease_seconds: 0.3 });
  const g = gated();
  const { running, runId } = await startGated(kernel, g);
  const [replaceIf, deleteIf] = [kv.replaceIf.bind(kv), kv.deleteIf.bind(kv)];
  const lost = async (): Promise<boolean> => {
    throw new Error('connection lost');
  };
  Object.assign(kv, { replaceIf: lost, deleteIf: lost });
  await sleep(150);
  assert.ok(logged.some((m) => m.includes(`run ${runId}: its lease could not be renewed (connection lost); trying again`)), logged.join('\n'));
  g.release();
  await running;
  assert.ok(logged.some((m) => m.includes(`run ${runId}: its lease could not be given back (connection lost); it lapses in 0.3 s`)), logged.join('\n'));
  Object.assign(kv, { replaceIf, deleteIf });
  await sleep(350);
  assert.is(await kv.get(leaseKey(runId)), undefined);
  await kernel.close();
});

lease('closing the kernel stops renewing the leases of runs still executing', async () => {
  const { kernel, kv } = await boot({ lease_seconds: 0.3 });
  const g = gated();
  const { runId } = await startGated(kernel, g);
  await kernel.close();
  assert.ok(await kv.get(leaseKey(runId)));
  await sleep(400);
  assert.is(await kv.get(leaseKey(runId)), undefined, 'lapsed: nobody renewed it');
  g.release();
});

lease('a lease of zero seconds is a configuration error', async () => {
  const error = await rejects(boot({ lease_seconds: 0 }));
  assert.match(error.message, /lease_seconds/);
});

lease.run();
