import { WeftError, type JsonObject, type RunError, type RunEvent, type RunMeta, type StepInvocation, type StepOverride } from '#kernel';
import { BREAKER_DEFAULTS, CircuitBreaker, type BreakerOptions } from './breaker.js';
import { budgetUsage, type Budget, type BudgetUsage } from './budget.js';
import type { CostEntry } from './cost.js';
import { ReliabilityErrors } from './errors.js';
import type { Mode, ModeEnforcer } from './modes.js';
import { REPLAY_RUN_PREFIX } from './replay.js';

/** What the monitor knows of a step from its pipeline document: its type and declared mode. */
export interface StepFacts {
  type: string;
  mode?: Mode;
}

const facts = new WeakMap<object, { steps: Map<string, StepFacts>; modes: Record<string, string> }>();

/** The steps of a pipeline document: type and mode by id, read once per document. */
function factsOf(definition: JsonObject): { steps: Map<string, StepFacts>; modes: Record<string, string> } {
  let found = facts.get(definition);
  if (found === undefined) {
    found = { steps: new Map(), modes: {} };
    const steps = Array.isArray(definition['steps']) ? (definition['steps'] as JsonObject[]) : [];
    for (const step of steps) {
      const id = String(step['id'] ?? step['name']);
      const type = String(step['step_class'] ?? step['class'] ?? id);
      if (typeof step['mode'] === 'string') {
        found.steps.set(id, { type, mode: step['mode'] as Mode });
        found.modes[id] = step['mode'];
      } else found.steps.set(id, { type });
    }
    facts.set(definition, found);
  }
  return found;
}

/** A step's type (`step_class`, else its id) and declared `mode`. */
export function stepFacts(definition: JsonObject, stepId: string): StepFacts {
  return factsOf(definition).steps.get(stepId) ?? { type: stepId };
}

/** The declared mode of each step of a pipeline document that declares one, by id. */
export function declaredModes(definition: JsonObject): Record<string, string> {
  return factsOf(definition).modes;
}

/** Breaker settings in config: by step type or `tool:<name>`, `*` for every step type; seconds as in the reference. */
export type BreakerConfig = Record<string, { failure_threshold?: number; success_threshold?: number; timeout_seconds?: number; window_seconds?: number }>;

/** What the monitor is given. */
export interface MonitorOptions {
  modes: ModeEnforcer;
  breakers: BreakerConfig;
  budgets: readonly Required<Budget>[];
  /** Told each run's whole log once it ended (completed, failed or cancelled). */
  finished(run: RunMeta, events: RunEvent[]): void;
  /** The costs of a run event (a recorded call), for budgets. */
  costsOf(event: RunEvent, run: RunMeta): CostEntry[];
  /** Stored costs since a time, to start budgets from what other processes spent. */
  storedCosts(since: number): Promise<CostEntry[]>;
  /** Told when a budget is first found over its limit. */
  breached(usage: BudgetUsage, budget: Required<Budget>): void;
  now?: () => number;
}

/**
 * Watches runs through the engine's hooks. `observe` (a synchronous `pipeline.event` tap) keeps
 * each running run's events until it ends and feeds step outcomes to circuit breakers and
 * recorded costs to budgets; `gate` (a `pipeline.beforeStep` tap) refuses steps a budget,
 * a declared mode or an open breaker does not allow. Replays are left alone.
 */
export class RunMonitor {
  readonly #o: MonitorOptions;
  readonly #now: () => number;
  readonly #live = new Map<string, RunEvent[]>();
  readonly #breakers = new Map<string, CircuitBreaker | null>();
  readonly #stopping: readonly Required<Budget>[];
  #ledger: CostEntry[] = [];
  #seeded: Promise<void> | undefined;
  readonly #breached = new Set<string>();

  constructor(options: MonitorOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#stopping = options.budgets.filter((b) => b.enabled && b.stop_run);
  }

