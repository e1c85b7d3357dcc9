import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_PRICING, llmEntry, modelPrice, priceOf, sumUsd, toolEntry } from '../../../plugins/reliability/cost.js';

const pr = suite('reliability: model prices');

// [model, input, output, cost, known]
const prices: Array<[string, number, number, number, boolean]> = [
  ['gpt-4', 1000, 1000, 0.09, true],
  ['gpt-4-turbo', 1000, 1000, 0.04, true],
  ['gpt-3.5-turbo', 2000, 1000, 0.0025, true],
  ['claude-3-opus', 1000, 1000, 0.09, true],
  ['claude-3-sonnet', 1500, 500, 0.012, true],
  ['claude-3-haiku', 1, 1, 0.0000015, true],
  ['claude-3-opus-20240229', 1000, 0, 0.015, true], // a dated snapshot takes its base's price
  ['gpt-4-turbo-2024-04-09', 0, 1000, 0.03, true], // the longest matching base wins over gpt-4
  ['gpt-4o', 1000, 1000, 0.09, false], // not a dash-extension of gpt-4: unknown, priced as gpt-4
  ['llama-3', 500, 250, 0.03, false],
  ['toString', 1000, 0, 0.03, false], // an inherited property is not a model
  ['gpt-4', 0, 0, 0, true],
];
for (const [model, input_tokens, output_tokens, cost_usd, known] of prices) {
  pr(`${model}: ${input_tokens} in, ${output_tokens} out → ${cost_usd} USD`, () => assert.equal(priceOf(model, { input_tokens, output_tokens }), { cost_usd, known }));
}

pr('a pricing table merged over the defaults overrides and adds models; the fallback follows it', () => {
  const pricing = { ...DEFAULT_PRICING, 'gpt-4': { prompt: 1, completion: 2 }, local: { prompt: 0, completion: 0 } };
  assert.equal(priceOf('gpt-4', { input_tokens: 1000, output_tokens: 1000 }, pricing), { cost_usd: 3, known: true });
  assert.equal(priceOf('local', { input_tokens: 1000, output_tokens: 1000 }, pricing), { cost_usd: 0, known: true });
  assert.equal(priceOf('mystery', { input_tokens: 1000, output_tokens: 0 }, pricing), { cost_usd: 1, known: false });
  // A table without the fallback model still prices unknown models at the built-in gpt-4 price.
  assert.equal(modelPrice('mystery', { local: { prompt: 0, completion: 0 } }), { price: { prompt: 0.03, completion: 0.06 }, known: false });
});

pr('sums are exact to the nano-dollar', () => {
  assert.is(sumUsd([0.1, 0.2]), 0.3);
  assert.is(sumUsd([]), 0);
  assert.is(sumUsd(Array(10).fill(0.1)), 1);
  assert.is(sumUsd([0.0000000004]), 0);
});

const en = suite('reliability: cost entries');

en('an LLM entry: quantity is all tokens, unit cost per token, context keeps model and counts', () => {
  const { entry, known } = llmEntry('gpt-4', { input_tokens: 1000, output_tokens: 500 }, { agent: 'writer', at: 5, run_id: 'r1', pipeline: 'p' });
  assert.ok(known);
  assert.equal(entry, { agent: 'writer', at: 5, run_id: 'r1', pipeline: 'p', category: 'llm_tokens', amount_usd: 0.06, quantity: 1500, unit_cost: 0.06 / 1500, context: { model: 'gpt-4', input_tokens: 1000, output_tokens: 500 } });
});

en('an unknown model is flagged and its entry says what it was priced as; zero tokens cost 0 per token', () => {
  const { entry, known } = llmEntry('mystery', { input_tokens: 0, output_tokens: 0 }, { agent: 'a', at: 0 });
  assert.not.ok(known);
  assert.equal([entry.amount_usd, entry.unit_cost, entry.context['priced_as']], [0, 0, 'gpt-4']);
  assert.not.ok('run_id' in entry);
});

en('a tool entry is one call', () => {
  assert.equal(toolEntry('search', 0.002, { agent: 'a', at: 1 }), { agent: 'a', at: 1, category: 'tool_execution', amount_usd: 0.002, quantity: 1, unit_cost: 0.002, context: { tool_name: 'search' } });
});

pr.run();
en.run();
