import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { definePlugin, type StoreBackend } from '../../../kernel/index.js';
import { createTestKernel } from '../../../kernel/testing.js';
import storage from '../../../plugins/storage/index.js';

/** A backend plugin of the given kind whose stores are tagged objects (selection is what is tested). */
function backendPlugin(kind: string) {
  const backend: StoreBackend = {
    kind,
    describe: () => `${kind} place`,
    runs: async () => ({ kind, store: 'runs' }) as never,
    memory: async () => ({ kind, store: 'memory' }) as never,
    kv: async () => ({ kind, store: 'kv' }) as never,
    catalog: async () => ({ kind, store: 'catalog' }) as never,
    records: async () => ({ kind, store: 'records' }) as never,
  };
  return definePlugin({ name: `backend-${kind}`, version: '1.0.0', kernel: '^1', dependsOn: ['storage'], setup: (ctx) => ctx.services.get('storage').register(backend) });
}

/** The innermost coded error of a failed boot (the kernel wraps a plugin's error as its cause). */
async function bootFailure(booting: Promise<unknown>): Promise<{ code: string; path?: string; message: string }> {
  let error = (await booting.then(() => assert.unreachable('boot should fail'), (e: unknown) => e)) as { code: string; message: string; cause?: unknown };
  while (error.cause && typeof (error.cause as { code?: unknown }).code === 'string') error = error.cause as typeof error;
  return error;
}

const select = suite('storage: picking a backend per store');

select('auto prefers PostgreSQL, then PGlite, then memory', async () => {
  for (const [kinds, expected] of [[['memory', 'pglite', 'postgres'], 'postgres'], [['memory', 'pglite'], 'pglite'], [['memory'], 'memory']] as const) {
    const kernel = await createTestKernel({ plugins: [storage, ...kinds.map(backendPlugin)] });
    const service = kernel.services.get('storage');
    assert.equal(await service.runs(), { kind: expected, store: 'runs' });
    assert.equal(await service.memory(), { kind: expected, store: 'memory' });
    assert.equal(await service.kv(), { kind: expected, store: 'kv' });
    assert.equal(await service.catalog(), { kind: expected, store: 'catalog' });
    assert.equal(await service.records(), { kind: expected, store: 'records' });
    assert.equal(service.describe(), { runs: `${expected} (${expected} place)`, memory: `${expected} (${expected} place)`, kv: `${expected} (${expected} place)`, catalog: `${expected} (${expected} place)`, records: `${expected} (${expected} place)` });
    await kernel.close();
  }
});

select('configuration picks a backend per store; sql means PostgreSQL or PGlite', async () => {
  const kernel = await createTestKernel({
    plugins: [storage, backendPlugin('memory'), backendPlugin('pglite'), backendPlugin('redis')],
    config: { plugins: { storage: { runs: 'redis', memory: 'memory', kv: 'sql' } } },
  });
  const service = kernel.services.get('storage');
  assert.equal([(await service.runs()) as unknown, await service.memory(), await service.kv(), await service.catalog(), await service.records()], [
    { kind: 'redis', store: 'runs' },
    { kind: 'memory', store: 'memory' },
    { kind: 'pglite', store: 'kv' },
    { kind: 'pglite', store: 'catalog' },
    { kind: 'pglite', store: 'records' },
  ]);
  await kernel.close();
});

select('a choice nobody provides fails the boot with a coded error naming the config path', async () => {
  const error = await bootFailure(createTestKernel({ plugins: [storage, backendPlugin('memory')], config: { plugins: { storage: { runs: 'redis' } } } }));
  assert.is(error.code, 'STORAGE_UNAVAILABLE');
  assert.is(error.path, 'plugins.storage.runs');
  assert.match(error.message, /registered: memory/);
  assert.match((await bootFailure(createTestKernel({ plugins: [storage] }))).message, /registered: none/);
});

select('an unknown choice is a config error; two backends of one kind are refused', async () => {
  const bad = await bootFailure(createTestKernel({ plugins: [storage, backendPlugin('memory')], config: { plugins: { storage: { runs: 'mongo' } } } }));
  assert.is(bad.code, 'KERNEL_CONFIG_INVALID');
  assert.match(bad.message, /plugins\.storage\.runs/);
  const twice = definePlugin({ name: 'second-memory', version: '1.0.0', kernel: '^1', dependsOn: ['backend-memory'], setup: (ctx) => ctx.services.get('storage').register({ kind: 'memory' } as StoreBackend) });
  const dup = await bootFailure(createTestKernel({ plugins: [storage, backendPlugin('memory'), twice] }));
  assert.is(dup.code, 'STORAGE_DUPLICATE_BACKEND');
});

select.run();
