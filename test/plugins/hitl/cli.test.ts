// The acceptance through real processes: `weft run` (process A) suspends and exits; later `weft
// hitl …` processes list, answer and expire on the same storage — embedded PGlite, and PostgreSQL.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { sql } from 'drizzle-orm';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { JsonObject } from '../../../kernel/index.js';
import { databaseUrl, requireServer } from '../../../kernel/testing.js';
import { openPostgres } from '../../../plugins/store-sql/postgres.js';
import type { Interaction } from '../../../plugins/hitl/interactions.js';
import { APPROVE_FORM, fanOutPipeline, REVIEW, reviewPipeline } from './support.js';
import { weftProcess } from '../../support/weft-process.js';

/** Runs `weft …` in `cwd` as its own process. */
const weft = (cwd: string, ...args: string[]) => weftProcess(cwd, args);

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
    const timed = await reviewPipeline({ step_class: 'TimeBoxedDecision', config: { timeout_seconds: 0.5, default_action: 'approve', ui_schema: APPROVE_FORM } }, 'timed');
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
  (variant.available ? cli : cli.skip)('two branches waiting at once: both listed and answered on their own; weft resume refuses the waiting run and extends no deadline', async () => {
    const fan = await fanOutPipeline({ timeout_seconds: 600 });
    const cwd = dirname(fan);
    await writeFile(join(cwd, 'weft.config.json'), JSON.stringify(variant.config));
    const runId = `fan-${process.pid}-${Date.now()}`;
    const [legal, brand] = [`${runId}:legal:1`, `${runId}:brand:1`];
    const waiting = async () => (JSON.parse((await weft(cwd, 'hitl', 'list', '--json')).stdout) as Interaction[]).filter((it) => it.run_id === runId);

    assert.match((await weft(cwd, 'run', fan, '--run-id', runId)).stdout, 'waiting_for_input');
    const asked = await waiting();
    assert.equal(asked.map((it) => it.id).sort(), [brand, legal]);
    const shown = await weft(cwd, 'hitl', 'show', legal);
    assert.equal([shown.code, shown.stdout.startsWith(`${legal}  fan/legal  legal sign-off?`)], [0, true], shown.stderr);

    const resumed = await weft(cwd, 'resume', runId);
    assert.is(resumed.code, 1);
    assert.match(resumed.stderr, `error [PIPELINE_RESUME_WAITING]: Run ${runId} is waiting for input at "${legal}", "${brand}"; answer with \`weft hitl respond <interaction> --input <json>\``);
    assert.equal(await waiting(), asked);

    const partial = await weft(cwd, 'hitl', 'respond', brand, '--input', '{"ok":"brand"}', '--as', 'bo', '--json');
    assert.is((JSON.parse(partial.stdout) as { status: string }).status, 'waiting_for_input', partial.stderr);
    assert.equal(await waiting(), asked.filter((it) => it.id === legal));

    const done = await weft(cwd, 'hitl', 'respond', legal, '--input', '{"ok":"legal"}', '--as', 'al', '--json');
    const result = JSON.parse(done.stdout) as { status: string; steps: Record<string, JsonObject> };
    assert.equal([result.status, result.steps['legal']?.['human_input'], result.steps['brand']?.['human_input']], ['completed', { ok: 'legal' }, { ok: 'brand' }]);
    await rm(cwd, { recursive: true, force: true });
  });

  (variant.available ? cli : cli.skip)('an interaction that expired without a default fails its run; weft resume asks again and the new question is answerable', async () => {
    const file = await reviewPipeline({ step_class: 'HumanInput', config: { prompt: 'Publish?', timeout_seconds: 3 } }, 'expiring');
    const cwd = dirname(file);
    await writeFile(join(cwd, 'weft.config.json'), JSON.stringify(variant.config));
    const runId = `expiring-${process.pid}-${Date.now()}`;
    const id = `${runId}:review:1`;
    assert.is((await weft(cwd, 'run', file, '--run-id', runId)).code, 0);
    await new Promise((r) => setTimeout(r, 3000));
    const late = await weft(cwd, 'hitl', 'respond', id, '--input', '{"decision":"approve"}');
    assert.equal([late.code, late.stderr.startsWith(`error [HITL_EXPIRED]: Interaction "${id}" expired`)], [1, true], late.stderr);
    assert.is((JSON.parse((await weft(cwd, 'runs', 'show', runId, '--json')).stdout) as { status: string }).status, 'failed');

    const resumed = await weft(cwd, 'resume', runId, '--json');
    assert.is((JSON.parse(resumed.stdout) as { status: string }).status, 'waiting_for_input', resumed.stderr);
    const answered = await weft(cwd, 'hitl', 'respond', id, '--input', '{"decision":"approve"}', '--json');
    const result = JSON.parse(answered.stdout) as { status: string; output: JsonObject };
    assert.equal([result.status, (result.output['published'] as JsonObject)['human_input']], ['completed', { decision: 'approve' }], answered.stderr);
    await rm(cwd, { recursive: true, force: true });
  });

  (variant.available ? cli : cli.skip)('weft validate reports a bad hitl step config at its full path', async () => {
    const file = await reviewPipeline({ step_class: 'HumanInput', config: { timeout_seconds: '1', ui_schema: { fields: [{ name: 'n', type: 'numbr' }] } } }, 'bad');
    const cwd = dirname(file);
    await writeFile(join(cwd, 'weft.config.json'), JSON.stringify(variant.config));
    const timed = JSON.parse(await readFile(file, 'utf8')) as { steps: JsonObject[] };
    timed.steps.push({ id: 'urgent', step_class: 'TimeBoxedDecision', config: { timeout_seconds: 5 } }, { id: 'form', step_class: 'HumanInput', config: { ui_schema: APPROVE_FORM, default_action: { decision: 'maybe' } } });
    await writeFile(file, JSON.stringify(timed));
    const checked = await weft(cwd, 'validate', file, '--json');
    const report = JSON.parse(checked.stdout) as { valid: boolean; errors: { code: string; path: string }[] };
    assert.equal([checked.code, report.valid], [1, false]);
    assert.equal(report.errors.map((e) => [e.code, e.path]), [
      ['HITL_STEP_CONFIG', 'steps[1].config.timeout_seconds'],
      ['HITL_STEP_CONFIG', 'steps[1].config.ui_schema.fields[0].type'],
      ['HITL_STEP_CONFIG', 'steps[4].config.default_action'],
      ['HITL_STEP_CONFIG', 'steps[5].config.default_action.decision'],
    ]);
    const run = await weft(cwd, 'run', file);
    assert.equal([run.code, run.stderr.includes('steps[1].config.timeout_seconds')], [1, true], run.stderr);
    await rm(cwd, { recursive: true, force: true });
  });

  cli.after(() => variant.cleanup());
  cli.run();
}
