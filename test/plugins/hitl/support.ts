// Shared set-up of the hitl tests: real kernels over real stores, pipelines written to a temp dir.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonObject, Logger, PluginDefinition } from '../../../kernel/index.js';
import type { Kernel } from '../../../kernel/kernel.js';
import { createTestKernel } from '../../../kernel/testing.js';
import checkpoint from '../../../plugins/checkpoint/index.js';
import hitl from '../../../plugins/hitl/index.js';
import pipeline from '../../../plugins/pipeline/index.js';
import storage from '../../../plugins/storage/index.js';
import storeMemory from '../../../plugins/store-memory/index.js';
import storeSql from '../../../plugins/store-sql/index.js';

/** Boots pipeline, storage, memory stores, checkpoint and hitl; `sql` adds PGlite under `data_dir`. */
export async function boot(options: { config?: JsonObject; dataDir?: string; logger?: Logger } = {}): Promise<Kernel> {
  const sql = options.dataDir !== undefined;
  const plugins = [pipeline, storage, storeMemory, ...(sql ? [storeSql] : []), checkpoint, hitl] as PluginDefinition[];
  const stores = sql ? { runs: 'pglite', kv: 'pglite' } : { runs: 'memory', kv: 'memory' };
  return createTestKernel({ plugins: plugins as never, ...(options.logger ? { logger: options.logger } : {}), config: { ...(sql ? { data_dir: options.dataDir } : {}), plugins: { storage: stores, ...options.config } } });
}


const STEPS = `
export async function Draft(input) { return { ...input, text: input.text ?? 'v1' }; }
export async function Publish(input, ctx) { globalThis.__hitlStarted?.(ctx.step_id); return { published: input }; }
export async function Rework(input) { if (input.comments === 'boom') throw new Error('rework failed'); return { reworked: true, decision: input.decision }; }
export function Ask(input, ctx) { return ctx.suspend({}); }
export function Own(input, ctx) { return ctx.suspend({ interaction_id: 'ticket-7' }); }
export async function Slow() { await new Promise((resolve) => setTimeout(resolve, 200)); return { slow: true }; }
`;

/** A temp dir with steps.mjs and `review.json`: draft → review (a step of `review`) → publish | rework. */
export async function reviewPipeline(review: JsonObject, name = 'review'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'weft-hitl-'));
  await writeFile(join(dir, 'steps.mjs'), STEPS);
  const doc = {
    name,
    steps: [
      { id: 'draft', step_class: 'Draft', module: './steps.mjs' },
      { id: 'review', ...review },
      { id: 'publish', step_class: 'Publish', module: './steps.mjs' },
      { id: 'rework', step_class: 'Rework', module: './steps.mjs' },
    ],
    flow: {
      start_at: 'draft',
      transitions: [
        { from: 'draft', to: 'review' },
        { from: 'review', to: 'publish', condition: { type: 'field_equals', config: { field: 'decision', value: 'approve' } } },
        { from: 'review', to: 'rework', condition: { type: 'field_equals', config: { field: 'decision', value: 'reject' } } },
      ],
    },
  };
  const file = join(dir, `${name}.json`);
  await writeFile(file, JSON.stringify(doc));
  return file;
}

/** A decision form whose choices match the routes of `reviewPipeline`. */
export const APPROVE_FORM = { fields: [{ name: 'decision', type: 'radio', required: true, options: ['approve', 'reject'] }] };

/**
 * A temp dir with steps.mjs and `fan.json`: draft fans out to two HumanInput steps (legal, brand,
 * each with `config`) and a slow step; publish joins the three.
 */
export async function fanOutPipeline(config: JsonObject = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'weft-hitl-fan-'));
  await writeFile(join(dir, 'steps.mjs'), STEPS);
  const ask = (id: string) => ({ id, step_class: 'HumanInput', config: { prompt: `${id} sign-off?`, ...config } });
  const doc = {
    name: 'fan',
    steps: [{ id: 'draft', step_class: 'Draft', module: './steps.mjs' }, ask('legal'), ask('brand'), { id: 'slow', step_class: 'Slow', module: './steps.mjs' }, { id: 'publish', step_class: 'Publish', module: './steps.mjs' }],
    flow: { start_at: 'draft', transitions: ['legal', 'brand', 'slow'].flatMap((id) => [{ from: 'draft', to: id }, { from: id, to: 'publish' }]) },
  };
  const file = join(dir, 'fan.json');
  await writeFile(file, JSON.stringify(doc));
  return file;
}

/** The review step used by most tests. */
export const REVIEW = { step_class: 'ReviewAndApprove', config: { prompt: 'Publish this?', content_key: 'text' } };

export { command } from '../../support/commands.js';
