import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunEvent, RunStartedEvent, WeftError } from '../../../../kernel/index.js';
import type { Kernel } from '../../../../kernel/kernel.js';
import { createTestKernel } from '../../../../kernel/testing.js';
import { command } from '../../../support/commands.js';
import { tempDir } from '../../../support/temp.js';
import catalog from '../../../../plugins/catalog/index.js';
import checkpoint from '../../../../plugins/checkpoint/index.js';
import { contentHash } from '../../../../plugins/pipeline/hash.js';
import pipelinePlugin from '../../../../plugins/pipeline/index.js';
import storage from '../../../../plugins/storage/index.js';
import storeMemory from '../../../../plugins/store-memory/index.js';

/** Both steps output their configured label; `send` fails while a file named `down` lies beside the steps. */
const STEPS = `import { existsSync } from 'node:fs';
export const Mark = async (input, ctx) => ({ label: ctx.config.label });
export const Send = async (input, ctx) => {
  if (existsSync(new URL('./down', import.meta.url))) throw new Error('downstream service unavailable');
  return { sent: input.label, by: ctx.config.label };
};
`;
const document = (label: string) => ({
  name: 'flaky',
  version: '1.0.0',
  steps: [{ id: 'mark', step_class: 'Mark', module: './steps.mjs', config: { label } }, { id: 'send', step_class: 'Send', module: './steps.mjs', config: { label } }],
  flow: { start_at: 'mark', transitions: [{ from: 'mark', to: 'send' }] },
  outputs: { sent: '{{ send.sent }}', by: '{{ send.by }}' },
});

/** A folder holding the pipeline (as `pipeline.json`), its steps, and a `down` file that makes `send` fail. */
const folder = (): string => tempDir({ 'pipeline.json': JSON.stringify(document('v1')), 'steps.mjs': STEPS, down: '' });

async function boot(withCatalog = true): Promise<Kernel> {
  return createTestKernel({ plugins: [pipelinePlugin, storage, storeMemory, checkpoint, ...(withCatalog ? [catalog] : [])] });
}

/** `weft <name> … --json` in `cwd`: the exit code and the result. */
async function weft(kernel: Kernel, cwd: string, name: string, positionals: string[], values: Record<string, unknown> = {}): Promise<{ code: number; status: string; output: unknown }> {
  const { code, stdout } = await command(kernel, name, positionals, { ...values, json: true }, cwd);
  const { status, output } = JSON.parse(stdout) as { status: string; output: unknown };
  return { code, status, output };
}

/** The coded error `weft <name> …` throws. */
const refusal = (kernel: Kernel, cwd: string, name: string, positionals: string[], values: Record<string, unknown> = {}): Promise<WeftError> =>
  weft(kernel, cwd, name, positionals, values).then(
    () => assert.unreachable() as never,
    (e: WeftError) => e,
  );

const started = async (kernel: Kernel, runId: string): Promise<RunStartedEvent> => (await kernel.services.get('runHistory').events(runId))[0] as RunStartedEvent;

/** Stores a copy of a run's log under a new id, with its run.started changed, as an older or foreign weft might have stored it. */
async function storeAs(kernel: Kernel, from: string, runId: string, change: (event: RunStartedEvent) => RunStartedEvent): Promise<void> {
  const events = await kernel.services.get('runHistory').events(from);
  const copied = events.map((e) => ({ ...e, run_id: runId }) as RunEvent);
  await (await kernel.services.get('storage').runs()).append([change(copied[0] as RunStartedEvent), ...copied.slice(1)]);
}

const resume = suite('weft resume: the pipeline a run started with');

resume('a catalogue run resumes with its stored revision after its source file was edited and moved', async () => {
  const kernel = await boot();
  const dir = folder();
  assert.is((await command(kernel, 'pipelines import', [dir])).code, 0);
  assert.equal(await weft(kernel, dir, 'run', ['flaky@1.0.0'], { 'run-id': 'cat-1' }), { code: 1, status: 'failed', output: {} });
  const start = await started(kernel, 'cat-1');
  assert.equal([start.catalog, start.file, start.hash], [{ name: 'flaky', revision: 1 }, join(dir, 'pipeline.json'), contentHash(document('v1'))]);

  await writeFile(join(dir, 'pipeline.json'), JSON.stringify(document('v2')));
  await rename(join(dir, 'pipeline.json'), join(dir, 'moved.json'));
  await rm(join(dir, 'down'));
  assert.equal(await weft(kernel, dir, 'resume', ['cat-1']), { code: 0, status: 'completed', output: { sent: 'v1', by: 'v1' } });
  await kernel.close();
});

