import { randomUUID } from 'node:crypto';
import type { CallRecord, Logger, RecordStore, RunEvent, RunMeta, RunStore, StoredRecord } from '#kernel';
import { isWrite } from './action-words.js';
import type { AlertManager } from './alerts.js';
import { budgetUsage, type Budget, type BudgetUsage } from './budget.js';
import { costReport, type CostReport } from './cost-report.js';
import { llmEntry, priceOf, toolEntry, type CostEntry, type PricingTable } from './cost.js';
import type { Measurement } from './measurements.js';
import { admits, metrics, type MetricsFilter, type MetricsReport } from './metrics.js';
import type { ModeEnforcer } from './modes.js';
import { declaredModes, type RunMonitor } from './monitor.js';
import { decodeRuns, encodeRuns, KINDS, decodeMeasurements, encodeMeasurement, type RunRecords as StoredRuns } from './record-codec.js';
import { checkAdded } from './record-check.js';
import { project, type RunRecord, type StepRecord } from './records.js';
import { REPLAY_RUN_PREFIX } from './replay.js';
import type { CircuitBreaker } from './breaker.js';
import type { Watch } from './watch.js';

/** Everything the metrics are computed from. */
export interface Records {
  runs: RunRecord[];
  steps: StepRecord[];
  measurements: Measurement[];
  costs: CostEntry[];
}

/** The `reliability` service. */
export interface ReliabilityService {
  /** The stored records the filter admits (runs that ended without being recorded are projected and stored first). */
  records(filter?: MetricsFilter): Promise<Records>;
  /** The metrics report (reference §3.1, with TPW, CPSW, MTTE and RSR) over the records the filter admits. */
  metrics(filter?: MetricsFilter): Promise<MetricsReport>;
  /**
   * Stores records from user code (work done outside pipelines, steps with a mode), all or none:
   * a record missing a required field or with a wrong type is refused (RELIABILITY_RECORD_INVALID
   * naming its path, `runs[0].success`). Run records are watched like those of pipeline runs.
   */
  add(records: { runs?: RunRecord[]; steps?: StepRecord[]; costs?: CostEntry[] }): Promise<void>;
  /** Stores an SLO measurement (MTTE, RSR). */
  measure(measurement: Measurement): Promise<void>;
  /** A model or tool call's cost in USD: its own `cost_usd`, else its tokens at the model's price, else the tool's configured cost. */
  price(call: CallRecord): number;
  /** The cost report over the filter and every budget's usage now. */
  costs(filter?: MetricsFilter): Promise<{ report: CostReport; budgets: BudgetUsage[] }>;
  /** The mode enforcer pipeline steps with a `mode` go through; tools may ask it too. */
  readonly modes: ModeEnforcer;
  /** The circuit breaker of a step type or `tool:<name>`, when one is configured for it. */
  breaker(name: string): CircuitBreaker | undefined;
  /** Alert rules, channels and the alert log. */
  readonly alerts: AlertManager;
  /** Waits until every record of a finished run is stored. */
  flush(): Promise<void>;
}

/** What the service is built from. */
export interface ServiceDeps {
  records(): Promise<RecordStore>;
  runs(): Promise<RunStore>;
  history(runId: string): Promise<RunEvent[]>;
  log: Logger;
  retention_days: number;
  pricing: PricingTable;
  tool_costs: Readonly<Record<string, number>>;
  budgets: readonly Required<Budget>[];
  modes: ModeEnforcer;
  alerts: AlertManager;
  watch: Watch;
  monitor: () => RunMonitor;
  now?: () => number;
}

const FINISHED = new Set(['completed', 'failed', 'cancelled']);
/** The run record, when the log had one (a log without run.started has none). */
const writes = (tool: string): boolean => isWrite('', tool);
const present = (run: RunRecord | undefined): RunRecord[] => [run].filter((r): r is RunRecord => r !== undefined);
/** Buffered records are written in one batch when this many wait, or after FLUSH_MS. */
const BATCH = 200;
const FLUSH_MS = 50;

/** The reliability service over the record store: run records are written behind the runs, in batches. */
export class Reliability implements ReliabilityService {
  readonly modes: ModeEnforcer;
  readonly alerts: AlertManager;
  readonly #d: ServiceDeps;
  readonly #now: () => number;
  readonly #pending = new Set<Promise<unknown>>();
  #buffer: StoredRecord[] = [];
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();
  readonly #unknownModels = new Set<string>();

