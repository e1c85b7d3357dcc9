import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createTestKernel } from '../../../kernel/testing.js';
import { command } from '../../support/commands.js';
import catalog from '../../../plugins/catalog/index.js';
import { canonicalJson, contentHash } from '../../../plugins/catalog/hash.js';
import pipelinePlugin from '../../../plugins/pipeline/index.js';
import storage from '../../../plugins/storage/index.js';
import storeMemory from '../../../plugins/store-memory/index.js';

const FIXTURES = fileURLToPath(new URL('../../../../test/fixtures/pipelines/catalog/', import.meta.url));


const hash = suite('catalog: content hash');

hash('the hash ignores key order and changes with content', () => {
  assert.is(canonicalJson({ b: [1, { d: 1, c: null }], a: 'x' }), '{"a":"x","b":[1,{"c":null,"d":1}]}');
  assert.is(contentHash({ a: 1, b: 2 }), contentHash({ b: 2, a: 1 }));
  assert.is.not(contentHash({ a: 1 }), contentHash({ a: 2 }));
  assert.match(contentHash({}), /^[0-9a-f]{64}$/);
});

const imports = suite('catalog: weft pipelines import, list, and run by name');

imports('importing stores new pipelines, skips unchanged ones, and makes a new revision when content changes', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'weft-catalog-'));
  await cp(FIXTURES, dir, { recursive: true });
  const kernel = await createTestKernel({ plugins: [pipelinePlugin, storage, storeMemory, catalog] });
  const first = await command(kernel, 'pipelines import', [dir]);
  assert.is(first.code, 1);
  assert.match(first.stdout, /✗ .*broken\.yaml: \[PIPELINE_SCHEMA\] flow is required/);
  assert.match(first.stdout, /✓ .*greet\.json: greet@1 imported/);
  assert.match(first.stdout, /imported 2, updated 0, unchanged 0, errors 2/);
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
  assert.is(await resolver.resolve('greet@0'), undefined);
  assert.is(await resolver.resolve('greet@x'), undefined);
  assert.is((await resolver.resolve('greet@1'))?.version, '1.0.0');
  const unknown = await command(kernel, 'run', ['nothing-by-that-name']).catch((e: { code: string }) => e.code);
  assert.is(unknown, 'PIPELINE_FILE_UNREADABLE');
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

imports('an empty catalogue says how to fill it', async () => {
  const kernel = await createTestKernel({ plugins: [pipelinePlugin, storage, storeMemory, catalog] });
  assert.match((await command(kernel, 'pipelines list', [])).stdout, /The catalogue is empty/);
  await kernel.close();
});

hash.run();
imports.run();
