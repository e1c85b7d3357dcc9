// Boots a kernel with the reliability plugin and runs a known mix of runs through it.
import type { JsonObject, Logger, RunResult } from '../../../kernel/index.js';
import type { Kernel } from '../../../kernel/kernel.js';
import { createTestKernel } from '../../../kernel/testing.js';
import checkpoint from '../../../plugins/checkpoint/index.js';
import pipelinePlugin from '../../../plugins/pipeline/index.js';
import reliability from '../../../plugins/reliability/index.js';
import storage from '../../../plugins/storage/index.js';
import storeMemory from '../../../plugins/store-memory/index.js';
import storeSql from '../../../plugins/store-sql/index.js';

/** A kernel with pipeline, storage, store-memory, checkpoint and reliability. */
export async function boot(config: JsonObject = {}, dataDir?: string, logger?: Logger): Promise<Kernel> {
  return createTestKernel({ plugins: [pipelinePlugin, storage, storeMemory, checkpoint, reliability], ...(logger ? { logger } : {}), config: { ...(dataDir ? { data_dir: dataDir } : {}), plugins: { reliability: config } } });
}

/** The same kernel with every store in PGlite under `dataDir`: kernels booted one after another on it share the stored runs, records and alerts, as processes do. */
export async function bootSql(config: JsonObject, dataDir: string): Promise<Kernel> {
  const stores = { runs: 'pglite', kv: 'pglite', records: 'pglite' };
  return createTestKernel({ plugins: [pipelinePlugin, storage, storeMemory, storeSql, checkpoint, reliability], config: { data_dir: dataDir, plugins: { storage: stores, reliability: config } } });
}

/** The rejection of a promise that must fail. */
export async function failure(p: Promise<unknown>): Promise<{ code: string; message: string; data?: JsonObject }> {
  try {
    await p;
  } catch (e: unknown) {
    return e as { code: string; message: string };
  }
  throw new Error('expected a failure');
}

const fail = async (): Promise<JsonObject> => {
  throw new Error('boom');
};

/**
 * Five runs of pipeline `mix` (a → route on `result.go` → b | c) and one of `other`:
 * 1. clean, via b; 2. a retried once, then clean via c; 3. b fails, run fails;
 * 4. b fails with on_error continue (compensated); 5. b waits for a human, answered by ana.
 * Steps: 1: a✓ b✓  2: a✓ c✓  3: a✓ b✗  4: a✓ b(comp)  5: a✓ b✓(human) → 10 steps, 8 successful.
 */
export async function runMix(kernel: Kernel): Promise<{ results: RunResult[] }> {
  const pipeline = kernel.services.get('pipeline');
  let attempts = 0;
  const doc = (bClass: string, onError = 'fail') => ({
    name: 'mix',
    steps: [{ id: 'a', step_class: 'a', retry: { max_attempts: 2, initial_delay: 0, jitter: false } }, { id: 'b', step_class: bClass, on_error: onError }, { id: 'c', step_class: 'c' }],
    flow: { start_at: 'a', transitions: [
      { from: 'a', to: 'b', condition: { type: 'expression', config: { source: 'result.go', operator: 'equals', value: 'b' } } },
      { from: 'a', to: 'c', condition: { type: 'expression', config: { source: 'result.go', operator: 'equals', value: 'c' } } },
    ] },
  });
  const steps = {
    a: async (input: JsonObject) => {
      if (input['flaky'] === true && attempts++ === 0) throw Object.assign(new Error('flaky'), { retryable: true });
      return { go: input['go'] };
    },
    ok: async () => ({ done: true }),
    bad: fail,
    ask: (_: JsonObject, ctx: { suspend(r: JsonObject): never }) => ctx.suspend({ prompt: 'approve?' }),
    c: async () => ({ c: true }),
  };
  const run = async (bClass: string, input: JsonObject, onError?: string) => pipeline.run(await pipeline.parse(doc(bClass, onError), { steps }), { steps, input });
  const results = [await run('ok', { go: 'b' }), await run('ok', { go: 'c', flaky: true }), await run('bad', { go: 'b' }), await run('bad', { go: 'b' }, 'continue')];
  const waiting = await run('ask', { go: 'b' });
  const history = await kernel.services.get('runHistory').events(waiting.run_id);
  results.push(await pipeline.resume(history, { pipeline: await pipeline.parse(doc('ask'), { steps }), steps, response: { step_id: 'b', response: { approved: true }, actor: 'ana' } }));
  results.push(await pipeline.run(await pipeline.parse({ name: 'other', steps: [{ id: 'x', step_class: 'c' }], flow: { start_at: 'x' } }, { steps }), { steps }));
  return { results };
}

export { command } from '../../support/commands.js';
