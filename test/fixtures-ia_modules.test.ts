// Unit tests of the ia_modules step fixtures against the expected values of the conformance cases
// (shared/conformance/ia_modules/*/cases.json) and behaviour reference §12. Each pipeline is walked by
// hand here, feeding every step the input spec §2 says the engine gives it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { JsonObject, LlmRequest, LlmResponse, LlmService, StepClass, StepContext } from '#kernel';
import * as fixtures from './fixtures/ia_modules/steps.js';

interface CtxOptions {
  step?: string;
  iteration?: number;
  run?: string;
  parameters?: JsonObject;
  input?: JsonObject;
  services?: Record<string, unknown>;
}

function makeCtx(config: JsonObject, o: CtxOptions = {}): StepContext {
  return {
    run_id: o.run ?? 'run-1',
    step_id: o.step ?? 'step',
    iteration: o.iteration ?? 1,
    attempt: 1,
    path: 'steps[0]',
    config,
    parameters: o.parameters ?? {},
    input: o.input ?? {},
    signal: new AbortController().signal,
    log: { debug() {}, info() {}, warn() {}, error() {} },
    service: <T>(key: string): T | undefined => o.services?.[key] as T | undefined,
    record: async () => {},
    suspend(request: JsonObject): never {
      throw new Error(`unexpected suspend: ${JSON.stringify(request)}`);
    },
  };
}

/** Builds and runs one step the way the engine does: `new Cls(config, ctx).run(input, ctx)`. */
async function run(Cls: StepClass, config: JsonObject, input: JsonObject, o: CtxOptions = {}): Promise<JsonObject> {
  const ctx = makeCtx(config, o);
  return (await new Cls(config, ctx).run(input, ctx)) as JsonObject;
}

