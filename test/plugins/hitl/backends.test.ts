// The acceptance on every storage backend: process A runs a pipeline that suspends and
// closes; process B (a second kernel on the same storage) lists and responds, the run completes in
// B, a second respond is refused, and an expired interaction takes its default. Memory storage lives
// in one kernel, so there A and B are the same kernel.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { JsonObject } from '../../../kernel/index.js';
import type { Kernel } from '../../../kernel/kernel.js';
import { createTestKernel, databaseUrl, redisUrl, requireServer } from '../../../kernel/testing.js';
import checkpoint from '../../../plugins/checkpoint/index.js';
import hitl from '../../../plugins/hitl/index.js';
import pipeline from '../../../plugins/pipeline/index.js';
import storage from '../../../plugins/storage/index.js';
import storeMemory from '../../../plugins/store-memory/index.js';
import storeRedis from '../../../plugins/store-redis/index.js';
import storeSql from '../../../plugins/store-sql/index.js';
import { openPostgres } from '../../../plugins/store-sql/postgres.js';
import { dropPrefix, rawClient } from '../store-redis/support.js';
import { APPROVE_FORM, REVIEW, reviewPipeline } from './support.js';

interface Backend {
  name: string;
  available: boolean;
  /** Plugins and kernel config of a kernel on this storage. */
  kernel(): { plugins: unknown[]; config: JsonObject };
  shared: boolean;
  cleanup(): Promise<void>;
}

const dataDir = await mkdtemp(join(tmpdir(), 'weft-hitl-backends-'));
const schema = `weft_hitl_test_${process.pid}`;
const prefix = `weft-hitl-test-${process.pid}:`;
const core: unknown[] = [pipeline, storage, storeMemory, checkpoint, hitl];
const stores = (kind: string) => ({ storage: { runs: kind, kv: kind } });

const backends: Backend[] = [
  { name: 'memory', available: true, shared: false, kernel: () => ({ plugins: core, config: { plugins: stores('memory') } }), cleanup: async () => undefined },
  {
    name: 'pglite',
    available: true,
    shared: true,
    kernel: () => ({ plugins: [...core, storeSql], config: { data_dir: dataDir, plugins: stores('pglite') } }),
    cleanup: () => rm(dataDir, { recursive: true, force: true }),
  },
  {
    name: 'postgres',
    available: await requireServer('postgres'),
    shared: true,
    kernel: () => ({ plugins: [...core, storeSql], config: { database_url: databaseUrl(), plugins: { ...stores('postgres'), 'store-sql': { schema } } } }),
    async cleanup() {
      const db = await openPostgres(databaseUrl(), { schema, connectTimeoutMs: 5000 });
      await db.rows(sql`drop schema if exists ${sql.identifier(schema)} cascade`);
      await db.close();
    },
  },
  {
    name: 'redis',
    available: await requireServer('redis'),
    shared: true,
    kernel: () => ({ plugins: [...core, storeRedis], config: { redis_url: redisUrl(), plugins: { ...stores('redis'), 'store-redis': { prefix } } } }),
    async cleanup() {
      const raw = rawClient();
      await dropPrefix(raw, prefix);
      raw.disconnect();
    },
  },
];

const boot = (b: Backend): Promise<Kernel> => createTestKernel(b.kernel() as never);
const code = (p: Promise<unknown>): Promise<string> => p.then(() => 'resolved', (e: { code: string }) => e.code);

for (const backend of backends) {
  const test = suite(`hitl on ${backend.name} storage`);
  (backend.available ? test : test.skip)('A suspends and exits; B lists, responds and completes the run; a second respond is refused; an expired interaction takes its default', async () => {
    const a = await boot(backend);
    const run = (review: JsonObject) => reviewPipeline(review).then((file) => a.services.get('pipeline').run(file, { input: { text: 'hello' } }));
    const waiting = await run(REVIEW);
    const expiring = await run({ step_class: 'TimeBoxedDecision', config: { timeout_seconds: 0.05, default_action: 'approve', ui_schema: APPROVE_FORM } });
    assert.equal([waiting.status, expiring.status], ['waiting_for_input', 'waiting_for_input']);
    if (backend.shared) await a.close();

    const b = backend.shared ? await boot(backend) : a;
    const service = b.services.get('hitl');
    const [it] = await service.list({ run_id: waiting.run_id });
    assert.is(it?.id, `${waiting.run_id}:review:1`);
    let started = 0;
    (globalThis as { __hitlStarted?: () => void }).__hitlStarted = () => void (started = performance.now());
    const before = performance.now();
    const result = await service.respond(it!.id, { decision: 'approve', comments: 'ok' }, { actor: 'ada' });
    const ms = started - before;
    delete (globalThis as { __hitlStarted?: unknown }).__hitlStarted;
    process.stderr.write(`hitl on ${backend.name}: respond → next step started in ${ms.toFixed(1)} ms\n`);
    assert.is(result.status, 'completed');
    const response = { decision: 'approve', comments: 'ok' };
    assert.equal(result.output, { published: { text: 'hello', review_content: { content: 'hello', content_type: 'string' }, ...response, human_input: response, interaction_id: it!.id } });
    assert.is(await code(service.respond(it!.id, response, { actor: 'bob' })), 'HITL_ALREADY_ANSWERED');

    await new Promise((r) => setTimeout(r, 60));
    assert.equal(await service.list({ run_id: expiring.run_id }), []);
    const runs = await b.services.get('storage').runs();
    assert.is((await runs.get(expiring.run_id))?.status, 'completed');
    const resumed = (await runs.events(expiring.run_id)).find((e) => e.type === 'run.resumed');
    assert.equal(resumed?.type === 'run.resumed' && [resumed.actor, resumed.response], ['system:timeout', { decision: 'approve' }]);
    await b.close();
  });
  test.after(() => backend.cleanup());
  test.run();
}
