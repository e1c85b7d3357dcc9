// The CatalogStore contract (stored pipeline definitions, kernel/contracts/stores.ts), run
// unchanged against every backend.
import * as assert from 'uvu/assert';
import type { CatalogEntry, CatalogStore } from '../../kernel/index.js';
import { HOSTILE, storeSuite, type OpenStore } from './harness.js';

/** A definition whose content (and so its hash) depends on `n`. */
function definition(name: string, n: number): { name: string; version: string; hash: string; definition: Record<string, unknown> } {
  const doc = { name, version: `1.${n}.0`, steps: [{ id: 'a', step_class: 'Echo', config: { n, text: 'é ✓', list: [1, null, true] } }], flow: { start_at: 'a', transitions: [] } };
  return { name, version: doc.version, hash: `sha256-${name}-${n}`, definition: doc };
}

/** Defines and runs the pipeline catalogue store contract suite against one backend. */
export function catalogStoreContract(name: string, open: OpenStore<CatalogStore>): void {
  const { test, run } = storeSuite(`${name}: catalog store contract`, open);

  test('put imports revision 1, is a no-op on the same hash, and adds revision 2 on a new one', async ({ store }) => {
    const before = Date.now();
    const first = await store.put({ ...definition('greet', 1), source: 'pipelines/greet.json' });
    assert.is(first.action, 'imported');
    const { created_at } = first.entry;
    assert.equal(first.entry, { name: 'greet', revision: 1, version: '1.1.0', hash: 'sha256-greet-1', definition: definition('greet', 1).definition, source: 'pipelines/greet.json', created_at });
    assert.is(new Date(created_at).toISOString(), created_at);
    assert.ok(Date.parse(created_at) >= before - 1000 && Date.parse(created_at) <= Date.now() + 1000);

    const again = await store.put({ ...definition('greet', 1), source: 'elsewhere.json' });
    assert.equal(again, { entry: first.entry, action: 'unchanged' });

    const second = await store.put(definition('greet', 2));
    assert.is(second.action, 'updated');
    assert.equal(second.entry, { name: 'greet', revision: 2, version: '1.2.0', hash: 'sha256-greet-2', definition: definition('greet', 2).definition, created_at: second.entry.created_at });
    assert.is('source' in second.entry, false);
  });

  test('get: the latest revision, or a given one', async ({ store }) => {
    const one = (await store.put(definition('greet', 1))).entry;
    const two = (await store.put(definition('greet', 2))).entry;
    assert.equal(await store.get('greet'), two);
    assert.equal(await store.get('greet', 1), one);
    assert.equal(await store.get('greet', 2), two);
    assert.is(await store.get('greet', 3), undefined);
    assert.is(await store.get('greet', 0), undefined);
    assert.is(await store.get('nope'), undefined);
    assert.is(await store.get('nope', 1), undefined);
  });

  test('only the latest revision is compared: going back to old content is a new revision', async ({ store }) => {
    await store.put(definition('greet', 1));
    await store.put(definition('greet', 2));
    const back = await store.put(definition('greet', 1));
    assert.is(back.action, 'updated');
    assert.is(back.entry.revision, 3);
    assert.equal((await store.get('greet'))!.definition, definition('greet', 1).definition);
    assert.is((await store.put(definition('greet', 1))).action, 'unchanged');
  });

  test('list: the latest revision of every pipeline, by name', async ({ store }) => {
    assert.equal(await store.list(), []);
    await store.put(definition('beta', 1));
    await store.put(definition('alpha', 1));
    await store.put(definition('alpha', 2));
    await store.put(definition('gamma', 1));
    await store.put(definition('beta', 1));
    const listed = await store.list();
    assert.equal(listed.map((e: CatalogEntry) => [e.name, e.revision, e.hash]), [
      ['alpha', 2, 'sha256-alpha-2'],
      ['beta', 1, 'sha256-beta-1'],
      ['gamma', 1, 'sha256-gamma-1'],
    ]);
    assert.equal(listed[0], await store.get('alpha'));
  });

  test('stored definitions are copies', async ({ store }) => {
    const input = definition('greet', 1);
    const { entry } = await store.put(input);
    (input.definition['steps'] as unknown[]).push('added');
    entry.definition['name'] = 'mutated';
    const read = (await store.get('greet'))!;
    (read.definition['flow'] as Record<string, unknown>)['start_at'] = 'b';
    assert.equal((await store.get('greet'))!.definition, definition('greet', 1).definition);
  });

  test('hostile pipeline names are stored and matched literally', async ({ store }) => {
    for (const name of HOSTILE) await store.put(definition(name, 1));
    for (const name of HOSTILE) {
      assert.is((await store.get(name))!.name, name, name);
      assert.is((await store.get(name, 1))!.hash, `sha256-${name}-1`, name);
    }
    assert.is((await store.put(definition('*', 2))).entry.revision, 2);
    assert.is((await store.get('a*'))!.revision, 1);
    assert.is((await store.get('weft:*'))!.revision, 1);
    assert.is((await store.list()).length, HOSTILE.length);
    assert.equal((await store.list()).map((e) => e.name).sort(), [...HOSTILE].sort());
  });

  run();
}