resume('a file run refuses to resume once the file changed, unless --pipeline names the file to resume with', async () => {
  const kernel = await boot();
  const dir = folder();
  const file = join(dir, 'pipeline.json');
  assert.is((await weft(kernel, dir, 'run', ['pipeline.json'], { 'run-id': 'file-1' })).status, 'failed');
  const start = await started(kernel, 'file-1');
  assert.equal([start.file, start.hash, 'catalog' in start], [file, contentHash(document('v1')), false]);

  // Layout and key order are not content.
  await writeFile(file, JSON.stringify(document('v1'), null, 4));
  await rm(join(dir, 'down'));
  await writeFile(join(dir, 'down'), '');
  assert.is((await weft(kernel, dir, 'resume', ['file-1'])).status, 'failed');

  await writeFile(file, JSON.stringify(document('v2')));
  await rm(join(dir, 'down'));
  const refused = await refusal(kernel, dir, 'resume', ['file-1']);
  assert.is(refused.code, 'PIPELINE_RESUME_CHANGED');
  assert.is(refused.message, `The pipeline file ${file} changed since run file-1 started; restore it, or resume with its new content on purpose (weft resume file-1 --pipeline ${file})`);
  assert.equal(refused.data, { run_id: 'file-1', file });
  assert.equal((await kernel.services.get('runHistory').events('file-1')).at(-1)?.type, 'run.failed', 'nothing was appended');

  assert.equal(await weft(kernel, dir, 'resume', ['file-1'], { pipeline: 'pipeline.json' }), { code: 0, status: 'completed', output: { sent: 'v1', by: 'v2' } }, 'completed steps keep their outputs; the rest run as the file says now');
  await kernel.close();
});

resume('--pipeline resumes with another file of the same pipeline, and refuses one of another pipeline', async () => {
  const kernel = await boot();
  const dir = folder();
  await weft(kernel, dir, 'run', ['pipeline.json'], { 'run-id': 'file-2' });
  await writeFile(join(dir, 'other.json'), JSON.stringify({ ...document('v1'), name: 'other' }));
  const other = await refusal(kernel, dir, 'resume', ['file-2'], { pipeline: 'other.json' });
  assert.is(other.code, 'PIPELINE_RESUME_INVALID');
  assert.match(other.message, /belongs to pipeline "flaky", not "other"/);
  const missing = await refusal(kernel, dir, 'resume', ['file-2'], { pipeline: 'nope.json' });
  assert.is(missing.code, 'PIPELINE_FILE_UNREADABLE');
  await kernel.close();
});

resume('runs stored without a content hash or catalogue revision resume from their file as before', async () => {
  const kernel = await boot();
  const dir = folder();
  assert.is((await command(kernel, 'pipelines import', [dir])).code, 0);
  await weft(kernel, dir, 'run', ['flaky'], { 'run-id': 'cat-2' });
  await storeAs(kernel, 'cat-2', 'old-1', ({ hash: _hash, catalog: _catalog, ...event }) => event);
  await writeFile(join(dir, 'pipeline.json'), JSON.stringify(document('v2')));
  await rm(join(dir, 'down'));
  assert.equal(await weft(kernel, dir, 'resume', ['old-1']), { code: 0, status: 'completed', output: { sent: 'v1', by: 'v2' } });
  await kernel.close();
});

resume('a catalogue run whose revision is gone, or without the catalogue plugin, is a coded error', async () => {
  const kernel = await boot();
  const dir = folder();
  await command(kernel, 'pipelines import', [dir]);
  await weft(kernel, dir, 'run', ['flaky@1'], { 'run-id': 'cat-3' });
  await storeAs(kernel, 'cat-3', 'cat-gone', (event) => ({ ...event, catalog: { name: 'flaky', revision: 4 } }));
  const gone = await refusal(kernel, dir, 'resume', ['cat-gone']);
  assert.is(gone.code, 'CATALOG_NOT_FOUND');
  assert.is(gone.message, 'The catalogue has no revision 4 of pipeline "flaky"; stored: flaky@1 (version 1.0.0)');
  const history = await kernel.services.get('runHistory').events('cat-3');
  await kernel.close();

  const bare = await boot(false);
  const refused = await bare.services.get('pipeline').resume(history).then(
    () => assert.unreachable() as never,
    (e: WeftError) => e,
  );
  assert.is(refused.code, 'PIPELINE_RESUME_INVALID');
  assert.is(refused.message, 'Run cat-3 ran flaky@1 from the catalogue, which is not enabled; enable the catalog plugin, or pass the pipeline to resume it with (weft resume --pipeline <file>)');
  await bare.close();
});

resume.run();
