import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createTestKernel } from '../../../kernel/testing.js';
import { command } from '../../support/commands.js';
import { tempDir } from '../../support/temp.js';
import catalog from '../../../plugins/catalog/index.js';
import { contentHash } from '../../../plugins/pipeline/hash.js';
import pipelinePlugin from '../../../plugins/pipeline/index.js';
import storage from '../../../plugins/storage/index.js';
import storeMemory from '../../../plugins/store-memory/index.js';

const FIXTURES = fileURLToPath(new URL('../../../../test/fixtures/pipelines/catalog/', import.meta.url));
const EXAMPLES = fileURLToPath(new URL('../../../../examples/', import.meta.url));


const imports = suite('catalog: weft pipelines import, list, and run by name');

imports('importing stores new pipelines, skips unchanged ones, and makes a new revision when content changes', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'weft-catalog-'));
  await cp(FIXTURES, dir, { recursive: true });
  const kernel = await createTestKernel({ plugins: [pipelinePlugin, storage, storeMemory, catalog] });
  const first = await command(kernel, 'pipelines import', [dir]);
  assert.is(first.code, 1);
  assert.match(first.stdout, /✗ .*broken\.yaml: \[PIPELINE_SCHEMA\] flow is required/);
  assert.match(first.stdout, /✓ .*greet\.json: greet@1 imported/);
  assert.match(first.stdout, /imported 2, updated 0, unchanged 0, skipped 0, errors 2/);
  assert.match(first.stdout, /✗ .*ghost\.json: \[PIPELINE_UNKNOWN_STEP\] flow\.transitions\[0\]\.to: transition to unknown step "nowhere"/);
  assert.match(first.stdout, /✓ .*plain\.json: plain@1 imported/);
  const again = await command(kernel, 'pipelines import', [join(dir, 'greet.json')], { json: true });
  assert.equal(JSON.parse(again.stdout).map((o: { action: string; revision: number }) => [o.action, o.revision]), [['unchanged', 1]]);
  assert.match((await command(kernel, 'pipelines import', [join(dir, 'greet.json')])).stdout, /= .*greet\.json: greet@1 unchanged/);
  await writeFile(join(dir, 'greet.json'), JSON.stringify({ name: 'greet', version: '1.1.0', steps: [{ id: 'hello', step_class: 'Hello', module: './steps.mjs' }], flow: { start_at: 'hello' } }));
  const changed = await command(kernel, 'pipelines import', [join(dir, 'greet.json')]);
  assert.match(changed.stdout, /greet@2 updated/);
  assert.is(changed.code, 0);
  const missing = await command(kernel, 'pipelines import', [join(dir, 'nope.json')]);
  assert.match(missing.stdout, /✗ .*nope\.json: \[PIPELINE_FILE_UNREADABLE\]/);

  const listed = await command(kernel, 'pipelines list', []);
  assert.match(listed.stdout, /^greet@2 {2}version 1\.1\.0 {2}[0-9a-f]{12} /);
  assert.equal(JSON.parse((await command(kernel, 'pipelines list', [], { json: true })).stdout).map((e: { name: string; version: string }) => [e.name, e.version]), [['greet', '1.1.0'], ['plain', '1.0']]);

  const run = await command(kernel, 'run', ['greet'], { input: '{"name":"Ada"}', json: true });
  assert.equal(JSON.parse(run.stdout).output, { greeting: 'hello Ada' });
  const pinned = await command(kernel, 'run', ['greet@1'], { json: true });
  assert.is(JSON.parse(pinned.stdout).status, 'completed');
  const resolver = kernel.services.get('pipelineCatalog');
  assert.is(await resolver.find('greet@0'), undefined);
  assert.is(await resolver.find('greet@x'), undefined);
  assert.is((await resolver.find('greet@1'))?.version, '1.0.0');
  const unknown = await command(kernel, 'run', ['nothing-by-that-name']).catch((e: { code: string }) => e.code);
  assert.is(unknown, 'CATALOG_NOT_FOUND');
  await kernel.close();
  await rm(dir, { recursive: true });
});

imports('a definition stored without a source file runs with steps resolved from the working directory', async () => {
  const kernel = await createTestKernel({ plugins: [pipelinePlugin, storage, storeMemory, catalog] });
  const definition = { name: 'inline', steps: [{ id: 'hello', step_class: 'Hello', module: './steps.mjs' }], flow: { start_at: 'hello' } };
  await (await kernel.services.get('storage').catalog()).put({ name: 'inline', version: '1', hash: contentHash(definition), definition });
  assert.match((await command(kernel, 'pipelines list', [])).stdout, /^inline@1 {2}version 1 {2}[0-9a-f]{12} {2}\S+\n$/);
  const run = await command(kernel, 'run', ['inline'], { json: true }, FIXTURES);
  assert.equal(JSON.parse(run.stdout).output, { greeting: 'hello world' });
  await kernel.close();
});