  /** The `pipeline.event` tap. */
  readonly observe = (event: RunEvent, run: RunMeta): void => {
    if (run.run_id.startsWith(REPLAY_RUN_PREFIX)) return;
    let events = this.#live.get(run.run_id);
    if (events === undefined) this.#live.set(run.run_id, (events = []));
    events.push(event);
    switch (event.type) {
      case 'step.completed':
        // A replayed output was not a call of the step.
        if (!event.replayed && event.recovered === undefined) this.#stepBreaker(run, event.step_id)?.success();
        return;
      case 'step.failed':
        // Refusals of this plugin (open breaker, mode, budget) are not failures of the step.
        if (!event.error.code.startsWith('RELIABILITY_')) this.#stepBreaker(run, event.step_id)?.failure();
        return;
      case 'call.recorded':
        if (event.call.kind === 'tool') this.#breaker(`tool:${event.call.name}`)?.[event.call.success ? 'success' : 'failure']();
        if (this.#o.budgets.length > 0) this.#spend(this.#o.costsOf(event, run));
        return;
      case 'run.suspended':
        this.#live.delete(run.run_id);
        return;
      case 'run.completed':
      case 'run.failed':
      case 'run.cancelled':
        this.#live.delete(run.run_id);
        this.#o.finished(run, events);
        return;
      default:
        return;
    }
  };

  /** The `pipeline.beforeStep` tap: undefined lets the step run. */
  readonly gate = async (invocation: StepInvocation): Promise<StepOverride | undefined> => {
    const { run, step_id } = invocation;
    if (run.run_id.startsWith(REPLAY_RUN_PREFIX)) return undefined;
    if (this.#stopping.length > 0) {
      const halt = await this.#overBudget();
      if (halt) return { halt };
    }
    const step = stepFacts(run.definition, step_id);
    if (step.mode !== undefined) {
      this.#o.modes.setMode(step_id, step.mode);
      const decision = await this.#o.modes.canExecute(step_id, `${step_id} ${step.type}`);
      if (!decision.allowed) throw new WeftError(ReliabilityErrors.MODE_VIOLATION, `Step "${step_id}" (mode ${step.mode}) may not run: ${decision.reason}`, { data: { step_id, mode: step.mode } });
    }
    const breaker = this.#stepBreaker(run, step_id);
    if (breaker && !breaker.tryAcquire()) {
      throw new WeftError(ReliabilityErrors.BREAKER_OPEN, `The circuit breaker of step type "${step.type}" is open after repeated failures; the step was not run`, { data: { step_id, breaker: step.type } });
    }
    return undefined;
  };

  /** The breaker of a step type or `tool:<name>` (created from config on first use); undefined when none is configured for it. */
  breaker(name: string): CircuitBreaker | undefined {
    return this.#breaker(name);
  }

  #stepBreaker(run: RunMeta, stepId: string): CircuitBreaker | undefined {
    return this.#breaker(stepFacts(run.definition, stepId).type);
  }

  #breaker(name: string): CircuitBreaker | undefined {
    let breaker = this.#breakers.get(name);
    if (breaker === undefined) {
      const config = this.#o.breakers[name] ?? (name.startsWith('tool:') ? undefined : this.#o.breakers['*']);
      breaker = config === undefined ? null : new CircuitBreaker(options(config), this.#now);
      this.#breakers.set(name, breaker);
    }
    return breaker ?? undefined;
  }

  #spend(entries: readonly CostEntry[]): void {
    if (entries.length === 0) return;
    this.#ledger.push(...entries);
    const now = this.#now();
    for (const budget of this.#o.budgets) {
      if (!budget.enabled) continue;
      const usage = budgetUsage(budget, this.#ledger, now);
      if (usage.within_budget) this.#breached.delete(budget.name);
      else if (!this.#breached.has(budget.name)) {
        this.#breached.add(budget.name);
        this.#o.breached(usage, budget);
      }
    }
  }

  /** The halt of a spent stop_run budget, with what other processes spent counted in. */
  async #overBudget(): Promise<RunError | undefined> {
    this.#seeded ??= this.#seed();
    await this.#seeded;
    const now = this.#now();
    for (const budget of this.#stopping) {
      const usage = budgetUsage(budget, this.#ledger, now);
      if (!usage.within_budget) {
        return { code: ReliabilityErrors.BUDGET_EXCEEDED, message: `Budget "${budget.name}" is spent (${usage.breaches.join(', ')}): ${usage.total_used} of ${usage.total_limit} USD`, budget: budget.name, breaches: usage.breaches };
      }
    }
    return undefined;
  }

  async #seed(): Promise<void> {
    const hours = this.#stopping.map((b) => b.period_hours);
    const since = hours.includes(null) ? 0 : this.#now() - Math.max(...(hours as number[])) * 36e5;
    const stored = await this.#o.storedCosts(since);
    // Entries this process recorded before seeding are in the store too, or about to be.
    const seen = new Set(stored.map(key));
    this.#ledger = [...stored, ...this.#ledger.filter((e) => !seen.has(key(e)))];
  }
}

const key = (e: CostEntry): string => `${e.run_id}:${e.agent}:${e.at}:${e.category}:${e.amount_usd}`;

function options(config: BreakerConfig[string]): BreakerOptions {
  return {
    failure_threshold: config.failure_threshold ?? BREAKER_DEFAULTS.failure_threshold,
    success_threshold: config.success_threshold ?? BREAKER_DEFAULTS.success_threshold,
    timeout_ms: config.timeout_seconds === undefined ? BREAKER_DEFAULTS.timeout_ms : config.timeout_seconds * 1000,
    window_ms: config.window_seconds === undefined ? BREAKER_DEFAULTS.window_ms : config.window_seconds * 1000,
  };
}
