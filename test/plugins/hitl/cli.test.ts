// The acceptance through real processes: `weft run` (process A) suspends and exits; later `weft
// hitl …` processes list, answer and expire on the same storage — embedded PGlite, and PostgreSQL.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { JsonObject } from '../../../kernel/index.js';
import { databaseUrl, requireServer } from '../../../kernel/testing.js';
import { openPostgres } from '../../../plugins/store-sql/postgres.js';
import { REVIEW, reviewPipeline } from './support.js';

const WEFT = fileURLToPath(new URL('../../../../bin/weft.js', import.meta.url));
const { DATABASE_URL: _d, REDIS_URL: _r, ...env } = process.env;

/** Runs `weft …` in `cwd` as its own process. */
async function weft(cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, [WEFT, ...args], { cwd, env: { ...env, NO_COLOR: '1' } }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

const schema = `weft_hitl_cli_${process.pid}`;
const variants: { name: string; available: boolean; config: JsonObject; cleanup(): Promise<void> }[] = [
  { name: 'PGlite', available: true, config: {}, cleanup: async () => undefined },
  {
    name: 'PostgreSQL',
    available: await requireServer('postgres'),
    config: { database_url: databaseUrl(), plugins: { 'store-sql': { schema } } },
    async cleanup() {
      const db = await openPostgres(databaseUrl(), { schema, connectTimeoutMs: 5000 });
      await db.rows(sql`drop schema if exists ${sql.identifier(schema)} cascade`);
      await db.close();
    },
  },
];

for (const variant of variants) {
  const cli = suite(`hitl: weft processes on ${variant.name}`);
  (variant.available ? cli : cli.skip)('A suspends and exits; B lists and responds; a second respond is refused; an expired interaction takes its default', async () => {
    const review = await reviewPipeline(REVIEW);
    const cwd = dirname(review);
    await writeFile(join(cwd, 'weft.config.json'), JSON.stringify(variant.config));
    const timed = await reviewPipeline({ step_class: 'TimeBoxedDecision', config: { timeout_seconds: 0.5, default_action: 'approve' } }, 'timed');
    const runId = `cli-${process.pid}-${Date.now()}`;

    const a = await weft(cwd, 'run', review, '--run-id', runId, '--input', '{"text":"hello"}');
    assert.is(a.code, 0, a.stderr);
    assert.match(a.stdout, 'waiting_for_input');
    assert.is((await weft(cwd, 'run', timed, '--run-id', `${runId}-timed`)).code, 0);

    const id = `${runId}:review:1`;
    const listed = JSON.parse((await weft(cwd, 'hitl', 'list', '--json')).stdout) as { id: string }[];
    assert.ok(listed.some((it) => it.id === id));
    const bad = await weft(cwd, 'hitl', 'respond', id, '--input', '{oops');
    assert.equal([bad.code, bad.stderr.startsWith('error [HITL_INPUT_MALFORMED]')], [2, true]);

    const b = await weft(cwd, 'hitl', 'respond', id, '--input', '{"decision":"approve"}', '--as', 'ada', '--json');
    assert.is(b.code, 0, b.stderr);
    const result = JSON.parse(b.stdout) as { status: string; output: JsonObject };
    assert.is(result.status, 'completed');
    assert.equal((result.output['published'] as JsonObject)['human_input'], { decision: 'approve' });
    const again = await weft(cwd, 'hitl', 'respond', id, '--input', '{"decision":"reject"}');
    assert.equal([again.code, again.stderr.trim()], [1, `error [HITL_ALREADY_ANSWERED]: Interaction "${id}" was answered by ada; nothing was changed`]);

    await new Promise((r) => setTimeout(r, 600));
    assert.is((await weft(cwd, 'hitl', 'list')).stdout, 'No interactions are waiting.\n');
    const expired = JSON.parse((await weft(cwd, 'runs', 'show', `${runId}-timed`, '--json')).stdout) as { status: string; steps: Record<string, JsonObject> };
    assert.equal([expired.status, expired.steps['review']?.['decision']], ['completed', 'approve']);
    await rm(cwd, { recursive: true, force: true });
    await rm(dirname(timed), { recursive: true, force: true });
  });
  cli.after(() => variant.cleanup());
  cli.run();
}
