import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { WeftError } from '../../../kernel/index.js';
import type { Kernel } from '../../../kernel/kernel.js';
import { createTestKernel } from '../../../kernel/testing.js';
import { command } from '../../support/commands.js';
import catalog from '../../../plugins/catalog/index.js';
import { contentHash } from '../../../plugins/pipeline/hash.js';
import pipelinePlugin from '../../../plugins/pipeline/index.js';
import storage from '../../../plugins/storage/index.js';
import storeMemory from '../../../plugins/store-memory/index.js';

const FIXTURES = fileURLToPath(new URL('../../../../test/fixtures/pipelines/catalog/', import.meta.url));

/** A one-step pipeline whose output says which stored document ran. */
const greet = (version: string, mark: string) => ({ name: 'greet', version, steps: [{ id: 'hello', step_class: 'Hello', module: './steps.mjs' }], flow: { start_at: 'hello' }, outputs: { mark } });

/** Stores definitions in order (revisions 1, 2, …), as imports of changed files would. */
async function boot(...definitions: Array<Record<string, unknown>>): Promise<Kernel> {
  const kernel = await createTestKernel({ plugins: [pipelinePlugin, storage, storeMemory, catalog] });
  const store = await kernel.services.get('storage').catalog();
  for (const definition of definitions) {
    await store.put({ name: String(definition['name']), version: String(definition['version']), hash: contentHash(definition), definition, source: join(FIXTURES, 'greet.json') });
  }
  return kernel;
}

/** What `weft run <reference> --json` printed as the run's output, or the code of the error it threw. */
async function run(kernel: Kernel, reference: string): Promise<unknown> {
  try {
    return JSON.parse((await command(kernel, 'run', [reference], { json: true }, FIXTURES)).stdout).output;
  } catch (e: unknown) {
    return (e as WeftError).code;
  }
}

const lookup = suite('catalog: weft run <name>[@revision|@version]');

lookup('@version runs the latest revision declaring that version; @revision runs that revision', async () => {
  const kernel = await boot(greet('1.0.0', 'first'), greet('1.1.0', 'second'), greet('1.0.0', 'third'));
  assert.equal(await run(kernel, 'greet@1.0.0'), { mark: 'third' });
  assert.equal(await run(kernel, 'greet@1.1.0'), { mark: 'second' });
  assert.equal(await run(kernel, 'greet@1'), { mark: 'first' });
  assert.equal(await run(kernel, 'greet@2'), { mark: 'second' });
  assert.equal(await run(kernel, 'greet'), { mark: 'third' });
  await kernel.close();
});

lookup('digits are a revision when that revision is stored, else a version', async () => {
  const kernel = await boot(greet('7', 'first'), greet('1', 'second'));
  assert.equal(await run(kernel, 'greet@1'), { mark: 'first' });
  assert.equal(await run(kernel, 'greet@7'), { mark: 'first' });
  assert.equal(await run(kernel, 'greet@2'), { mark: 'second' });
  // Too many digits for a revision column: only ever a version, so no store is asked for revision 10¹⁰.
  assert.is(await run(kernel, 'greet@9999999999'), 'CATALOG_NOT_FOUND');
  await kernel.close();
});

lookup('an unknown name, revision or version is CATALOG_NOT_FOUND listing what the name has', async () => {
  const kernel = await boot(greet('1.0.0', 'first'), greet('1.1.0', 'second'));
  const failure = (reference: string): Promise<WeftError> => command(kernel, 'run', [reference], {}, FIXTURES).then(
    () => assert.unreachable() as never,
    (e: WeftError) => e,
  );
  for (const reference of ['greet@9', 'greet@0', 'greet@2.0.0', 'greet@']) {
    const error = await failure(reference);
    assert.is(error.code, 'CATALOG_NOT_FOUND', reference);
    assert.is(error.message, `"${reference}" is not a file, and pipeline "greet" has no revision or version "${reference.slice(6)}" in the catalogue; stored: greet@2 (version 1.1.0), greet@1 (version 1.0.0)`);
    assert.equal(error.data, { name: 'greet', revisions: [{ revision: 2, version: '1.1.0' }, { revision: 1, version: '1.0.0' }] });
  }
  const unknown = await failure('nosuch');
  assert.is(unknown.message, '"nosuch" is neither a file nor a pipeline in the catalogue; `weft pipelines list` shows the catalogue, `weft pipelines import <dir>` adds to it');
  assert.equal(unknown.data, { name: 'nosuch', revisions: [] });
  const revision = await kernel.services.get('pipelineCatalog').revision('greet', 3).then(
    () => assert.unreachable() as never,
    (e: WeftError) => e,
  );
  assert.is(revision.code, 'CATALOG_NOT_FOUND');
  assert.match(revision.message, /^The catalogue has no revision 3 of pipeline "greet"; stored: greet@2/);
  assert.is((await kernel.services.get('pipelineCatalog').revision('greet', 1)).version, '1.0.0');
  await kernel.close();
});

lookup('an argument that looks like a path is a missing file unless the catalogue has that very name', async () => {
  const kernel = await boot(greet('1.0.0', 'first'), { ...greet('1', 'slashed'), name: 'team/greet' }, { ...greet('1', 'dotted'), name: 'greet.yaml' });
  for (const missing of ['nosuch.json', 'nosuch.YML', 'dir/nosuch', 'dir\\nosuch', 'greet.json@1']) {
    assert.is(await run(kernel, missing), missing === 'greet.json@1' ? 'CATALOG_NOT_FOUND' : 'PIPELINE_FILE_UNREADABLE', missing);
  }
  assert.equal(await run(kernel, 'team/greet'), { mark: 'slashed' });
  assert.equal(await run(kernel, 'team/greet@1'), { mark: 'slashed' });
  assert.equal(await run(kernel, 'greet.yaml'), { mark: 'dotted' });
  assert.equal(await run(kernel, 'greet.json'), { greeting: 'hello world' });
  await kernel.close();
});

lookup.run();
