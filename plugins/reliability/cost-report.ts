import { sumUsd, type CostCategory, type CostEntry } from './cost.js';

/** What CPSW and TPW need of a run record. */
export interface RunSpend {
  success: boolean;
  /** Absent counts as nothing spent. */
  cost_usd?: number;
  tokens?: number;
}

/** CPSW and TPW of some runs, and how many of them succeeded. */
export interface PerSuccessfulRun {
  successful_runs: number;
  /** USD spent by successful runs / successful runs; null without one. */
  cpsw: number | null;
  /** Model tokens of successful runs / successful runs; null without one. */
  tpw: number | null;
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
  /** The runs of the report's window. */
  total_runs: number;
  /** Those of them that succeeded. */
  successful_runs: number;
  /** Cost per successful run, as perSuccessfulRun gives it. */
  cpsw: number | null;
  /** Tokens per successful run, as perSuccessfulRun gives it. */
  tpw: number | null;
}

/** Whether an entry's time lies in the period; both bounds are inclusive, as in the reference. */
export function inPeriod(at: number, { since, until }: CostPeriod): boolean {
  return (since === undefined || at >= since) && (until === undefined || at <= until);
}

/**
 * CPSW and TPW over successful runs only, from each run's own cost and tokens: the one definition
 * `weft metrics` and `weft costs` share. Fixes reference bug #17 (its CPSW divides every entry's
 * cost by every run); the spend of failed runs is not charged to the successes.
 */
export function perSuccessfulRun(runs: readonly RunSpend[]): PerSuccessfulRun {
  const ok = runs.filter((r) => r.success);
  if (ok.length === 0) return { successful_runs: 0, cpsw: null, tpw: null };
  const tokens = ok.reduce((n, r) => n + (r.tokens ?? 0), 0);
  return { successful_runs: ok.length, cpsw: sumUsd(ok.map((r) => r.cost_usd ?? 0)) / ok.length, tpw: tokens / ok.length };
}

/**
 * Reports the entries in the period by category and agent. CPSW and TPW come from `runs`, the
 * run records of the same window, which the caller picks as `weft metrics` does, so both commands
 * give the same figures.
 */
export function costReport(entries: readonly CostEntry[], runs: readonly RunSpend[], period: CostPeriod = {}): CostReport {
  const chosen = entries.filter((e) => inPeriod(e.at, period));
  const by_category: Partial<Record<CostCategory, number>> = {};
  for (const [category, amount] of totals(chosen, (e) => e.category)) if (amount !== 0) by_category[category] = amount;
  return {
    total_cost: sumUsd(chosen.map((e) => e.amount_usd)),
    by_category,
    by_agent: Object.fromEntries(totals(chosen, (e) => e.agent)),
    total_runs: runs.length,
    ...perSuccessfulRun(runs),
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
