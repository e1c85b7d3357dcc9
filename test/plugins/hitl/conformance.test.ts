// The ia_modules hitl_pipeline (reference §12.5) with its review step really suspending: the test
// answers as the human, and every route out of the review is taken.
import { readFile, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { JsonObject, RunResult } from '../../../kernel/index.js';
import { boot } from './support.js';

const FIXTURE = fileURLToPath(new URL('../../../../test/fixtures/pipelines/hitl/pipeline.json', import.meta.url));
const STEPS = fileURLToPath(new URL('../../fixtures/ia_modules/steps.js', import.meta.url));

/** The fixture pipeline with its ia_modules steps pointed at the compiled TS fixtures. */
async function pipelineFile(): Promise<string> {
  const doc = JSON.parse(await readFile(FIXTURE, 'utf8')) as { steps: JsonObject[] };
  for (const step of doc.steps) if (step['step_class'] !== 'ReviewAndApprove') step['module'] = STEPS;
  const dir = await mkdtemp(join(tmpdir(), 'weft-hitl-conf-'));
  const file = join(dir, 'pipeline.json');
  await writeFile(file, JSON.stringify(doc));
  return file;
}

const kernel = await boot();
const file = await pipelineFile();
const content = 'this content has more than five words';

/** Runs with injected quality and confidence; when the review suspends, answers `decision`. */
async function route(quality: number, confidence: number, decision?: string): Promise<RunResult> {
  const first = await kernel.services.get('pipeline').run(file, { input: { content, simulated_quality: quality, simulated_confidence: confidence } });
  if (decision === undefined) return first;
  assert.is(first.status, 'waiting_for_input');
  const [it] = await kernel.services.get('hitl').list({ run_id: first.run_id });
  assert.is(it?.step_id, 'human_review_pause');
  return kernel.services.get('hitl').respond(it!.id, { decision, human_feedback: `chose ${decision}` }, { actor: 'reviewer' });
}

const summary = (r: RunResult): JsonObject => (r.output as JsonObject)['hitl_summary'] as JsonObject;

const conformance = suite('hitl: the ia_modules hitl pipeline with a real review');

conformance('auto: good content never suspends', async () => {
  const r = await route(0.9, 0.9);
  assert.equal(r.execution_path, ['initial_processing', 'quality_assessment', 'final_processing']);
  assert.is(summary(r)['total_human_interactions'], 0);
});

conformance('approve: review → final', async () => {
  const r = await route(0.9, 0.8, 'approve');
  assert.equal([r.status, r.execution_path], ['completed', ['initial_processing', 'quality_assessment', 'human_review_pause', 'final_processing']]);
  assert.equal([summary(r)['review_decision'], summary(r)['human_feedback'], summary(r)['total_human_interactions']], ['approve', 'chose approve', 1]);
});

conformance('request_enhancement: review → manual_enhancement → final', async () => {
  const r = await route(0.78, 0.9, 'request_enhancement');
  assert.equal(r.execution_path, ['initial_processing', 'quality_assessment', 'human_review_pause', 'manual_enhancement', 'final_processing']);
  assert.is(summary(r)['total_human_interactions'], 2);
  assert.ok(String(((r.output as JsonObject)['processing_summary'] as JsonObject)['final_content']).startsWith('[ENHANCED-1] [PROCESSED] '));
});

conformance('escalate: review → collaborative_decision → final', async () => {
  const r = await route(0.72, 0.9, 'escalate');
  assert.equal(r.execution_path, ['initial_processing', 'quality_assessment', 'human_review_pause', 'collaborative_decision', 'final_processing']);
  assert.is(summary(r)['total_human_interactions'], 4);
  assert.is((summary(r)['collaborative_decision'] as JsonObject)['final_decision'], 'approve');
});

conformance('reject: no edge, the run ends at the review with its output', async () => {
  const r = await route(0.6, 0.9, 'reject');
  assert.equal([r.status, r.execution_path.at(-1)], ['completed', 'human_review_pause']);
  assert.equal([(r.output as JsonObject)['decision'], (r.output as JsonObject)['human_input']], ['reject', { decision: 'reject', human_feedback: 'chose reject' }]);
});

conformance.after(() => kernel.close());
conformance.run();
