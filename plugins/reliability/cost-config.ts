import { WeftError } from '#kernel';
import type { Budget } from './budget.js';
import { COST_CATEGORIES } from './cost.js';
import { ReliabilityErrors } from './errors.js';

const usd = { type: 'number', minimum: 0 } as const;

/**
 * JSON Schema properties `pricing` and `budgets` for the plugin's configSchema to spread in.
 * Budget names must also be unique, which JSON Schema cannot say: validateBudgets checks it.
 */
export const COST_CONFIG_SCHEMA = {
  pricing: {
    type: 'object',
    default: {},
    description: 'USD per 1,000 tokens by model name, merged over the built-in prices',
    additionalProperties: {
      type: 'object',
      additionalProperties: false,
      required: ['prompt', 'completion'],
      properties: { prompt: usd, completion: usd },
    },
  },
  budgets: {
    type: 'array',
    default: [],
    description: 'Spending limits in USD, over all time or a rolling window of period_hours',
    items: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'total_limit'],
      properties: {
        name: { type: 'string', minLength: 1 },
        total_limit: usd,
        period_hours: { type: ['number', 'null'], exclusiveMinimum: 0, default: null },
        category_limits: { type: 'object', default: {}, additionalProperties: false, properties: Object.fromEntries(COST_CATEGORIES.map((c) => [c, usd])) },
        agent_limits: { type: 'object', default: {}, additionalProperties: usd },
        enabled: { type: 'boolean', default: true },
        stop_run: { type: 'boolean', default: false },
      },
    },
  },
} as const;

const KEYS = new Set(Object.keys(COST_CONFIG_SCHEMA.budgets.items.properties));

/**
 * Checks budgets from configuration or a file and fills in the defaults. Throws
 * RELIABILITY_BUDGET_INVALID naming every bad field by its dotted path under `root`
 * (`budgets.1.total_limit must be a number >= 0`).
 */
export function validateBudgets(value: unknown, root = 'budgets'): Required<Budget>[] {
  const problems: Array<{ path: string; message: string }> = [];
  const fail = (path: string, what: string) => problems.push({ path, message: `${path} ${what}` });
  const amount = (v: unknown, path: string) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(path, 'must be a number >= 0');
  };
  const limits = (v: unknown, path: string, known?: ReadonlySet<string>) => {
    if (!isObject(v)) return fail(path, 'must be an object');
    for (const [k, n] of Object.entries(v)) {
      if (known !== undefined && !known.has(k)) fail(`${path}.${k}`, `is not one of ${[...known].join(', ')}`);
      else amount(n, `${path}.${k}`);
    }
  };
  if (!Array.isArray(value)) fail(root, 'must be an array');
  const items: unknown[] = Array.isArray(value) ? value : [];
  const seen = new Set<string>();
  const out: Required<Budget>[] = [];
  for (const [i, item] of items.entries()) {
    const at = `${root}.${i}`;
    if (!isObject(item)) {
      fail(at, 'must be an object');
      continue;
    }
    for (const k of Object.keys(item)) if (!KEYS.has(k)) fail(`${at}.${k}`, 'is not a known option');
    const { name, total_limit, period_hours = null, category_limits = {}, agent_limits = {}, enabled = true, stop_run = false } = item;
    if (typeof name !== 'string' || name === '') fail(`${at}.name`, 'must be a non-empty string');
    else if (seen.has(name)) fail(`${at}.name`, `repeats the budget name "${name}"`);
    else seen.add(name);
    amount(total_limit, `${at}.total_limit`);
    if (period_hours !== null && (typeof period_hours !== 'number' || !Number.isFinite(period_hours) || period_hours <= 0)) fail(`${at}.period_hours`, 'must be a number > 0, or null for all time');
    limits(category_limits, `${at}.category_limits`, new Set(COST_CATEGORIES));
    limits(agent_limits, `${at}.agent_limits`);
    if (typeof enabled !== 'boolean') fail(`${at}.enabled`, 'must be a boolean');
    if (typeof stop_run !== 'boolean') fail(`${at}.stop_run`, 'must be a boolean');
    // The cast holds once no problem was found; otherwise the result is thrown away below.
    out.push({ name, total_limit, period_hours, category_limits, agent_limits, enabled, stop_run } as Required<Budget>);
  }
  if (problems.length > 0) {
    throw new WeftError(ReliabilityErrors.BUDGET_INVALID, `Invalid budgets: ${problems.map((p) => p.message).join('; ')}`, { path: problems[0]!.path, data: { errors: problems } });
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