imports('a folder holding a weft test suite imports its pipeline and says what it skipped', async () => {
  const kernel = await createTestKernel({ plugins: [pipelinePlugin, storage, storeMemory, catalog] });
  const folder = join(EXAMPLES, 'review-loop');
  const text = await command(kernel, 'pipelines import', [folder]);
  assert.is(text.code, 0, text.stdout);
  assert.match(text.stdout, /✓ .*review-loop\/pipeline\.json: press-release@1 imported\n {2}- .*review-loop\/cases\.json: skipped \(weft test cases, not a pipeline\)\n/);
  assert.match(text.stdout, /imported 1, updated 0, unchanged 0, skipped 1, errors 0\n$/);
  const dir = tempDir({ 'weft.config.json': '{}', 'cases.json': '[]', 'one.json': JSON.stringify({ name: 'one', steps: [{ id: 'a', step_class: 'A' }], flow: { start_at: 'a' } }) });
  const json = await command(kernel, 'pipelines import', [dir], { json: true });
  assert.equal(JSON.parse(json.stdout), [
    { file: join(dir, 'one.json'), action: 'imported', name: 'one', revision: 1 },
    { file: join(dir, 'cases.json'), action: 'skipped', reason: 'weft test cases, not a pipeline' },
    { file: join(dir, 'weft.config.json'), action: 'skipped', reason: 'weft configuration, not a pipeline' },
  ]);
  await kernel.close();
});

imports('a folder without pipeline files is an error naming it, and subfolders are not searched', async () => {
  const kernel = await createTestKernel({ plugins: [pipelinePlugin, storage, storeMemory, catalog] });
  const empty = tempDir();
  const none = await command(kernel, 'pipelines import', [empty]);
  assert.is(none.code, 1);
  assert.is(none.stdout, `  ✗ ${empty}: [CATALOG_NO_PIPELINES] No pipeline files (.json, .yaml, .yml) in this folder; subfolders are not searched, so name them: weft pipelines import ${empty}/*/\nimported 0, updated 0, unchanged 0, skipped 0, errors 1\n`);
  const examples = await command(kernel, 'pipelines import', ['examples/'], { json: true }, fileURLToPath(new URL('../../../../', import.meta.url)));
  assert.is(examples.code, 1);
  assert.equal(JSON.parse(examples.stdout), [{ file: EXAMPLES.replace(/\/$/, ''), action: 'error', error: { code: 'CATALOG_NO_PIPELINES', message: 'No pipeline files (.json, .yaml, .yml) in this folder; subfolders are not searched, so name them: weft pipelines import examples/*/' } }]);
  const suiteOnly = tempDir({ 'cases.json': '[]' });
  const skipped = await command(kernel, 'pipelines import', [suiteOnly]);
  assert.is(skipped.code, 1);
  assert.match(skipped.stdout, /- .*cases\.json: skipped .*\n {2}✗ .*: \[CATALOG_NO_PIPELINES\] No pipeline files \(\.json, \.yaml, \.yml\) in this folder besides cases\.json;/);
  await kernel.close();
});

imports('--json outcomes of files that fail give the path of the offending field when there is one', async () => {
  const kernel = await createTestKernel({ plugins: [pipelinePlugin, storage, storeMemory, catalog] });
  const json = await command(kernel, 'pipelines import', [join(FIXTURES, 'ghost.json'), join(FIXTURES, 'nope.json')], { json: true });
  assert.is(json.code, 1);
  const [ghost, nope] = JSON.parse(json.stdout) as Array<{ error: { code: string; message: string; path?: string } }>;
  assert.equal(ghost!.error, { code: 'PIPELINE_UNKNOWN_STEP', message: 'flow.transitions[0].to: transition to unknown step "nowhere" (use a step id, end, end_with_success or end_with_failure)', path: 'flow.transitions[0].to' });
  assert.is(nope!.error.code, 'PIPELINE_FILE_UNREADABLE');
  assert.not.ok('path' in nope!.error);
  await kernel.close();
});

imports('an empty catalogue says how to fill it', async () => {
  const kernel = await createTestKernel({ plugins: [pipelinePlugin, storage, storeMemory, catalog] });
  assert.match((await command(kernel, 'pipelines list', [])).stdout, /The catalogue is empty/);
  await kernel.close();
});

imports.run();