  constructor(deps: ServiceDeps) {
    this.#d = deps;
    this.#now = deps.now ?? Date.now;
    this.modes = deps.modes;
    this.alerts = deps.alerts;
  }

  get #ttl(): { ttl_seconds: number } {
    return { ttl_seconds: this.#d.retention_days * 86_400 };
  }

  price = (call: CallRecord): number => {
    if (call.cost_usd !== undefined) return call.cost_usd;
    if (call.kind === 'tool') return this.#d.tool_costs[call.name] ?? 0;
    if (call.usage === undefined) return 0;
    const model = call.model ?? call.name;
    const { cost_usd, known } = priceOf(model, call.usage, this.#d.pricing);
    if (!known && !this.#unknownModels.has(model)) {
      this.#unknownModels.add(model);
      this.#d.log.warn(`no price for model "${model}"; priced as gpt-4 (set plugins.reliability.pricing)`);
    }
    return cost_usd;
  };

  /** The cost entries of one run event (a recorded call). */
  costsOf = (event: RunEvent, run: { run_id: string; pipeline: string }): CostEntry[] => {
    if (event.type !== 'call.recorded') return [];
    const { call } = event;
    const origin = { agent: event.step_id, at: event.at, run_id: run.run_id, pipeline: run.pipeline };
    const amount = this.price(call);
    if (call.kind === 'tool') return amount > 0 ? [toolEntry(call.name, amount, origin)] : [];
    if (call.usage === undefined && amount === 0) return [];
    const { entry } = llmEntry(call.model ?? call.name, call.usage ?? { input_tokens: 0, output_tokens: 0 }, origin, this.#d.pricing);
    return [{ ...entry, amount_usd: amount, unit_cost: entry.quantity === 0 ? 0 : amount / entry.quantity }];
  };

  /** Told by the monitor when a run ended: its records are projected, stored and watched, off the run's path. */
  finished = (run: RunMeta, events: RunEvent[]): void => {
    // A run resumed in this process: its earlier events are stored.
    const raised = events[0]!.type === 'run.started' ? this.#record(run, events) : this.#resumed(run, events);
    if (raised) this.track(raised);
  };

  async #resumed(run: RunMeta, events: RunEvent[]): Promise<void> {
    const first = events[0]!.seq;
    await this.#record(run, [...(await this.#d.history(run.run_id)).filter((e) => e.seq < first), ...events]);
  }

  /** Projects a run's whole log, queues its records for the store and has the watch look at them. */
  #record(run: RunMeta, log: readonly RunEvent[]): Promise<void> | undefined {
    const projected = project(log, { modes: declaredModes(run.definition), price: this.price, isWrite: writes });
    const costs: CostEntry[] = [];
    for (const e of log) if (e.type === 'call.recorded') costs.push(...this.costsOf(e, run));
    const records = { runs: present(projected.run), steps: projected.steps, costs };
    this.#store(encodeRuns(run.run_id, records));
    return this.#watch(records);
  }

