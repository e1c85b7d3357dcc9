import { sumUsd, type CostCategory, type CostEntry } from './cost.js';

/** A run's outcome, as the caller knows it. */
export interface RunOutcome {
  run_id: string;
  success: boolean;
}

/** Bounds of a report in epoch ms, both inclusive; a missing bound leaves that side open. */
export interface CostPeriod {
  since?: number;
  until?: number;
}

/** Spending over a period (reference §3.8, with CPSW counting successful runs only). */
export interface CostReport {
  total_cost: number;
  /** Categories with a non-zero total only. */
  by_category: Partial<Record<CostCategory, number>>;
  by_agent: Record<string, number>;
  /** Distinct run ids among the period's entries. */
  total_runs: number;
  /** Those of them whose outcome is a success. */
  successful_runs: number;
  /** Cost per successful run: all the period's cost (failures and run-less spend included) / successful runs; null without one. */
  cpsw: number | null;
  /** Tokens per successful run: LLM tokens of successful runs / successful runs; null without one. */
  tpw: number | null;
}

/** Whether an entry's time lies in the period; both bounds are inclusive, as in the reference. */
export function inPeriod(at: number, { since, until }: CostPeriod): boolean {
  return (since === undefined || at >= since) && (until === undefined || at <= until);
}

/**
 * Reports the entries in the period. A run belongs to the period when one of its entries does;
 * `runs` needs no time filter. A run listed twice takes its last outcome; an unlisted run is not
 * a success. Fixes reference bug #17: CPSW and TPW divide by successful runs, not all runs.
 */
export function costReport(entries: readonly CostEntry[], runs: readonly RunOutcome[], period: CostPeriod = {}): CostReport {
  const chosen = entries.filter((e) => inPeriod(e.at, period));
  const success = new Map(runs.map((r) => [r.run_id, r.success]));
  const runIds = new Set(chosen.flatMap((e) => (e.run_id === undefined ? [] : [e.run_id])));
  const successful = [...runIds].filter((id) => success.get(id) === true).length;
  const tokens = chosen.filter((e) => e.category === 'llm_tokens' && e.run_id !== undefined && success.get(e.run_id) === true).reduce((a, e) => a + e.quantity, 0);
  const total = sumUsd(chosen.map((e) => e.amount_usd));
  const by_category: Partial<Record<CostCategory, number>> = {};
  for (const [category, amount] of totals(chosen, (e) => e.category)) if (amount !== 0) by_category[category] = amount;
  return {
    total_cost: total,
    by_category,
    by_agent: Object.fromEntries(totals(chosen, (e) => e.agent)),
    total_runs: runIds.size,
    successful_runs: successful,
    cpsw: successful === 0 ? null : total / successful,
    tpw: successful === 0 ? null : tokens / successful,
  };
}

/** USD per key, summed exactly (see sumUsd), in first-seen order. */
export function totals<K>(entries: readonly CostEntry[], key: (entry: CostEntry) => K): Map<K, number> {
  const groups = new Map<K, number[]>();
  for (const e of entries) {
    const k = key(e);
    const amounts = groups.get(k);
    if (amounts === undefined) groups.set(k, [e.amount_usd]);
    else amounts.push(e.amount_usd);
  }
  return new Map([...groups].map(([k, amounts]) => [k, sumUsd(amounts)]));
}
