import { readFile, writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { boot, command, REVIEW, reviewPipeline } from './support.js';

const commands = suite('hitl: weft hitl …');

commands('respond --pipeline answers a run whose pipeline file changed since it started, with the file as it is now', async () => {
  const kernel = await boot();
  const file = await reviewPipeline(REVIEW);
  const run = await kernel.services.get('pipeline').run(file, { input: { text: 'a' } });
  const id = `${run.run_id}:review:1`;
  const doc = JSON.parse(await readFile(file, 'utf8')) as { description?: string };
  await writeFile(file, JSON.stringify({ ...doc, description: 'edited while the run waited' }));
  const refused = await command(kernel, 'hitl respond', [id], { input: '{"decision":"approve"}' }).catch((e: { code: string }) => e.code);
  assert.is(refused, 'PIPELINE_RESUME_CHANGED');
  // The refused answer's claim was given back: the same question is answered with the edited file.
  const answered = await command(kernel, 'hitl respond', [id], { input: '{"decision":"approve"}', pipeline: basename(file) }, dirname(file));
  assert.equal(answered, { code: 0, stdout: `review: completed (run ${run.run_id})\n`, stderr: '' });
  await kernel.close();
});

commands('list, show, respond and cancel in-process', async () => {
  const kernel = await boot();
  const pipeline = kernel.services.get('pipeline');
  assert.equal(await command(kernel, 'hitl list', []), { code: 0, stdout: 'No interactions are waiting.\n', stderr: '' });
  const first = await pipeline.run(await reviewPipeline(REVIEW), { input: { text: 'a' } });
  const timed = await pipeline.run(await reviewPipeline({ step_class: 'HumanInput', config: { prompt: 'Quick', timeout_seconds: 3600 } }), {});
  const id = `${first.run_id}:review:1`;
  const other = `${timed.run_id}:review:1`;

  const listed = await command(kernel, 'hitl list', []);
  assert.match(listed.stdout, `${id}  review/review  Publish this?\n`);
  assert.match(listed.stdout, new RegExp(`${other}  review/review  Quick  \\(expires \\d{4}-`));
  assert.equal(JSON.parse((await command(kernel, 'hitl list', [], { json: true })).stdout).length, 2);
  const assigned = await pipeline.run(await reviewPipeline({ step_class: 'HumanInput', config: { assignees: ['ada'] } }), {});
  assert.equal(JSON.parse((await command(kernel, 'hitl list', [], { json: true, as: 'bob' })).stdout).length, 2);
  assert.equal(JSON.parse((await command(kernel, 'hitl list', [], { json: true, as: 'ada' })).stdout).length, 3);
  await kernel.services.get('hitl').cancel(`${assigned.run_id}:review:1`);
  assert.match((await command(kernel, 'hitl show', [id])).stdout, `run ${first.run_id}\nform {"type":"review_approval"`);
  assert.is(JSON.parse((await command(kernel, 'hitl show', [id], { json: true })).stdout).id, id);

  const usage = (values: Record<string, unknown>) => command(kernel, 'hitl respond', [id], values).catch((e: { code: string }) => e.code);
  const malformed = async (values: Record<string, unknown>) => {
    const { code, stderr } = await command(kernel, 'hitl respond', [id], values);
    return [code, stderr];
  };
  assert.equal(await malformed({}), [2, 'error [HITL_INPUT_MALFORMED]: --input must be a JSON object: Unexpected end of JSON input\n']);
  assert.equal((await malformed({ input: '{bad' }))[0], 2);
  assert.equal(await malformed({ input: '[1]' }), [2, 'error [HITL_INPUT_MALFORMED]: --input must be a JSON object\n']);
  assert.equal(await malformed({ input: 'null' }), [2, 'error [HITL_INPUT_MALFORMED]: --input must be a JSON object\n']);
  assert.equal(await malformed({ input: '"yes"' }), [2, 'error [HITL_INPUT_MALFORMED]: --input must be a JSON object\n']);
  assert.is(await usage({ input: '{"decision":"maybe"}' }), 'HITL_INVALID_RESPONSE');

  assert.equal(await command(kernel, 'hitl respond', [id], { input: '{"decision":"reject","comments":"boom"}', as: 'ada' }), { code: 1, stdout: `review: failed (run ${first.run_id})\n`, stderr: '' });
  assert.is(await usage({ input: '{"decision":"approve"}' }), 'HITL_ALREADY_ANSWERED');

  const again = await pipeline.run(await reviewPipeline(REVIEW), { input: { text: 'b' } });
  const json = await command(kernel, 'hitl respond', [`${again.run_id}:review:1`], { input: '{"decision":"approve"}', json: true });
  assert.equal([json.code, JSON.parse(json.stdout).status], [0, 'completed']);

  assert.equal(await command(kernel, 'hitl cancel', [other], { reason: 'stale', as: 'ada' }), { code: 0, stdout: `run ${timed.run_id} cancelled\n`, stderr: '' });
  const last = await pipeline.run(await reviewPipeline(REVIEW), {});
  assert.equal((await command(kernel, 'hitl cancel', [`${last.run_id}:review:1`])).code, 0);
  await kernel.close();
});

commands.run();
