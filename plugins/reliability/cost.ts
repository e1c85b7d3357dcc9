/** What a cost was spent on (reference §3.8). */
export type CostCategory = 'llm_tokens' | 'tool_execution' | 'storage' | 'compute' | 'other';

/** Every category, in report order. */
export const COST_CATEGORIES: readonly CostCategory[] = ['llm_tokens', 'tool_execution', 'storage', 'compute', 'other'];

/** A model's price in USD per 1,000 tokens. */
export interface ModelPrice {
  prompt: number;
  completion: number;
}

/** Model name → price. */
export type PricingTable = Readonly<Record<string, ModelPrice>>;

/**
 * The reference's prices. A configured `pricing` is merged over them
 * (`{ ...DEFAULT_PRICING, ...config.pricing }`), so it adds models or overrides single ones.
 */
export const DEFAULT_PRICING: PricingTable = {
  'gpt-4': { prompt: 0.03, completion: 0.06 },
  'gpt-4-turbo': { prompt: 0.01, completion: 0.03 },
  'gpt-3.5-turbo': { prompt: 0.0005, completion: 0.0015 },
  'claude-3-opus': { prompt: 0.015, completion: 0.075 },
  'claude-3-sonnet': { prompt: 0.003, completion: 0.015 },
  'claude-3-haiku': { prompt: 0.00025, completion: 0.00125 },
};

/** The model unknown names are priced as. */
export const FALLBACK_MODEL = 'gpt-4';

/** Token counts of one LLM call, as the LLM contract reports them. */
export interface TokenUsage {
  input_tokens: number;
  output_tokens: number;
}

/** One spend. Amounts are USD; `at` is epoch ms. */
export interface CostEntry {
  category: CostCategory;
  amount_usd: number;
  /** Tokens for llm_tokens, calls for tool_execution, the caller's unit otherwise. */
  quantity: number;
  unit_cost: number;
  at: number;
  agent: string;
  run_id?: string;
  pipeline?: string;
  context: Record<string, unknown>;
}

/** Who spent and when: the fields of an entry that are not about the amount. */
export type CostOrigin = Pick<CostEntry, 'agent' | 'at'> & Partial<Pick<CostEntry, 'run_id' | 'pipeline'>>;

const NANO = 1e9;

/**
 * Adds USD amounts in whole nano-dollars, so that 0.1 + 0.2 is 0.3 and a spend exactly at a limit
 * compares equal to it. Exact up to about 9 million USD.
 */
export function sumUsd(amounts: Iterable<number>): number {
  let nanos = 0;
  for (const amount of amounts) nanos += Math.round(amount * NANO);
  return nanos / NANO;
}

/**
 * The price of a model: its own entry, else that of the longest listed name it extends with a
 * dash (a dated snapshot such as `claude-3-opus-20240229`), else FALLBACK_MODEL's, flagged unknown.
 */
export function modelPrice(model: string, pricing: PricingTable = DEFAULT_PRICING): { price: ModelPrice; known: boolean } {
  const own = Object.hasOwn(pricing, model) ? pricing[model] : undefined;
  if (own !== undefined) return { price: own, known: true };
  const base = Object.keys(pricing)
    .filter((name) => model.startsWith(`${name}-`))
    .sort((a, b) => b.length - a.length)[0];
  if (base !== undefined) return { price: pricing[base]!, known: true };
  return { price: pricing[FALLBACK_MODEL] ?? DEFAULT_PRICING[FALLBACK_MODEL]!, known: false };
}

/** USD of one call: input/1000·prompt + output/1000·completion; `known` false means priced as FALLBACK_MODEL. */
export function priceOf(model: string, usage: TokenUsage, pricing: PricingTable = DEFAULT_PRICING): { cost_usd: number; known: boolean } {
  const { price, known } = modelPrice(model, pricing);
  return { cost_usd: sumUsd([(usage.input_tokens / 1000) * price.prompt, (usage.output_tokens / 1000) * price.completion]), known };
}

/** The llm_tokens entry of one call: quantity is all tokens; the context keeps the model and counts. */
export function llmEntry(model: string, usage: TokenUsage, origin: CostOrigin, pricing: PricingTable = DEFAULT_PRICING): { entry: CostEntry; known: boolean } {
  const { cost_usd, known } = priceOf(model, usage, pricing);
  const tokens = usage.input_tokens + usage.output_tokens;
  const context = { model, input_tokens: usage.input_tokens, output_tokens: usage.output_tokens, ...(known ? {} : { priced_as: FALLBACK_MODEL }) };
  return { entry: { ...origin, category: 'llm_tokens', amount_usd: cost_usd, quantity: tokens, unit_cost: tokens === 0 ? 0 : cost_usd / tokens, context }, known };
}

/** The tool_execution entry of one call (quantity 1). */
export function toolEntry(tool: string, amount_usd: number, origin: CostOrigin): CostEntry {
  return { ...origin, category: 'tool_execution', amount_usd, quantity: 1, unit_cost: amount_usd, context: { tool_name: tool } };
}
