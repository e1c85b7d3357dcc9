import { setTimeout as sleep } from 'node:timers/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { JsonObject, RunEvent, StepContext } from '../../../kernel/index.js';
import { bootPipeline, stepsNamed } from './support.js';

const { kernel, pipeline } = await bootPipeline();
const suspend = suite('engine: several steps waiting for people at once');

/** draft fans out to two steps that ask (legal, brand) and a slow one; publish joins the three. */
async function fanOut() {
  const asks = { legal: 0, brand: 0 };
  let slow = 0;
  const ask = (id: 'legal' | 'brand') => (_: JsonObject, ctx: StepContext) => (asks[id]++, ctx.suspend({ prompt: `${id}?`, output: { from: id } }));
  const steps = {
    draft: async () => ({ text: 'v1' }),
    legal: ask('legal'),
    brand: ask('brand'),
    slow: async () => (slow++, await sleep(30), { slow: true }),
    publish: async (input: JsonObject) => ({ published: input }),
  };
  const ids = ['draft', 'legal', 'brand', 'slow', 'publish'];
  const transitions = ['legal', 'brand', 'slow'].flatMap((to) => [{ from: 'draft', to }, { from: to, to: 'publish' }]);
  const def = await pipeline.parse({ name: 'fan', steps: stepsNamed(ids), flow: { start_at: 'draft', transitions } }, { steps });
  const history: RunEvent[] = [];
  await pipeline.run(def, { steps, onEvent: (e) => void history.push(e) });
  return { def, steps, asks, slowCalls: () => slow, history };
}

/** Resumes `history` and resolves to the result and the events the resume added. */
async function resumeLogged(fan: Awaited<ReturnType<typeof fanOut>>, history: RunEvent[], response?: { step_id: string; response: JsonObject; interaction_id?: string }) {
  const added: RunEvent[] = [];
  const result = await pipeline.resume(history, { pipeline: fan.def, steps: fan.steps, onEvent: (e) => void added.push(e), ...(response ? { response } : {}) });
  return { result, added };
}

suspend('both questions are asked and the slow branch finishes first; one answer keeps the run waiting on the other, asked once', async () => {
  const fan = await fanOut();
  const asked = fan.history.filter((e) => e.type === 'run.suspended');
  assert.equal(asked.map((e) => e.type === 'run.suspended' && e.step_id), ['legal', 'brand']);
  assert.ok(fan.history.some((e) => e.type === 'step.completed' && e.step_id === 'slow'));
  assert.is(pipeline.project(fan.history).status, 'waiting_for_input');

  const { result, added } = await resumeLogged(fan, fan.history, { step_id: 'brand', response: { ok: 'brand' }, interaction_id: 'i-brand' });
  assert.is(result.status, 'waiting_for_input');
  assert.equal(added.map((e) => e.type), ['run.resumed', 'run.suspended']);
  const again = added[1]!;
  assert.equal(again.type === 'run.suspended' && [again.step_id, again.iteration, again.request, again.continues], ['legal', 1, { prompt: 'legal?', output: { from: 'legal' } }, asked[0]!.seq]);
  assert.equal([fan.asks, fan.slowCalls()], [{ legal: 1, brand: 1 }, 1]);

  const answered = [...fan.history, ...added];
  const refused = await resumeLogged(fan, answered, { step_id: 'brand', response: { ok: 'twice' } }).catch((e: { code: string }) => e.code);
  assert.is(refused, 'PIPELINE_RESUME_INVALID');

  const done = await resumeLogged(fan, answered, { step_id: 'legal', response: { ok: 'legal' } });
  assert.is(done.result.status, 'completed');
  assert.equal([fan.asks, fan.slowCalls()], [{ legal: 1, brand: 1 }, 1]);
  assert.equal(done.result.steps['legal'], { from: 'legal', ok: 'legal', human_input: { ok: 'legal' } });
  assert.equal(done.result.steps['brand'], { from: 'brand', ok: 'brand', human_input: { ok: 'brand' }, interaction_id: 'i-brand' });
  assert.equal((done.result.output as JsonObject)['published'], { from: 'brand', ok: 'brand', human_input: { ok: 'brand' }, interaction_id: 'i-brand', slow: true });
  assert.equal(done.added.filter((e) => e.type === 'step.completed').map((e) => e.type === 'step.completed' && e.step_id), ['legal', 'brand', 'publish']);
});

suspend('resuming a waiting run without an answer is refused, naming what it waits on; nothing is written', async () => {
  const fan = await fanOut();
  const runId = fan.history[0]!.run_id;
  const added: RunEvent[] = [];
  const error = await pipeline.resume(fan.history, { pipeline: fan.def, steps: fan.steps, onEvent: (e) => void added.push(e) }).catch((e: { code: string; message: string; data: JsonObject }) => e);
  const { code, message, data } = error as { code: string; message: string; data: JsonObject };
  assert.is(code, 'PIPELINE_RESUME_WAITING');
  assert.match(message, `Run ${runId} is waiting for input at "${runId}:legal:1", "${runId}:brand:1"; answer with \`weft hitl respond <interaction> --input <json>\``);
  assert.equal([data['interactions'], added], [[`${runId}:legal:1`, `${runId}:brand:1`], []]);
});

suspend('a process that stored one answer and died before stopping again resumes into waiting on the other, without asking', async () => {
  const fan = await fanOut();
  const { added } = await resumeLogged(fan, fan.history, { step_id: 'brand', response: { ok: 'brand' } });
  const died = [...fan.history, added[0]!];
  const resumed = await resumeLogged(fan, died);
  assert.is(resumed.result.status, 'waiting_for_input');
  assert.equal(resumed.added.map((e) => e.type), ['run.resumed', 'run.suspended']);
  assert.equal(fan.asks, { legal: 1, brand: 1 });
});

suspend('a run that failed while waiting asks again when resumed; an answer given before it failed still applies', async () => {
  const fan = await fanOut();
  const { added } = await resumeLogged(fan, fan.history, { step_id: 'brand', response: { ok: 'brand' } });
  const last = added.at(-1)!;
  const failed: RunEvent = { type: 'run.failed', run_id: last.run_id, seq: last.seq + 1, at: Date.now(), error: { code: 'HITL_EXPIRED', message: 'late', step_id: 'legal' }, output: null };
  const resumed = await resumeLogged(fan, [...fan.history, ...added, failed]);
  assert.is(resumed.result.status, 'waiting_for_input');
  assert.equal(fan.asks, { legal: 2, brand: 1 });
  const asked = resumed.added.filter((e) => e.type === 'run.suspended');
  assert.equal(asked.map((e) => e.type === 'run.suspended' && [e.step_id, e.continues]), [['legal', undefined]]);
  assert.equal(resumed.result.steps['brand'], { from: 'brand', ok: 'brand', human_input: { ok: 'brand' } });
});

suspend.after(() => kernel.close());
suspend.run();