/** The `expect` rule of spec §8: a deep subset; arrays match element by element and in length. */
function assertSubset(actual: unknown, expected: unknown, path = '$'): void {
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path}: expected an array, got ${JSON.stringify(actual)}`);
    assert.is((actual as unknown[]).length, expected.length, `${path}: array length`);
    expected.forEach((e, i) => assertSubset((actual as unknown[])[i], e, `${path}[${i}]`));
  } else if (typeof expected === 'object' && expected !== null) {
    assert.ok(typeof actual === 'object' && actual !== null && !Array.isArray(actual), `${path}: expected an object, got ${JSON.stringify(actual)}`);
    for (const [k, e] of Object.entries(expected)) assertSubset((actual as JsonObject)[k], e, `${path}.${k}`);
  } else {
    assert.equal(actual, expected, `${path}: ${JSON.stringify(actual)} !== ${JSON.stringify(expected)}`);
  }
}

const isJson = (value: unknown): boolean => JSON.stringify(JSON.parse(JSON.stringify(value))) === JSON.stringify(value);

// ---------------------------------------------------------------- simple_pipeline

async function simplePipeline(topic: unknown): Promise<Record<string, JsonObject>> {
  const step1 = await run(fixtures.Step1, {}, { topic }, { step: 'step1' });
  const step2 = await run(fixtures.Step2, {}, { topic: step1['topic'] }, { step: 'step2' });
  const step3 = await run(fixtures.Step3, {}, { topic: step2['topic'] }, { step: 'step3' });
  return { step1, step2, step3 };
}

test('simple: topic flows through three sequential steps', async () => {
  assertSubset(await simplePipeline('e2e_test'), {
    step1: { topic: 'PROCESSED_E2E_TEST' },
    step2: { topic: 'processed_e2e_test_enriched' },
    step3: { topic: 'FINAL_dehcirne_tset_e2e_dessecorp' },
  });
});

test('simple: a second topic', async () => {
  assert.is((await simplePipeline('sequential_test'))['step3']?.['topic'], 'FINAL_dehcirne_tset_laitneuqes_dessecorp');
});

test('simple: a missing or null topic becomes "unknown"', async () => {
  assert.is((await simplePipeline(null))['step3']?.['topic'], 'FINAL_dehcirne_nwonknu_dessecorp');
  assert.equal(await run(fixtures.Step1, {}, {}), { topic: 'PROCESSED_UNKNOWN' });
  assert.equal(await run(fixtures.Step2, {}, {}), { topic: 'unknown_enriched' });
  assert.equal(await run(fixtures.Step3, {}, {}), { topic: 'FINAL_nwonknu' });
});

test('simple: a non-string topic is an error, as in the original', async () => {
  for (const Cls of [fixtures.Step1, fixtures.Step2, fixtures.Step3]) {
    try {
      await run(Cls, {}, { topic: 42 });
      assert.unreachable('should throw');
    } catch (e: unknown) {
      assert.instance(e, TypeError);
    }
  }
});

// ---------------------------------------------------------------- conditional_pipeline

async function conditionalPipeline(threshold: number, testData: unknown): Promise<{ path: string[]; steps: Record<string, JsonObject> }> {
  const step1 = await run(fixtures.DataIngestorStep, {}, { test_data: testData });
  const step2 = await run(fixtures.QualityCheckerStep, {}, { ingested_data: step1['ingested_data'] });
  const branchInput = { ingested_data: step2['ingested_data'], quality_score: step2['quality_score'] };
  const high = (step2['quality_score'] as number) >= threshold;
  const branch = high
    ? await run(fixtures.HighQualityProcessorStep, { processing_level: 'full' }, branchInput)
    : await run(fixtures.LowQualityProcessorStep, { processing_level: 'basic' }, branchInput);
  const step5 = await run(fixtures.ResultsAggregatorStep, {}, { processed_data: branch['processed_data'] });
  const branchId = high ? 'step3' : 'step4';
  return { path: ['step1', 'step2', branchId, 'step5'], steps: { step1, step2, [branchId]: branch, step5 } };
}

const highData = [
  { quality_score: 0.95, content: 'high quality data 1' },
  { quality_score: 0.88, content: 'high quality data 2' },
  { quality_score: 0.92, content: 'high quality data 3' },
];

test('conditional: high quality data takes the high branch only, then joins', async () => {
  const { path, steps } = await conditionalPipeline(0.8, highData);
  assert.equal(path, ['step1', 'step2', 'step3', 'step5']);
  assertSubset(steps, {
    step1: { ingested_data: highData, source: 'pipeline_input', record_count: 3 },
    step2: { data_quality: 'Excellent', quality_details: { total_records: 3 } },
    step3: { processing_level: 'full', processing_info: { records_processed: 3 } },
    step5: {
      aggregated_results: { total_count: 3, first_record: { quality_score: 0.95 }, last_record: { quality_score: 0.92 } },
      total_records_processed: 3,
      processing_summary: { records_processed: 3, data_type: 'list' },
    },
  });
  assert.ok(Math.abs((steps['step2']?.['quality_score'] as number) - 0.9166666) < 1e-6);
  assert.is((steps['step3']?.['processed_data'] as JsonObject[])[0]?.['content'], 'high quality data 1');
});

test('conditional: low quality data takes the low branch only', async () => {
  const { path, steps } = await conditionalPipeline(0.8, [{ quality_score: 0.5, content: '  Low One ' }, { quality_score: 0.6, content: null }]);
  assert.equal(path, ['step1', 'step2', 'step4', 'step5']);
  assertSubset(steps, {
    step4: { processing_level: 'basic', processed_data: [{ quality_score: 0.5, content: 'Low One' }, { quality_score: 0.6 }] },
    step5: { total_records_processed: 2 },
  });
  assert.not.ok('content' in ((steps['step4']?.['processed_data'] as JsonObject[])[1] ?? {}));
});

test('conditional: a score equal to the threshold counts as high', async () => {
  const { path } = await conditionalPipeline(0.8, [{ quality_score: 0.8, content: 'edge' }]);
  assert.equal(path, ['step1', 'step2', 'step3', 'step5']);
});

test('conditional: quality scoring rules of the original', async () => {
  const score = async (data: unknown): Promise<JsonObject> => run(fixtures.QualityCheckerStep, {}, { ingested_data: data });
  assertSubset(await score({ a: 1, b: null }), { quality_score: 0.5, data_quality: 'Fair', quality_details: { total_records: 1 } });
  assertSubset(await score([{ a: 1, b: 2 }, { a: null, b: null, c: 3, d: 4 }]), { quality_score: 0.75, data_quality: 'Good' });
  assertSubset(await score(['x', 1]), { quality_score: 0, data_quality: 'Poor' });
  assertSubset(await score([]), { quality_score: 0.5 });
  assertSubset(await score([{}]), { quality_score: 0 });
  assertSubset(await score({ quality_score: '0.9' }), { quality_score: 0.9, data_quality: 'Excellent' });
  assertSubset(await run(fixtures.QualityCheckerStep, {}, {}), { ingested_data: [], quality_score: 0.5 });
  try {
    await score('text');
    assert.unreachable('should throw');
  } catch (e: unknown) {
    assert.match((e as Error).message, 'must be a list or dictionary');
  }
});

test('conditional: processors and aggregator on dicts and other values', async () => {
  assert.equal(await run(fixtures.DataIngestorStep, {}, { test_data: { a: 1 } }), { ingested_data: { a: 1 }, source: 'pipeline_input', record_count: 1 });
  assert.equal((await run(fixtures.DataIngestorStep, {}, {}))['ingested_data'], []);
  const high = await run(fixtures.HighQualityProcessorStep, {}, { ingested_data: { t: ' A B ', n: 1 }, quality_score: 0.9 });
  assert.equal(high, { processed_data: { t: 'a b', n: 1 }, processing_level: 'full', quality_score: 0.9, processing_info: { records_processed: 1 } });
  const low = await run(fixtures.LowQualityProcessorStep, {}, { ingested_data: [{ t: ' A ', x: null }, 'raw'] });
  assert.equal(low, { processed_data: [{ t: 'A' }, 'raw'], processing_level: 'basic', quality_score: 0, processing_info: { records_processed: 2 } });
  assert.equal((await run(fixtures.HighQualityProcessorStep, {}, { ingested_data: 'x' }))['processed_data'], 'x');
  assert.equal(await run(fixtures.ResultsAggregatorStep, {}, { processed_data: { a: 1 } }), {
    aggregated_results: { total_count: 1, record: { a: 1 } },
    total_records_processed: 1,
    processing_summary: { records_processed: 1, data_type: 'dict', record_keys: ['a'] },
  });
  assert.equal(await run(fixtures.ResultsAggregatorStep, {}, {}), { aggregated_results: {}, total_records_processed: 1, processing_summary: {} });
  assertSubset(await run(fixtures.ResultsAggregatorStep, {}, { processed_data: [] }), {
    aggregated_results: { total_count: 0, first_record: null, last_record: null },
    total_records_processed: 0,
  });
});

// ---------------------------------------------------------------- parallel_pipeline

async function parallelPipeline(loaded: unknown): Promise<Record<string, JsonObject>> {
  const step1 = await run(fixtures.DataSplitterStep, { split_count: 3 }, { loaded_data: loaded });
  const chunks = { data_chunks: step1['data_chunks'] };
  const [step2, step3, step4] = await Promise.all(
    [1, 2, 3].map((id) => run(fixtures.StreamProcessorStep, { stream_id: id, processing_type: 'analytics' }, chunks)),
  );
  const step5 = await run(fixtures.ResultsMergerStep, {}, {
    processed_data_1: step2?.['processed_data'],
    processed_data_2: step3?.['processed_data'],
    processed_data_3: step4?.['processed_data'],
  });
  const step6 = await run(fixtures.CompletedStatsCollectorStep, {}, { merged_results: step5['merged_results'] });
  return { step1, step2: step2 ?? {}, step3: step3 ?? {}, step4: step4 ?? {}, step5, step6 };
}

const records = (n: number): JsonObject[] => Array.from({ length: n }, (_, i) => ({ id: i + 1, sales: i + 1, quantity: 2 }));

test('parallel: six records split three ways and merged', async () => {
  assertSubset(await parallelPipeline(records(6)), {
    step1: { chunk_count: 3, original_data_size: 6 },
    step2: { stream_id: 1, processing_type: 'analytics', record_count: 2 },
    step4: { stream_id: 3, record_count: 2 },
    step5: {
      stream_count: 3,
      total_records: 6,
      merged_results: [1, 2, 3, 4, 5, 6].map((id) => ({ id, revenue: id * 2 })),
      processing_summary: { total_streams: 3, total_merged_records: 6, merge_type: 'concatenation' },
    },
    step6: {
      total_records_processed: 6,
      total_streams: 1,
      pipeline_completion_status: 'completed',
      statistics: [{ stream_id: 1, success: true, processed_at: '2023-01-01T00:00:00Z', records_processed: 6 }],
      timestamp: '2023-01-01T00:00:00Z',
    },
  });
});

test('parallel: two records leave one stream empty', async () => {
  assertSubset(await parallelPipeline([{ id: 'a' }, { id: 'b' }]), {
    step1: { data_chunks: [[{ id: 'a' }], [{ id: 'b' }], []] },
    step4: { record_count: 0 },
    step5: { stream_count: 2, total_records: 2 },
    step6: { total_records_processed: 2 },
  });
});

test('parallel: chunking keeps three chunks and drops leftovers (12, 10, 100 items)', async () => {
  assertSubset(await parallelPipeline(records(12)), { step1: { original_data_size: 12 }, step5: { total_records: 12 }, step6: { total_records_processed: 12 } });
  assertSubset(await parallelPipeline(records(10)), { step5: { total_records: 9 } });
  const hundred = await parallelPipeline(records(100));
  assertSubset(hundred, { step2: { record_count: 33 }, step5: { total_records: 99 }, step6: { total_records_processed: 99 } });
});

test('parallel: no data fails in the splitter', async () => {
  for (const loaded of [[], null, undefined, {}]) {
    try {
      await run(fixtures.DataSplitterStep, { split_count: 3 }, loaded === undefined ? {} : { loaded_data: loaded });
      assert.unreachable('should throw');
    } catch (e: unknown) {
      assert.instance(e, Error);
      assert.is((e as Error).message, 'No data to split');
    }
  }
});

test('parallel: a single record is copied to every stream; split_count defaults to 2', async () => {
  assert.equal(await run(fixtures.DataSplitterStep, { split_count: 3 }, { loaded_data: { a: 1 } }), {
    data_chunks: [{ a: 1 }, { a: 1 }, { a: 1 }], chunk_count: 3, original_data_size: 1,
  });
  assert.is((await run(fixtures.DataSplitterStep, {}, { loaded_data: [1, 2, 3, 4] }))['chunk_count'], 2);
});

test('parallel: stream processor modes and a missing chunk', async () => {
  assert.equal(await run(fixtures.StreamProcessorStep, { stream_id: 4 }, { data_chunks: [[1]] }), {
    stream_id: 4, processing_type: 'analytics', processed_data: [], record_count: 0,
  });
  assert.equal(await run(fixtures.StreamProcessorStep, { stream_id: 1, processing_type: 'transform' }, { data_chunks: [{ AbC: 1 }] }), {
    stream_id: 1, processing_type: 'transform', processed_data: { abc: 1 }, record_count: 1,
  });
  assert.equal((await run(fixtures.StreamProcessorStep, { processing_type: 'other' }, { data_chunks: [[{ A: 1 }]] }))['processed_data'], [{ A: 1 }]);
  assert.equal((await run(fixtures.StreamProcessorStep, {}, { data_chunks: [[{ sales: 2 }]] }))['stream_id'], null);
});

test('parallel: merger combines dicts, keeps the first of mixed results, and handles none', async () => {
  assertSubset(await run(fixtures.ResultsMergerStep, {}, { processed_data_1: { a: 1 }, processed_data_2: { b: 2 } }), {
    merged_results: { a: 1, b: 2 }, stream_count: 2, total_records: 1, processing_summary: { total_merged_records: 2, merge_type: 'combination' },
  });
  assertSubset(await run(fixtures.ResultsMergerStep, {}, { processed_data_1: [1], processed_data_2: { b: 2 } }), {
    merged_results: [1], stream_count: 2, total_records: 1,
  });
  assert.equal(await run(fixtures.ResultsMergerStep, {}, {}), {
    merged_results: {}, stream_count: 0, total_records: 1, processing_summary: { total_streams: 0, total_merged_records: 0, merge_type: 'concatenation' },
  });
});

test('parallel: stats collector reads stream_count from a dict, or its input', async () => {
  assertSubset(await run(fixtures.CompletedStatsCollectorStep, {}, { merged_results: { stream_count: 2 } }), {
    total_streams: 2, total_records_processed: 0, statistics: [{ stream_id: 1, records_processed: 0 }, { stream_id: 2 }],
  });
  assertSubset(await run(fixtures.CompletedStatsCollectorStep, {}, { stream_count: 3 }), { total_streams: 3 });
  assertSubset(await run(fixtures.CompletedStatsCollectorStep, {}, { merged_results: { x: 1 } }), { total_streams: 1, total_records_processed: 0 });
});

// ---------------------------------------------------------------- agent_pipeline

const runInput = { task: 'analyze_sentiment', text: 'I love this product' };

async function agentPipeline(services: Record<string, unknown> = {}): Promise<Record<string, JsonObject>> {
  const step1 = await run(fixtures.SimpleAgentStep, { processing_type: 'ingestion' }, runInput, { step: 'step1', services });
  const step2 = await run(fixtures.DecisionAgentStep, { decision_logic: 'validation' }, step1, { step: 'step2', services });
  const step3 = await run(fixtures.SimpleAgentStep, { processing_type: 'final_processing' }, step2, { step: 'step3', services });
  return { step1, step2, step3 };
}

test('agent: without an LLM provider every agent step takes its simple path', async () => {
  const steps = await agentPipeline();
  assertSubset(steps, {
    step1: {
      agent_name: 'step1', processing_type: 'ingestion', original_task: 'analyze_sentiment', original_content: 'I love this product',
      simple_result: 'Processed analyze_sentiment with basic transformation',
      metadata: { step_id: 'step1', processing_type: 'simple_agent', llm_used: false },
    },
    // Chaining (§12.4 a): step2 sees step1's output, which has no task or text.
    step2: { agent_name: 'step2', decision_logic: 'validation', final_decision: 'reject', confidence: 0.9, simple_decision: { reasoning: 'Missing both task and content' } },
    step3: { agent_name: 'step3', processing_type: 'final_processing', simple_result: 'Processed process data with basic transformation' },
  });
  assert.type(steps['step1']?.['processed_at'], 'string');
  assert.ok(Object.values(steps).every(isJson));
});

test('agent: the simple decision rules', async () => {
  const decide = async (input: JsonObject): Promise<unknown> => (await run(fixtures.DecisionAgentStep, {}, input))['simple_decision'];
  assertSubset(await decide(runInput), { decision: 'accept', confidence: 0.8 });
  assertSubset(await decide({ text: 'only text' }), { decision: 'accept', confidence: 0.6 });
  assertSubset(await decide({ task: 'only task', text: '   ' }), { decision: 'accept', confidence: 0.6 });
  assertSubset(await decide({}), { decision: 'reject', confidence: 0.9 });
});

/** An `llm` service (kernel contract `LlmService`) answering every prompt with `answer(prompt)`. */
function fakeLlm(answer: (prompt: string) => string, prompts: string[] = []): LlmService {
  return {
    async generate(request: LlmRequest): Promise<LlmResponse> {
      prompts.push(request.prompt);
      assert.is(request.json, true);
      return { text: answer(request.prompt), provider: 'fake' };
    },
  };
}

test('agent: a working llm service is used', async () => {
  const prompts: string[] = [];
  const llm = fakeLlm(() => JSON.stringify({ decision: 'accept', confidence: 0.7, result: 'ok' }), prompts);
  const steps = await agentPipeline({ llm });
  assertSubset(steps, {
    step1: { llm_response: { result: 'ok' }, metadata: { processing_type: 'llm_agent', llm_used: true } },
    step2: { final_decision: 'accept', confidence: 0.7, llm_decision: { decision: 'accept' }, metadata: { processing_type: 'llm_decision_agent', llm_used: true } },
    step3: { metadata: { llm_used: true } },
  });
  assert.is(prompts.length, 3);
  assert.match(prompts[0] ?? '', 'data ingestion agent');
  assert.match(prompts[1] ?? '', 'Previous processing: {"decision":"accept"');
  const general = await run(fixtures.SimpleAgentStep, {}, {}, { services: { llm: fakeLlm(() => 'plain words') } });
  assert.equal(general['llm_response'], { text: 'plain words' });
  assert.equal((await run(fixtures.SimpleAgentStep, {}, {}, { services: { llm: fakeLlm(() => '[1]') } }))['llm_response'], { text: '[1]' });
  const classify = await run(fixtures.DecisionAgentStep, { decision_logic: 'classification' }, {}, { services: { llm: fakeLlm(() => '{}') } });
  assertSubset(classify, { final_decision: 'unknown', confidence: 0.5 });
  const other = await run(fixtures.DecisionAgentStep, { decision_logic: 'other' }, {}, { services: { llm: fakeLlm(() => '{"decision":"x"}') } });
  assert.is(other['final_decision'], 'x');
});

test('agent: a failing llm service falls back with an error field', async () => {
  const llm: LlmService = { generate: async (): Promise<LlmResponse> => { throw new Error('no providers'); } };
  const steps = await agentPipeline({ llm });
  assertSubset(steps, {
    step1: { fallback_result: 'Processed analyze_sentiment with simple transformation', error: 'no providers', metadata: { processing_type: 'fallback_agent', llm_used: false } },
    step2: { final_decision: 'reject', fallback_decision: { decision: 'reject' }, error: 'no providers', metadata: { processing_type: 'fallback_decision_agent' } },
  });
  const thrown = await run(fixtures.DecisionAgentStep, {}, {}, { services: { llm: { generate: async (): Promise<LlmResponse> => { throw 'str'; } } } });
  assert.is(thrown['error'], 'str');
});

// ---------------------------------------------------------------- hitl_pipeline

const hitlConfig: Record<string, JsonObject> = {
  initial_processing: { processing_type: 'automated', quality_threshold: 0.8 },
  quality_assessment: { confidence_threshold: 0.85, escalation_enabled: true },
  human_review_pause: { timeout_seconds: 300, approval_required: true },
  manual_enhancement: { enhancement_type: 'iterative', max_iterations: 3, timeout_seconds: 600 },
  collaborative_decision: { stakeholders: ['reviewer1', 'reviewer2', 'manager'], decision_type: 'majority', timeout_hours: 24 },
  final_processing: { output_format: 'json', include_audit_trail: true },
};

const hitlClasses: Record<string, StepClass> = {
  initial_processing: fixtures.InitialProcessingStep,
  quality_assessment: fixtures.QualityAssessmentStep,
  human_review_pause: fixtures.HumanReviewStep,
  manual_enhancement: fixtures.ManualEnhancementStep,
  collaborative_decision: fixtures.CollaborativeDecisionStep,
  final_processing: fixtures.FinalProcessingStep,
};

/** Walks the hitl graph: every step gets the previous step's output, as no step declares inputs. */
async function hitlPipeline(input: JsonObject, run_ = 'run-1'): Promise<{ path: string[]; steps: Record<string, JsonObject> }> {
  const steps: Record<string, JsonObject> = {};
  const path: string[] = [];
  let current: string | undefined = 'initial_processing';
  let data = input;
  while (current !== undefined) {
    path.push(current);
    data = await run(hitlClasses[current] as StepClass, hitlConfig[current] ?? {}, data, { step: current, input, run: run_ });
    steps[current] = data;
    const id: string = current;
    current = undefined;
    if (id === 'initial_processing') current = 'quality_assessment';
    else if (id === 'quality_assessment') current = data['requires_human_review'] === true ? 'human_review_pause' : 'final_processing';
    else if (id === 'human_review_pause') {
      current = ({ request_enhancement: 'manual_enhancement', escalate: 'collaborative_decision', approve: 'final_processing' } as Record<string, string>)[String(data['decision'])];
    } else if (id === 'manual_enhancement' || id === 'collaborative_decision') current = 'final_processing';
  }
  return { path, steps };
}

const content = 'this content has more than five words';

test('hitl: good content skips human review', async () => {
  const { path, steps } = await hitlPipeline({ content, simulated_quality: 0.9, simulated_confidence: 0.9 });
  assert.equal(path, ['initial_processing', 'quality_assessment', 'final_processing']);
  assertSubset(steps, {
    initial_processing: { original_content: content, processed_content: `[PROCESSED] ${content}`, quality_score: 0.9, confidence: 0.9, issues_detected: [], metadata: { word_count: 7 } },
    quality_assessment: { requires_human_review: false, urgency: 'low', quality_assessment: { recommendation: 'approve', automated_approval: true } },
    final_processing: {
      status: 'complete',
      hitl_summary: { human_review_occurred: false, enhancement_occurred: false, collaborative_decision_occurred: false, total_human_interactions: 0 },
      processing_summary: { final_content: `[PROCESSED] ${content}`, quality_metrics: { initial_quality_score: 0.9, final_status: 'processed' } },
      output_format: 'json',
    },
  });
  const final = steps['final_processing'] ?? {};
  assert.is((final['audit_trail'] as unknown[]).length, 3);
  assert.is((final['audit_trail'] as JsonObject[])[1]?.['result'], 'requires_human_review: False');
  assert.is((final['pipeline_metadata'] as JsonObject)['execution_id'], steps['initial_processing']?.['processing_id']);
  assert.is((final['complete_data_trace'] as JsonObject)['urgency'], 'low');
});

test('hitl: low confidence goes to review, which approves', async () => {
  const { path, steps } = await hitlPipeline({ content, simulated_quality: 0.9, simulated_confidence: 0.8 });
  assert.equal(path, ['initial_processing', 'quality_assessment', 'human_review_pause', 'final_processing']);
  assertSubset(steps, {
    quality_assessment: { requires_human_review: true, urgency: 'low', review_reasons: ['Confidence (0.80) below threshold (0.85)', 'Issues detected: Low confidence in automated processing'] },
    human_review_pause: { status: 'human_input_required', decision: 'approve', timeout_seconds: 300, simulated_human_response: { decision: 'approve', priority: 'medium' } },
    final_processing: { hitl_summary: { human_review_occurred: true, total_human_interactions: 1, review_decision: 'approve' } },
  });
  assert.is((steps['final_processing']?.['audit_trail'] as unknown[]).length, 4);
});

test('hitl: middling quality is sent for enhancement', async () => {
  const { path, steps } = await hitlPipeline({ content, simulated_quality: 0.78, simulated_confidence: 0.9 });
  assert.equal(path, ['initial_processing', 'quality_assessment', 'human_review_pause', 'manual_enhancement', 'final_processing']);
  assertSubset(steps, {
    quality_assessment: { urgency: 'medium' },
    human_review_pause: { decision: 'request_enhancement', simulated_human_response: { suggested_changes: 'Improve clarity and add more detail.' } },
    manual_enhancement: { status: 'enhancement_iteration_complete', enhancement_iteration: 2, continue_enhancing: true, decision: 'request_enhancement' },
    final_processing: { hitl_summary: { enhancement_occurred: true, enhancement_iterations: 1, total_human_interactions: 2 } },
  });
  const final = steps['final_processing']?.['processing_summary'] as JsonObject;
  assert.is(final['final_content'], `[ENHANCED-1] [PROCESSED] ${content} - Additional improvements made.`);
});

test('hitl: poor quality escalates to a stakeholder vote', async () => {
  const { path, steps } = await hitlPipeline({ content, simulated_quality: 0.72, simulated_confidence: 0.9 });
  assert.equal(path, ['initial_processing', 'quality_assessment', 'human_review_pause', 'collaborative_decision', 'final_processing']);
  assertSubset(steps, {
    collaborative_decision: {
      collaborative_decision: { final_decision: 'approve', voting_results: { approve: 2, reject: 0, request_changes: 1, total_stakeholders: 3 } },
      // The input's `status` overrides the step's own, as in the original.
      status: 'human_input_required',
      decision_complete: true,
    },
    final_processing: { hitl_summary: { collaborative_decision_occurred: true, total_human_interactions: 4 } },
  });
  const votes = (steps['collaborative_decision']?.['collaborative_decision'] as JsonObject)['stakeholder_votes'] as JsonObject[];
  assert.equal(votes.map((v) => v['vote']), ['approve', 'request_changes', 'approve']);
  assert.ok(Math.abs(((steps['collaborative_decision']?.['collaborative_decision'] as JsonObject)['consensus_level'] as number) - 2 / 3) < 1e-9);
});

test('hitl: a rejection has no way on, so the run ends at the review', async () => {
  const { path, steps } = await hitlPipeline({ content, simulated_quality: 0.6, simulated_confidence: 0.9 });
  assert.equal(path, ['initial_processing', 'quality_assessment', 'human_review_pause']);
  assertSubset(steps, { human_review_pause: { decision: 'reject', simulated_human_response: { priority: 'high' } }, quality_assessment: { urgency: 'high' } });
});

test('hitl: votes between .65 and .7 end in request_changes; other decision types', async () => {
  const vote = async (quality: number, decision_type: string): Promise<unknown> =>
    ((await run(fixtures.CollaborativeDecisionStep, { decision_type }, { quality_score: quality }))['collaborative_decision'] as JsonObject)['final_decision'];
  assert.is(await vote(0.68, 'majority'), 'request_changes');
  assert.is(await vote(0.5, 'majority'), 'reject');
  assert.is(await vote(0.9, 'all'), 'approve');
  assert.is(await vote(0.72, 'all'), 'rejected');
  assert.is(await vote(0.72, 'any'), 'approve');
  assert.is(await vote(0.65, 'any'), 'reject');
  const none = await run(fixtures.CollaborativeDecisionStep, { stakeholders: [] }, {});
  assertSubset(none, { collaborative_decision: { consensus_level: 0, final_decision: 'request_changes' } });
});

test('hitl: enhancement stops after the second round and at max_iterations', async () => {
  const second = await run(fixtures.ManualEnhancementStep, {}, { processed_content: 'c', enhancement_iteration: 2, enhancement_history: [{ iteration: 1 }] });
  assertSubset(second, { status: 'enhancement_complete', final_enhanced_content: '[ENHANCED-2] c - Additional improvements made.', total_iterations: 2, enhancement_complete: true });
  assert.is((second['enhancement_history'] as unknown[]).length, 2);
  const over = await run(fixtures.ManualEnhancementStep, { max_iterations: 3 }, { processed_content: 'c', enhancement_iteration: 4 });
  assertSubset(over, { status: 'max_iterations_reached', final_enhanced_content: 'c', total_iterations: 3 });
  const onlyOne = await run(fixtures.ManualEnhancementStep, { max_iterations: 1 }, { processed_content: 'c' });
  assert.is(onlyOne['status'], 'enhancement_complete');
});

test('hitl: without simulated values the metrics are drawn from the run id, in range and repeatable', async () => {
  const a = await run(fixtures.InitialProcessingStep, {}, {}, { run: 'r-a' });
  const again = await run(fixtures.InitialProcessingStep, {}, {}, { run: 'r-a' });
  const b = await run(fixtures.InitialProcessingStep, {}, {}, { run: 'r-b' });
  assert.equal(a, again);
  assert.is.not(a['processing_id'], b['processing_id']);
  assert.match(String(a['processing_id']), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
  for (const out of [a, b]) {
    const q = out['quality_score'] as number;
    const c = out['confidence'] as number;
    assert.ok(q >= 0.6 && q < 0.95 && c >= 0.7 && c < 0.9, `${q} ${c}`);
    const ms = (out['metadata'] as JsonObject)['processing_duration_ms'] as number;
    assert.ok(Number.isInteger(ms) && ms >= 100 && ms <= 500);
  }
  assertSubset(a, { original_content: 'Default test content for HITL processing', metadata: { word_count: 6 } });
  const short = await run(fixtures.InitialProcessingStep, {}, { content: 'too short', simulated_quality: 0.9, simulated_confidence: 0.9 });
  assert.equal(short['issues_detected'], ['Content too short for reliable processing']);
  const fromRunInput = await run(fixtures.InitialProcessingStep, {}, {}, { input: { simulated_quality: 0.7, simulated_confidence: 0.7 } });
  assertSubset(fromRunInput, { quality_score: 0.7, confidence: 0.7 });
});

test('hitl: quality assessment formats like Python and uses its defaults', async () => {
  const out = await run(fixtures.QualityAssessmentStep, {}, { quality_score: 0.625, confidence: 0.375 });
  assert.equal(out['review_reasons'], ['Quality score (0.62) below threshold (0.8)', 'Confidence (0.38) below threshold (0.85)']);
  assertSubset(await run(fixtures.QualityAssessmentStep, {}, {}), { requires_human_review: true, urgency: 'high', quality_assessment: { quality_metrics: { quality_score: 0.5, confidence: 0.5, issues_count: 0 } } });
  assertSubset(await run(fixtures.QualityAssessmentStep, {}, { quality_score: 0.85, confidence: 0.78 }), { urgency: 'medium' });
});

test('hitl: final processing without audit trail, and with odd inputs', async () => {
  const out = await run(fixtures.FinalProcessingStep, { include_audit_trail: false }, { _internal: 1, processed_content: 'p' });
  assert.not.ok('audit_trail' in out);
  assert.equal(out['complete_data_trace'], { processed_content: 'p' });
  assertSubset(out, { processing_summary: { processing_id: null, final_content: 'p' }, hitl_summary: { total_human_interactions: 0 } });
  const odd = await run(fixtures.FinalProcessingStep, {}, { enhancement_history: 'x', collaborative_decision: 'y', human_feedback: 'f', requires_human_review: true });
  assertSubset(odd, { hitl_summary: { enhancement_iterations: 0, total_human_interactions: 1 } });
  assert.is((odd['audit_trail'] as JsonObject[])[1]?.['result'], 'requires_human_review: True');
});

test('hitl: every output is JSON', async () => {
  for (const quality of [0.9, 0.78, 0.72, 0.6]) {
    const { steps } = await hitlPipeline({ content, simulated_quality: quality, simulated_confidence: 0.8 });
    assert.ok(Object.values(steps).every(isJson));
  }
});

// ---------------------------------------------------------------- loop_pipeline

/** The loop walked with the engine's iteration counter and a `max_iterations` bound of 5. */
async function loopPipeline(parameters: JsonObject): Promise<{ path: string[]; steps: Record<string, JsonObject>; failed: boolean }> {
  const steps: Record<string, JsonObject> = {};
  const path: string[] = [];
  for (let iteration = 1; ; iteration++) {
    if (iteration > 5) return { path, steps, failed: true };
    path.push('draft_content');
    steps['draft_content'] = await run(fixtures.DraftContentStep, {}, { topic: parameters['topic'] }, { step: 'draft_content', iteration, parameters });
    const draft = steps['draft_content'];
    path.push('review_content');
    steps['review_content'] = await run(fixtures.ReviewContentStep, {}, { draft: draft['draft'], revision_count: draft['revision_count'] }, { step: 'review_content', iteration, parameters });
    if (steps['review_content']['approved'] === true) break;
  }
  path.push('publish_content');
  steps['publish_content'] = await run(fixtures.PublishContentStep, {}, { draft: steps['draft_content']?.['draft'], quality_score: steps['review_content']?.['quality_score'] }, { step: 'publish_content', parameters });
  return { path, steps, failed: false };
}

test('loop: the draft is revised until the reviewer approves the third one', async () => {
  const { path, steps, failed } = await loopPipeline({ topic: 'artificial intelligence', max_revisions: 3 });
  assert.not.ok(failed);
  assert.equal(path, ['draft_content', 'review_content', 'draft_content', 'review_content', 'draft_content', 'review_content', 'publish_content']);
  assertSubset(steps, {
    draft_content: { revision_count: 3, draft: 'REVISED (v3): Content about artificial intelligence. Content has been improved and expanded.' },
    review_content: { approved: true, quality_score: 90, feedback: 'Content approved for publication!' },
    publish_content: { final_draft: 'REVISED (v3): Content about artificial intelligence. Content has been improved and expanded.\n\n[Published with quality score: 90]', quality_score: 90 },
  });
  assert.match(String(steps['publish_content']?.['published_url']), /^https:\/\/example\.com\/content\/[0-9a-f]{8}$/);
});

test('loop: a reviewer that never approves hits the iteration limit', async () => {
  const { path, failed } = await loopPipeline({ topic: 't', max_revisions: 10 });
  assert.ok(failed);
  assert.equal(path, Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? 'draft_content' : 'review_content')));
});

test('loop: first draft, feedback, review feedback bands and defaults', async () => {
  assert.equal(await run(fixtures.DraftContentStep, {}, { topic: 'x' }), { draft: 'Draft content about x. This is the initial version.', revision_count: 1 });
  assert.is((await run(fixtures.DraftContentStep, {}, { feedback: 'more' }, { iteration: 2 }))['draft'], 'REVISED (v2): Content about general topic. Improvements made based on: more');
  const review = async (revision_count: number): Promise<JsonObject> => run(fixtures.ReviewContentStep, {}, { revision_count }, { parameters: { max_revisions: 10 } });
  assertSubset(await review(0), { approved: false, quality_score: 50, feedback: 'Content needs more detail and better structure.' });
  assertSubset(await review(1), { quality_score: 65, feedback: 'Good progress, but needs more examples and clarity.' });
  assertSubset(await review(2), { quality_score: 80, feedback: 'Almost there! Polish the language and add final touches.' });
  assertSubset(await run(fixtures.ReviewContentStep, { max_revisions: 2 }, { revision_count: 2 }), { approved: true });
  assertSubset(await run(fixtures.ReviewContentStep, {}, { revision_count: 5 }), { approved: true });
  assertSubset(await run(fixtures.PublishContentStep, {}, {}), { final_draft: '\n\n[Published with quality score: 0]', quality_score: 0 });
});

test('every export is a step class named as the pipelines name it', () => {
  const names = ['Step1', 'Step2', 'Step3', 'DataIngestorStep', 'QualityCheckerStep', 'HighQualityProcessorStep', 'LowQualityProcessorStep',
    'ResultsAggregatorStep', 'DataSplitterStep', 'StreamProcessorStep', 'ResultsMergerStep', 'CompletedStatsCollectorStep', 'SimpleAgentStep',
    'DecisionAgentStep', 'InitialProcessingStep', 'QualityAssessmentStep', 'HumanReviewStep', 'ManualEnhancementStep', 'CollaborativeDecisionStep',
    'FinalProcessingStep', 'DraftContentStep', 'ReviewContentStep', 'PublishContentStep'];
  assert.equal(Object.keys(fixtures).sort(), [...names].sort());
  for (const name of names) {
    const Cls = (fixtures as Record<string, unknown>)[name] as StepClass;
    assert.is(Cls.name, name);
    assert.type(new Cls({}, makeCtx({})).run, 'function');
  }
});

test.run();
