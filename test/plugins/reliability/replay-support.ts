// A kernel with the reliability plugin (the replay tap and `weft replay`), counting steps, and a
// routed pipeline written to a temp dir.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonObject } from '../../../kernel/index.js';
import type { Kernel } from '../../../kernel/kernel.js';
import { createTestKernel } from '../../../kernel/testing.js';
import checkpoint from '../../../plugins/checkpoint/index.js';
import pipelinePlugin from '../../../plugins/pipeline/index.js';
import reliability from '../../../plugins/reliability/index.js';
import storage from '../../../plugins/storage/index.js';
import storeMemory from '../../../plugins/store-memory/index.js';

/** A kernel with pipeline, storage, store-memory, checkpoint and reliability. */
export async function bootReplay(): Promise<Kernel> {
  return createTestKernel({ plugins: [pipelinePlugin, storage, storeMemory, checkpoint, reliability] });
}

/** Step implementations by class name, each counting its real calls in `calls`. */
export function countingSteps() {
  const calls = { fetch: 0, big: 0, small: 0 };
  const sized = (size: 'big' | 'small') => async (input: JsonObject) => {
    calls[size]++;
    return { size, detail: { amount: input['amount'], _n: calls[size] } };
  };
  const steps = {
    fetch: async (input: JsonObject) => {
      calls.fetch++;
      return { amount: input['amount'], limit: input['limit'] };
    },
    big: sized('big'),
    small: sized('small'),
  };
  return { calls, steps };
}

/** fetch (reads the amount and the `limit` parameter) → big when amount > threshold, else small. */
export function refundDoc(threshold = 10): JsonObject {
  const when = (operator: string) => ({ type: 'expression', config: { source: 'result.amount', operator, value: threshold } });
  return {
    name: 'refund',
    parameters: { limit: 500 },
    steps: [
      { id: 'fetch', step_class: 'fetch', inputs: [{ name: 'amount', source: '{pipeline_input.amount}' }, { name: 'limit', source: '{parameters.limit}' }] },
      { id: 'big', step_class: 'big' },
      { id: 'small', step_class: 'small' },
    ],
    flow: { start_at: 'fetch', transitions: [{ from: 'fetch', to: 'big', condition: when('>') }, { from: 'fetch', to: 'small', condition: when('<=') }] },
  };
}

/** Writes `doc` as `<name>.json` into a fresh temp dir; resolves to the file's path. */
export async function writePipeline(doc: JsonObject, name = 'refund', dir?: string): Promise<string> {
  const file = join(dir ?? (await mkdtemp(join(tmpdir(), 'weft-replay-'))), `${name}.json`);
  await writeFile(file, JSON.stringify(doc));
  return file;
}
