import { sumUsd, type CostCategory, type CostEntry } from './cost.js';
import { totals } from './cost-report.js';

/** A spending limit in USD, over all time or a rolling window (reference §3.8). */
export interface Budget {
  name: string;
  total_limit: number;
  /** Length of the rolling window ending now; null or missing means all time. */
  period_hours?: number | null;
  category_limits?: Partial<Record<CostCategory, number>>;
  agent_limits?: Record<string, number>;
  /** A disabled budget is still reported but never fails withinBudgets. Default true. */
  enabled?: boolean;
  /** Whether a breach should stop the run that caused it; acting on it is the caller's job. */
  stop_run?: boolean;
}

/** How much of a budget is spent. */
export interface BudgetUsage {
  budget_name: string;
  total_limit: number;
  total_used: number;
  /** Negative when overspent. */
  total_remaining: number;
  /** used / limit · 100; null for a limit of 0, where a percentage means nothing. */
  usage_percent: number | null;
  /** No breach: total, every category and every agent at or under its limit (computed for a disabled budget too). */
  within_budget: boolean;
  /** A disabled budget is reported, but its breaches fail nothing. */
  enabled: boolean;
  /** The limits strictly exceeded: `total`, `category:<name>`, `agent:<name>`. */
  breaches: string[];
  period_hours: number | null;
}

/** The entries a budget counts at `now`: those in [now − period, now], both ends included. */
export function budgetWindow(budget: Budget, entries: readonly CostEntry[], now: number): CostEntry[] {
  const hours = budget.period_hours ?? null;
  const start = hours === null ? -Infinity : now - hours * 3_600_000;
  return entries.filter((e) => e.at >= start && e.at <= now);
}

/** Spending against one budget at `now`; spending exactly at a limit is within it. */
export function budgetUsage(budget: Budget, entries: readonly CostEntry[], now: number): BudgetUsage {
  const counted = budgetWindow(budget, entries, now);
  const used = sumUsd(counted.map((e) => e.amount_usd));
  const breaches = used > budget.total_limit ? ['total'] : [];
  const byCategory = totals(counted, (e) => e.category);
  const byAgent = totals(counted, (e) => e.agent);
  for (const [category, limit] of Object.entries(budget.category_limits ?? {})) if ((byCategory.get(category as CostCategory) ?? 0) > limit) breaches.push(`category:${category}`);
  for (const [agent, limit] of Object.entries(budget.agent_limits ?? {})) if ((byAgent.get(agent) ?? 0) > limit) breaches.push(`agent:${agent}`);
  return {
    budget_name: budget.name,
    total_limit: budget.total_limit,
    total_used: used,
    total_remaining: sumUsd([budget.total_limit, -used]),
    usage_percent: budget.total_limit === 0 ? null : (used / budget.total_limit) * 100,
    within_budget: breaches.length === 0,
    enabled: budget.enabled !== false,
    breaches,
    period_hours: budget.period_hours ?? null,
  };
}

/** False when any enabled budget has a limit strictly exceeded at `now`. */
export function withinBudgets(budgets: readonly Budget[], entries: readonly CostEntry[], now: number): boolean {
  return budgets.every((b) => b.enabled === false || budgetUsage(b, entries, now).within_budget);
}
