import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { validateConfig } from '../../../kernel/schema.js';
import { WeftError } from '../../../kernel/index.js';
import { COST_CONFIG_SCHEMA, validateBudgets } from '../../../plugins/reliability/cost-config.js';

const schema = { type: 'object', additionalProperties: false, properties: { ...COST_CONFIG_SCHEMA } };
const cc = suite('reliability: cost configuration');

const problemsOf = (value: unknown): string[] => {
  try {
    validateBudgets(value);
    return [];
  } catch (e: unknown) {
    assert.instance(e, WeftError);
    assert.is((e as WeftError).code, 'RELIABILITY_BUDGET_INVALID');
    return ((e as WeftError).data['errors'] as Array<{ message: string }>).map((p) => p.message);
  }
};
const schemaAccepts = (budgets: unknown): boolean => {
  try {
    validateConfig(schema, { budgets: structuredClone(budgets) }, 'plugins.reliability');
    return true;
  } catch {
    return false;
  }
};

// [name, budgets, problems]; the schema must agree on each but the duplicate name.
const cases: Array<[string, unknown, string[]]> = [
  ['no budgets', [], []],
  ['a full budget', [{ name: 'b', total_limit: 0, period_hours: 0.5, category_limits: { llm_tokens: 1 }, agent_limits: { w: 0 }, enabled: false, stop_run: true }], []],
  ['not an array', { name: 'b' }, ['budgets must be an array']],
  ['an item not an object', [null, []], ['budgets.0 must be an object', 'budgets.1 must be an object']],
  ['missing name and limit', [{}], ['budgets.0.name must be a non-empty string', 'budgets.0.total_limit must be a number >= 0']],
  ['empty name, negative limit', [{ name: '', total_limit: -0.01 }], ['budgets.0.name must be a non-empty string', 'budgets.0.total_limit must be a number >= 0']],
  ['an unknown option', [{ name: 'b', total_limit: 1, limit: 2 }], ['budgets.0.limit is not a known option']],
  ['period 0 or text', [{ name: 'b', total_limit: 1, period_hours: 0 }, { name: 'c', total_limit: 1, period_hours: '24' }], ['budgets.0.period_hours must be a number > 0, or null for all time', 'budgets.1.period_hours must be a number > 0, or null for all time']],
  ['an unknown category and a negative category limit', [{ name: 'b', total_limit: 1, category_limits: { tokens: 1, storage: -1 } }], ['budgets.0.category_limits.tokens is not one of llm_tokens, tool_execution, storage, compute, other', 'budgets.0.category_limits.storage must be a number >= 0']],
  ['limits not objects', [{ name: 'b', total_limit: 1, category_limits: [], agent_limits: 3 }], ['budgets.0.category_limits must be an object', 'budgets.0.agent_limits must be an object']],
  ['an agent limit not a number', [{ name: 'b', total_limit: 1, agent_limits: { w: '1' } }], ['budgets.0.agent_limits.w must be a number >= 0']],
  ['flags not booleans', [{ name: 'b', total_limit: 1, enabled: 'yes', stop_run: 1 }], ['budgets.0.enabled must be a boolean', 'budgets.0.stop_run must be a boolean']],
];
for (const [name, budgets, problems] of cases) {
  cc(name, () => {
    assert.equal(problemsOf(budgets), problems);
    assert.is(schemaAccepts(budgets), problems.length === 0);
  });
}

cc('a repeated name is caught by validateBudgets only', () => {
  const budgets = [{ name: 'b', total_limit: 1 }, { name: 'b', total_limit: 2 }];
  assert.equal(problemsOf(budgets), ['budgets.1.name repeats the budget name "b"']);
  assert.ok(schemaAccepts(budgets));
});

cc('an infinite limit is refused (JSON cannot carry one, a caller can)', () => {
  assert.equal(problemsOf([{ name: 'b', total_limit: Infinity }]), ['budgets.0.total_limit must be a number >= 0']);
});

cc('defaults are filled in, the same by the validator and the schema', () => {
  const filled = { name: 'b', total_limit: 1, period_hours: null, category_limits: {}, agent_limits: {}, enabled: true, stop_run: false };
  assert.equal(validateBudgets([{ name: 'b', total_limit: 1 }]), [filled]);
  const config: Record<string, unknown> = { budgets: [{ name: 'b', total_limit: 1 }] };
  validateConfig(schema, config, 'plugins.reliability');
  assert.equal(config, { pricing: {}, budgets: [filled] });
});

cc('the error names the first path, under the given root', () => {
  try {
    validateBudgets([{ name: 'b', total_limit: 'lots' }], 'plugins.reliability.budgets');
    assert.unreachable();
  } catch (e: unknown) {
    assert.is((e as WeftError).path, 'plugins.reliability.budgets.0.total_limit');
    assert.is((e as WeftError).message, 'Invalid budgets: plugins.reliability.budgets.0.total_limit must be a number >= 0');
  }
});

cc('the pricing schema: prompt and completion, both >= 0', () => {
  const ok = (pricing: unknown) => {
    try {
      validateConfig(schema, { pricing }, 'plugins.reliability');
      return true;
    } catch {
      return false;
    }
  };
  assert.ok(ok({ local: { prompt: 0, completion: 0.1 } }));
  assert.not.ok(ok({ local: { prompt: 0.1 } }));
  assert.not.ok(ok({ local: { prompt: -1, completion: 0 } }));
  assert.not.ok(ok({ local: { prompt: 1, completion: 1, per: 'token' } }));
});

cc.run();
