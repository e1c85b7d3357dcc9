import { mkdtemp, rename, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { JsonObject, RunEvent } from '../../../kernel/index.js';
import type { Kernel } from '../../../kernel/kernel.js';
import { APPROVE_FORM, boot, fanOutPipeline, REVIEW, reviewPipeline } from './support.js';

const code = (p: Promise<unknown>): Promise<string> => p.then(() => 'resolved', (e: { code: string }) => e.code);
const status = async (kernel: Kernel, runId: string): Promise<string | undefined> => (await (await kernel.services.get('storage').runs()).get(runId))?.status;
const events = async (kernel: Kernel, runId: string): Promise<RunEvent[]> => (await kernel.services.get('storage').runs()).events(runId);

async function suspend(kernel: Kernel, review: JsonObject = REVIEW, input: JsonObject = { text: 'hello' }): Promise<{ runId: string; file: string }> {
  const file = await reviewPipeline(review);
  const result = await kernel.services.get('pipeline').run(file, { input });
  assert.is(result.status, 'waiting_for_input');
  return { runId: result.run_id, file };
}

const service = suite('hitl: the service');

service('a response resumes the run, merged into the step output; the audit is in run.resumed; a second response is refused', async () => {
  const kernel = await boot();
  const hitl = kernel.services.get('hitl');
  const { runId } = await suspend(kernel);
  const [it] = await hitl.list();
  const id = `${runId}:review:1`;
  assert.equal([it?.id, it?.run_id, it?.pipeline, it?.step_id, it?.prompt, it?.expires_at], [id, runId, 'review', 'review', 'Publish this?', undefined]);
  assert.equal(it?.ui_schema.fields?.map((f) => f.name), ['decision', 'comments']);
  assert.equal(it?.ui_schema['review_content'], { content: 'hello', content_type: 'string' });
  assert.equal((await hitl.get(id)).id, id);

  const result = await hitl.respond(id, { decision: 'approve', comments: 'fine' }, { actor: 'ada' });
  assert.is(result.status, 'completed');
  assert.equal(result.execution_path, ['draft', 'review', 'publish']);
  const response = { decision: 'approve', comments: 'fine' };
  assert.equal(result.steps['review'], { text: 'hello', review_content: { content: 'hello', content_type: 'string' }, ...response, human_input: response, interaction_id: id });
  const resumed = (await events(kernel, runId)).find((e) => e.type === 'run.resumed');
  assert.equal(resumed?.type === 'run.resumed' && [resumed.actor, resumed.response, resumed.interaction_id, typeof resumed.at], ['ada', response, id, 'number']);

  assert.equal(await hitl.list(), []);
  assert.is(await code(hitl.respond(id, response, { actor: 'bob' })), 'HITL_ALREADY_ANSWERED');
  assert.is(await code(hitl.get(id)), 'HITL_ALREADY_ANSWERED');
  assert.is(await code(hitl.get('nope')), 'HITL_NOT_FOUND');
  assert.is(await code(hitl.respond('nope', {})), 'HITL_NOT_FOUND');
  assert.is(await code(hitl.get('nope:review:1')), 'HITL_NOT_FOUND');
  assert.is((await events(kernel, runId)).filter((e) => e.type === 'run.resumed').length, 1);
  await kernel.close();
});

service('of two concurrent responders exactly one resumes the run', async () => {
  const kernel = await boot();
  const hitl = kernel.services.get('hitl');
  const { runId } = await suspend(kernel);
  const id = `${runId}:review:1`;
  const outcomes = await Promise.all([code(hitl.respond(id, { decision: 'approve' }, { actor: 'ada' })), code(hitl.respond(id, { decision: 'reject' }, { actor: 'bob' }))]);
  assert.equal(outcomes.sort(), ['HITL_ALREADY_ANSWERED', 'resolved']);
  const log = await events(kernel, runId);
  assert.is(log.filter((e) => e.type === 'run.resumed').length, 1);
  assert.is(log.at(-1)!.type, 'run.completed');
  await kernel.close();
});

service('an invalid response names the field and leaves the interaction pending; a responder must be an assignee', async () => {
  const kernel = await boot();
  const hitl = kernel.services.get('hitl');
  const { runId } = await suspend(kernel, { step_class: 'ReviewAndApprove', config: { assignees: ['ada'] } }, { content: 'c' });
  const id = `${runId}:review:1`;
  const invalid = await hitl.respond(id, { decision: 'maybe' }, { actor: 'ada' }).catch((e: { code: string; path: string }) => e);
  assert.equal([(invalid as { code: string }).code, (invalid as { path: string }).path], ['HITL_INVALID_RESPONSE', 'response.decision']);
  assert.is(await code(hitl.respond(id, { decision: 'approve' }, { actor: 'bob' })), 'HITL_NOT_ASSIGNED');
  assert.is(await code(hitl.respond(id, { decision: 'approve' })), 'HITL_NOT_ASSIGNED');
  assert.is(await status(kernel, runId), 'waiting_for_input');
  assert.is((await hitl.list({ assignee: 'bob' })).length, 0);
  assert.is((await hitl.list({ assignee: 'ada' })).length, 1);
  assert.is((await hitl.list({ run_id: runId, pipeline: 'review' })).length, 1);
  assert.is((await hitl.list({ run_id: 'other' })).length, 0);
  assert.is((await hitl.list({ pipeline: 'other' })).length, 0);
  const result = await hitl.respond(id, { decision: 'reject' }, { actor: 'ada' });
  assert.equal(result.output, { reworked: true, decision: 'reject' });
  await kernel.close();
});

service('a bare suspension (no form, no id of its own) is answered under <run>:<step>:<iteration>; unassigned interactions are listed for anyone', async () => {
  const kernel = await boot();
  const hitl = kernel.services.get('hitl');
  const { runId } = await suspend(kernel, { step_class: 'Ask', module: './steps.mjs' });
  const [it] = await hitl.list({ assignee: 'anyone' });
  assert.equal([it?.id, it?.prompt], [`${runId}:review:1`, 'Human input required']);
  const result = await hitl.respond(it!.id, { decision: 'approve' });
  assert.is(result.status, 'completed');
  const resumed = (await events(kernel, runId)).find((e) => e.type === 'run.resumed');
  assert.is(resumed?.type === 'run.resumed' && resumed.actor, 'anonymous');
  await kernel.close();
});

service('an id of its own is found among the waiting runs; an id naming a waiting run at another step is not found', async () => {
  const kernel = await boot();
  const hitl = kernel.services.get('hitl');
  const { runId } = await suspend(kernel, { step_class: 'Own', module: './steps.mjs' });
  assert.is(await code(hitl.get(`${runId}:review:2`)), 'HITL_NOT_FOUND');
  assert.is(await code(hitl.get(`${runId}:review:1`)), 'HITL_NOT_FOUND');
  assert.is((await hitl.get('ticket-7')).run_id, runId);
  assert.is((await hitl.respond('ticket-7', { decision: 'approve' })).status, 'completed');
  await kernel.close();
});

service('two branches of a fan-out waiting at once: both are listed and answered on their own; the run goes on after the last', async () => {
  const kernel = await boot();
  const hitl = kernel.services.get('hitl');
  const file = await fanOutPipeline({ timeout_seconds: 60 });
  const first = await kernel.services.get('pipeline').run(file, { input: { text: 'hello' } });
  assert.is(first.status, 'waiting_for_input');
  const [legal, brand] = [`${first.run_id}:legal:1`, `${first.run_id}:brand:1`];
  const asked = await hitl.list({ run_id: first.run_id });
  assert.equal(asked.map((it) => it.id).sort(), [brand, legal]);
  assert.is((await hitl.get(legal)).step_id, 'legal');

  const partial = await hitl.respond(brand, { ok: 'brand' }, { actor: 'bo' });
  assert.is(partial.status, 'waiting_for_input');
  const left = await hitl.list({ run_id: first.run_id });
  assert.equal(left, asked.filter((it) => it.id === legal));
  assert.is(await code(hitl.respond(brand, { ok: 'again' })), 'HITL_ALREADY_ANSWERED');

  const done = await hitl.respond(legal, { ok: 'legal' }, { actor: 'al' });
  assert.is(done.status, 'completed');
  assert.equal([done.steps['legal']?.['human_input'], done.steps['brand']?.['human_input'], done.steps['brand']?.['interaction_id']], [{ ok: 'legal' }, { ok: 'brand' }, brand]);
  const log = await events(kernel, first.run_id);
  assert.equal(log.filter((e) => e.type === 'step.started' && (e.step_id === 'legal' || e.step_id === 'brand')).length, 2);
  assert.equal(log.filter((e) => e.type === 'step.started' && e.step_id === 'slow').length, 1);
  await kernel.close();
});

service('overdue interactions of one run expire one after another; one without a default fails the run and ends it there', async () => {
  const kernel = await boot();
  const hitl = kernel.services.get('hitl');
  const pipeline = kernel.services.get('pipeline');
  const both = await pipeline.run(await fanOutPipeline({ timeout_seconds: 0.001, default_action: { ok: 'late' } }), {});
  const failing = await pipeline.run(await fanOutPipeline({ timeout_seconds: 0.001 }), {});
  await sleep(10);
  assert.equal(await hitl.list(), []);
  assert.is(await status(kernel, both.run_id), 'completed');
  const resumed = (await events(kernel, both.run_id)).filter((e) => e.type === 'run.resumed');
  assert.equal(resumed.map((e) => e.type === 'run.resumed' && [e.step_id, e.actor]), [['legal', 'system:timeout'], ['brand', 'system:timeout']]);
  assert.is(await status(kernel, failing.run_id), 'failed');
  const log = await events(kernel, failing.run_id);
  const failed = log.filter((e) => e.type === 'run.failed');
  assert.equal([failed.length, failed[0]?.type === 'run.failed' && failed[0].error.step_id, log.at(-1)?.type], [1, 'legal', 'run.failed']);
  assert.is(await code(hitl.get(`${failing.run_id}:brand:1`)), 'HITL_NOT_FOUND');
  await kernel.close();
});

service('a run failed by an expired interaction and resumed asks again under the same id, answerable with a fresh deadline', async () => {
  const kernel = await boot();
  const hitl = kernel.services.get('hitl');
  const pipeline = kernel.services.get('pipeline');
  const { runId } = await suspend(kernel, { step_class: 'HumanInput', config: { timeout_seconds: 0.2 } });
  const id = `${runId}:review:1`;
  const expired = await hitl.get(id);
  await sleep(250);
  assert.is(await code(hitl.respond(id, { decision: 'approve' })), 'HITL_EXPIRED');
  assert.is(await status(kernel, runId), 'failed');
  const waiting = await pipeline.resume(await kernel.services.get('runHistory').events(runId));
  assert.is(waiting.status, 'waiting_for_input');
  const again = await hitl.get(id);
  assert.ok(again.suspension_seq > expired.suspension_seq);
  assert.ok(again.expires_at! > expired.expires_at!);
  const result = await hitl.respond(id, { decision: 'approve' }, { actor: 'ada' });
  assert.equal([result.status, result.execution_path.at(-1)], ['completed', 'publish']);
  assert.is(await code(hitl.respond(id, { decision: 'reject' })), 'HITL_ALREADY_ANSWERED');
  await kernel.close();
});

service('resuming a waiting run without an answer is refused with PIPELINE_RESUME_WAITING; its interaction stays as it was', async () => {
  const kernel = await boot();
  const hitl = kernel.services.get('hitl');
  const { runId } = await suspend(kernel, { step_class: 'HumanInput', config: { timeout_seconds: 60 } });
  const before = await hitl.list();
  assert.is(await code(kernel.services.get('pipeline').resume(await kernel.services.get('runHistory').events(runId))), 'PIPELINE_RESUME_WAITING');
  assert.equal(await hitl.list(), before);
  await kernel.close();
});

service('cancel ends the run as cancelled; later answers and cancels are refused', async () => {
  const kernel = await boot();
  const hitl = kernel.services.get('hitl');
  const { runId } = await suspend(kernel);
  const id = `${runId}:review:1`;
  assert.equal(await hitl.cancel(id, 'no longer needed', { actor: 'ada' }), { run_id: runId, status: 'cancelled' });
  assert.is(await status(kernel, runId), 'cancelled');
  const last = (await events(kernel, runId)).at(-1)!;
  assert.equal(last.type === 'run.cancelled' && last.reason, 'no longer needed');
  assert.is(await code(hitl.respond(id, { decision: 'approve' })), 'HITL_CANCELLED');
  assert.is(await code(hitl.cancel(id)), 'HITL_CANCELLED');
  const second = await suspend(kernel);
  await hitl.cancel(`${second.runId}:review:1`);
  const reason = (await events(kernel, second.runId)).at(-1)!;
  assert.equal(reason.type === 'run.cancelled' && reason.reason, 'cancelled');
  await kernel.close();
});

service('two cancels at once: one wins', async () => {
  const kernel = await boot();
  const hitl = kernel.services.get('hitl');
  const { runId } = await suspend(kernel);
  const id = `${runId}:review:1`;
  const outcomes = await Promise.all([code(hitl.cancel(id)), code(hitl.cancel(id))]);
  assert.equal(outcomes.sort(), ['HITL_CANCELLED', 'resolved']);
  await kernel.close();
});

service('an expired interaction takes its default action once (actor system:timeout); answering it then is HITL_EXPIRED', async () => {
  const kernel = await boot();
  const hitl = kernel.services.get('hitl');
  const { runId } = await suspend(kernel, { step_class: 'TimeBoxedDecision', config: { timeout_seconds: 0.001, default_action: 'approve', ui_schema: APPROVE_FORM } });
  await sleep(10);
  const [first, second] = await Promise.all([hitl.list(), hitl.list()]);
  assert.equal([first, second], [[], []]);
  assert.is(await status(kernel, runId), 'completed');
  const log = await events(kernel, runId);
  const resumed = log.filter((e) => e.type === 'run.resumed');
  assert.is(resumed.length, 1);
  assert.equal(resumed[0]!.type === 'run.resumed' && [resumed[0]!.actor, resumed[0]!.response], ['system:timeout', { decision: 'approve' }]);
  assert.is(await code(hitl.respond(`${runId}:review:1`, { decision: 'reject' })), 'HITL_EXPIRED');

  // Noticed by respond: the default applies, the response is refused.
  const other = await suspend(kernel, { step_class: 'HumanInput', config: { timeout_seconds: 0.001, default_action: { decision: 'reject' } } });
  await sleep(10);
  assert.is(await code(hitl.respond(`${other.runId}:review:1`, { decision: 'approve' })), 'HITL_EXPIRED');
  assert.is(await status(kernel, other.runId), 'completed');
  assert.equal((await kernel.services.get('pipeline').project(await kernel.services.get('runHistory').events(other.runId))).output, { reworked: true, decision: 'reject' });
  await kernel.close();
});

service('an expired interaction without a default fails its run with HITL_EXPIRED', async () => {
  const kernel = await boot();
  const hitl = kernel.services.get('hitl');
  const { runId } = await suspend(kernel, { step_class: 'HumanInput', config: { timeout_seconds: 0.001 } });
  await sleep(10);
  assert.is(await code(hitl.get(`${runId}:review:1`)), 'HITL_EXPIRED');
  assert.is(await status(kernel, runId), 'failed');
  const last = (await events(kernel, runId)).at(-1)!;
  assert.equal(last.type === 'run.failed' && [last.error.code, last.error.step_id], ['HITL_EXPIRED', 'review']);
  await kernel.close();
});

service('with sweep_seconds a sweeper applies defaults without anyone listing; a failed sweep is logged', async () => {
  const warnings: string[] = [];
  const quiet = () => undefined;
  const kernel = await boot({ config: { hitl: { sweep_seconds: 0.01 } }, logger: { debug: quiet, info: quiet, error: quiet, warn: (m) => void warnings.push(m) } });
  const { runId } = await suspend(kernel, { step_class: 'HumanInput', config: { timeout_seconds: 0.001, default_action: { decision: 'approve' } } });
  const broken = await suspend(kernel, { step_class: 'HumanInput', config: { timeout_seconds: 0.001, default_action: { decision: 'approve' } } });
  await unlink(broken.file);
  // The sweeper runs every 10 ms; a busy machine may need many of them.
  for (let i = 0; i < 300 && !(warnings.some((w) => w.includes('hitl sweep failed')) && (await status(kernel, runId)) === 'completed'); i++) await sleep(10);
  assert.ok(warnings.some((w) => w.includes('hitl sweep failed')), JSON.stringify(warnings));
  assert.is(await status(kernel, runId), 'completed');
  assert.is(await status(kernel, broken.runId), 'waiting_for_input');
  await kernel.close();
});

service('multi-stakeholder: each stakeholder votes once; the vote that decides the rule resumes the run with every vote', async () => {
  const kernel = await boot();
  const hitl = kernel.services.get('hitl');
  const { runId } = await suspend(kernel, { step_class: 'MultiStakeholderDecision', config: { stakeholders: ['ada', 'bob', 'cy'], decision_type: 'majority' } });
  const id = `${runId}:review:1`;
  const first = await hitl.respond(id, { decision: 'approve', comments: 'yes' }, { actor: 'ada' });
  assert.is(first.status, 'waiting_for_input');
  assert.is(await code(hitl.respond(id, { decision: 'reject' }, { actor: 'ada' })), 'HITL_ALREADY_ANSWERED');
  assert.is(await code(hitl.respond(id, { decision: 'approve' }, { actor: 'dee' })), 'HITL_NOT_ASSIGNED');
  assert.is(await code(hitl.respond(id, { decision: 'maybe' }, { actor: 'bob' })), 'HITL_INVALID_RESPONSE');
  const decided = await hitl.respond(id, { decision: 'approve' }, { actor: 'bob' });
  assert.equal([decided.status, decided.execution_path.at(-1)], ['completed', 'publish']);
  const votes = { ada: { decision: 'approve', comments: 'yes' }, bob: { decision: 'approve' } };
  assert.equal((decided.steps['review'] as JsonObject)['human_input'], { decision: 'approve', decision_type: 'majority', votes });
  assert.is(await code(hitl.respond(id, { decision: 'reject' }, { actor: 'cy' })), 'HITL_ALREADY_ANSWERED');
  await kernel.close();
});

service('multi-stakeholder: of two deciding votes at once exactly one resumes; a vote decided after another claim leaves the run alone', async () => {
  const kernel = await boot();
  const hitl = kernel.services.get('hitl');
  const { runId } = await suspend(kernel, { step_class: 'MultiStakeholderDecision', config: { stakeholders: ['ada', 'bob'], decision_type: 'any' } });
  const id = `${runId}:review:1`;
  await Promise.all([hitl.respond(id, { decision: 'approve' }, { actor: 'ada' }), hitl.respond(id, { decision: 'approve' }, { actor: 'bob' })]);
  assert.is((await events(kernel, runId)).filter((e) => e.type === 'run.resumed').length, 1);
  assert.is(await status(kernel, runId), 'completed');

  const other = await suspend(kernel, { step_class: 'MultiStakeholderDecision', config: { stakeholders: ['ada'] } });
  const otherId = `${other.runId}:review:1`;
  await (await kernel.services.get('storage').kv()).set(`hitl:answer:${otherId}@${(await hitl.get(otherId)).suspension_seq}`, JSON.stringify({ kind: 'answer', by: 'elsewhere' }));
  const result = await hitl.respond(otherId, { decision: 'reject' }, { actor: 'ada' });
  assert.is(result.status, 'waiting_for_input');
  assert.is((await events(kernel, other.runId)).filter((e) => e.type === 'run.resumed').length, 0);
  await kernel.close();
});

service('a process that claimed an answer and died before resuming blocks the interaction only for the lease; a resume refused in this process gives the claim back', async () => {
  const kernel = await boot({ config: { hitl: { lease_seconds: 0.2 } } });
  const hitl = kernel.services.get('hitl');
  const { runId, file } = await suspend(kernel);
  const id = `${runId}:review:1`;
  const moved = `${file}.away`;
  await rename(file, moved); // the resume after the claim fails: the pipeline file is gone
  assert.is(await code(hitl.respond(id, { decision: 'approve' }, { actor: 'ada' })), 'PIPELINE_FILE_UNREADABLE');
  await rename(moved, file);
  // Nothing was written, so the claim was given back: the question is open at once.
  const [it] = await hitl.list();
  assert.is(it?.id, id);
  // What a process that claimed the answer and died before resuming leaves behind: its claim.
  await (await kernel.services.get('storage').kv()).setIfAbsent(`hitl:answer:${id}@${it!.suspension_seq}`, JSON.stringify({ kind: 'answer', by: 'ada' }), { ttl_seconds: 0.2 });
  assert.is(await code(hitl.respond(id, { decision: 'approve' }, { actor: 'bob' })), 'HITL_ALREADY_ANSWERED');
  await sleep(250);
  assert.is((await hitl.respond(id, { decision: 'approve' }, { actor: 'bob' })).status, 'completed');
  await sleep(250); // once run.resumed is stored the claim outlives the lease
  assert.is(await code(hitl.respond(id, { decision: 'approve' }, { actor: 'cy' })), 'HITL_ALREADY_ANSWERED');

  // A resume that carries no response (weft resume of a failed run) touches no claim.
  const failing = await suspend(kernel);
  const failed = await hitl.respond(`${failing.runId}:review:1`, { decision: 'reject', comments: 'boom' });
  assert.is(failed.status, 'failed');
  const again = await kernel.services.get('pipeline').resume(await kernel.services.get('runHistory').events(failing.runId));
  assert.is(again.status, 'failed');
  await kernel.close();
});

service('process A suspends and closes; process B (same PGlite data) lists, responds and completes the run', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'weft-hitl-data-'));
  const a = await boot({ dataDir });
  const { runId } = await suspend(a);
  await a.close();

  const b = await boot({ dataDir });
  const hitl = b.services.get('hitl');
  const [it] = await hitl.list();
  assert.is(it?.run_id, runId);
  let startedAt = 0;
  (globalThis as { __hitlStarted?: (id: string) => void }).__hitlStarted = () => void (startedAt = performance.now());
  const before = performance.now();
  const result = await hitl.respond(it!.id, { decision: 'approve' }, { actor: 'ada' });
  process.stderr.write(`hitl: respond → next step started in ${(startedAt - before).toFixed(1)} ms (PGlite)\n`);
  delete (globalThis as { __hitlStarted?: unknown }).__hitlStarted;
  assert.is(result.status, 'completed');
  assert.equal((result.output as JsonObject)['published'], { text: 'hello', review_content: { content: 'hello', content_type: 'string' }, decision: 'approve', human_input: { decision: 'approve' }, interaction_id: it!.id });
  assert.is(await code(hitl.respond(it!.id, { decision: 'approve' })), 'HITL_ALREADY_ANSWERED');
  await b.close();
  await rm(dataDir, { recursive: true, force: true });
});

service('a response refused because the run is executing elsewhere gives its claim back: answered again once the run is free', async () => {
  const kernel = await boot();
  const hitl = kernel.services.get('hitl');
  const { runId } = await suspend(kernel);
  const id = `${runId}:review:1`;
  const kv = await kernel.services.get('storage').kv();
  // Another process holds the run (as checkpoint's lease records it).
  await kv.set(`weft:run-lease:${runId}`, JSON.stringify({ token: 't', host: 'elsewhere.example', pid: 1, since: '2026-01-01T00:00:00.000Z' }));
  assert.is(await code(hitl.respond(id, { decision: 'approve' }, { actor: 'ada' })), 'CHECKPOINT_RUN_ACTIVE');
  assert.equal((await hitl.list()).map((it) => it.id), [id], 'still pending');
  assert.is((await events(kernel, runId)).filter((e) => e.type === 'run.resumed').length, 0);
  await kv.delete(`weft:run-lease:${runId}`);
  assert.is((await hitl.respond(id, { decision: 'approve' }, { actor: 'bob' })).status, 'completed');
  await kernel.close();
});

service.run();