  /** Has the watch look at each run record with the step records of its run: anomalies, SLOs and alert rules. */
  #watch(records: StoredRuns): Promise<void> | undefined {
    const raised: Promise<void>[] = [];
    for (const run of records.runs) {
      const observed = this.#d.watch.observe(run, records.steps.filter((s) => s.run_id === run.run_id && s.pipeline === run.pipeline));
      if (observed) raised.push(observed);
    }
    return raised.length === 0 ? undefined : Promise.all(raised).then(() => undefined);
  }

  /** Keeps background work (recording a run) until it settles; flush() waits for it, and a failure is logged. */
  track(work: Promise<unknown>, what = 'record a run'): void {
    const tracked = work.then(
      () => undefined,
      (e: unknown) => this.#d.log.warn(`could not ${what}: ${(e as Error).message}`),
    ).finally(() => this.#pending.delete(tracked));
    this.#pending.add(tracked);
  }

  #store(record: StoredRecord): void {
    this.#buffer.push(record);
    if (this.#buffer.length >= BATCH) void this.#write();
    else this.#timer ??= setTimeout(() => void this.#write(), FLUSH_MS).unref();
  }

  #write(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#buffer;
    this.#buffer = [];
    this.#writing = this.#writing.then(async () => {
      if (batch.length === 0) return;
      try {
        await (await this.#d.records()).put(batch, this.#ttl);
      } catch (e: unknown) {
        this.#d.log.error(`${batch.length} run record(s) were not stored: ${(e as Error).message}`);
      }
    });
    return this.#writing;
  }

  async flush(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all(this.#pending);
    await this.#write();
  }

  breaker(name: string): CircuitBreaker | undefined {
    return this.#d.monitor().breaker(name);
  }

  async add(records: { runs?: RunRecord[]; steps?: StepRecord[]; costs?: CostEntry[] }): Promise<void> {
    const checked = checkAdded(records);
    await (await this.#d.records()).put([encodeRuns(randomUUID(), checked)], this.#ttl);
    const raised = this.#watch(checked);
    if (raised) this.track(raised, 'watch added records');
  }

  async measure(measurement: Measurement): Promise<void> {
    await (await this.#d.records()).put([encodeMeasurement(randomUUID(), measurement)], this.#ttl);
  }

  async records(filter: MetricsFilter = {}): Promise<Records> {
    await this.flush();
    const store = await this.#d.records();
    const pipeline = filter.pipeline === undefined ? {} : { pipeline: filter.pipeline };
    // One read of the run records serves both the backfill (which runs lack one) and the answer.
    const stored = await store.list({ kind: KINDS.run, ...pipeline });
    stored.push(...(await this.#backfill(filter.pipeline, new Set(stored.map((r) => r.id)))));
    // A run's record is stamped with its end: whatever happened in the window is in records from its start on.
    const runs = decodeRuns(filter.since === undefined ? stored : stored.filter((r) => r.at >= filter.since!));
    const measurements = decodeMeasurements(await store.list({ kind: KINDS.measurement, ...pipeline, ...(filter.since === undefined ? {} : { since: filter.since }) }));
    const skipped = runs.skipped + measurements.skipped;
    if (skipped > 0) this.#d.log.warn(`${skipped} stored record(s) are not reliability records and were left out`);
    return { ...runs.values, measurements: measurements.values };
  }

  /** Stores, and resolves to, the records of runs that ended without one (ended by another plugin, or before a crash). */
  async #backfill(pipeline: string | undefined, recorded: ReadonlySet<string>): Promise<StoredRecord[]> {
    const oldest = this.#now() - this.#d.retention_days * 86_400_000;
    const summaries = await (await this.#d.runs()).list(pipeline === undefined ? {} : { pipeline });
    const missing = summaries.filter((s) => FINISHED.has(s.status) && !recorded.has(s.run_id) && !s.run_id.startsWith(REPLAY_RUN_PREFIX) && Date.parse(s.updated_at) >= oldest);
    const records: StoredRecord[] = [];
    for (const summary of missing) {
      const events = await this.#d.history(summary.run_id);
      const projected = project(events, { price: this.price });
      const meta = { run_id: summary.run_id, pipeline: summary.pipeline };
      records.push(encodeRuns(summary.run_id, { runs: present(projected.run), steps: projected.steps, costs: events.flatMap((e) => this.costsOf(e, meta)) }));
    }
    if (records.length > 0) await (await this.#d.records()).put(records, this.#ttl);
    return records;
  }

  async metrics(filter: MetricsFilter = {}): Promise<MetricsReport> {
    return metrics(await this.records(filter), filter, this.#now());
  }

  async costs(filter: MetricsFilter = {}): Promise<{ report: CostReport; budgets: BudgetUsage[] }> {
    // Budgets count every pipeline's spend, so one unfiltered read serves the report and them.
    const records = await this.records();
    const costs = records.costs.filter((c) => filter.pipeline === undefined || c.pipeline === filter.pipeline);
    const period = { ...(filter.since === undefined ? {} : { since: filter.since }), ...(filter.until === undefined ? {} : { until: filter.until - 1 }) };
    const now = this.#now();
    return { report: costReport(costs, records.runs.filter(admits(filter)), period), budgets: this.#d.budgets.map((b) => budgetUsage(b, records.costs, now)) };
  }

}

