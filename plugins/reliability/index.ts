import { resolve } from 'node:path';
import { definePlugin } from '#kernel';
import { channelsFromConfig, type ChannelConfig } from './alert-channels.js';
import { alertsCommands } from './alerts-command.js';
import { ALERT_CONFIG_SCHEMA, AlertManager, type AlertRuleInput } from './alerts.js';
import type { Threshold } from './anomaly.js';
import { metricsCommand } from './commands.js';
import { COST_CONFIG_SCHEMA, validateBudgets } from './cost-config.js';
import { costsCommand } from './costs-command.js';
import { DEFAULT_PRICING, type ModelPrice } from './cost.js';
import { DeclaredSlos, sloProblems } from './declared-slo.js';
import { ReliabilityErrors } from './errors.js';
import { evidenceCommands } from './evidence-commands.js';
import { explainCommand } from './explain.js';
import { ModeEnforcer } from './modes.js';
import { RunMonitor, type BreakerConfig } from './monitor.js';
import { decodeRuns, KINDS } from './record-codec.js';
import { replayCommand } from './replay-command.js';
import { installReplayTap, replay, type ReplayOptions, type ReplayResult } from './replay.js';
import { Reliability, type ReliabilityService } from './service.js';
import { sloCommand } from './slo-command.js';
import type { Objectives } from './slo.js';
import { Watch, WATCHED_METRICS } from './watch.js';

declare module '#kernel' {
  interface Services {
    reliability: ReliabilityService & { replay(runId: string, options: ReplayOptions): Promise<ReplayResult> };
  }
}

/**
 * Reliability: step and run records projected from the run events as runs end and kept in the
 * record store with retention; the metrics of reference §3 (`weft metrics`), SLOs with error
 * budgets (`weft slo`), decision trails (`weft explain`), signed evidence (`weft evidence`),
 * replay from recorded outputs (`weft replay`), costs and budgets (`weft costs`), declared step
 * modes, circuit breakers, anomaly and trend checks and alert rules (`weft alerts`). It works
 * only through the engine's hooks and other plugins' services.
 */
export { metrics, TARGETS, type MetricsFilter, type MetricsReport } from './metrics.js';
export { project, type RunRecord, type StepRecord } from './records.js';
export type { ReliabilityService, Records } from './service.js';
export { decisionTrail, type DecisionTrail } from './trail.js';
export { ReliabilityErrors } from './errors.js';
export { exportBundle, verifyBundle, type EvidenceBundle } from './evidence.js';
export { trend, type Trend, type Point } from './trend.js';
export { CircuitBreaker, type BreakerOptions, type BreakerState } from './breaker.js';
export { AnomalyDetector, detect, type Anomaly, type Threshold } from './anomaly.js';
export { evaluateSlo, percentile, type Objectives, type SloReport } from './slo.js';
export { mtte, rsr, MTTE_TARGET_MS, RSR_TARGET, type Measurement } from './measurements.js';
export { ModeEnforcer, type Mode, type Violation } from './modes.js';
export { isWrite, classifyAction } from './action-words.js';
export { DEFAULT_PRICING, priceOf, type CostEntry, type PricingTable } from './cost.js';
export { costReport, type CostReport } from './cost-report.js';
export { budgetUsage, type Budget, type BudgetUsage } from './budget.js';
export { AlertManager, type Alert, type AlertRule, type AlertInput, type MetricSnapshot } from './alerts.js';
export { callbackChannel, logChannel, webhookChannel, type AlertChannel } from './alert-channels.js';
export { replay, REPLAY_RUN_PREFIX, type ReplayResult, type ReplayOptions, type ReplayMode, type Difference } from './replay.js';

interface ReliabilityConfig {
  key_file?: string;
  retention_days: number;
  slo: Record<string, Objectives>;
  pricing: Record<string, ModelPrice>;
  tool_costs: Record<string, number>;
  budgets: unknown;
  breakers: BreakerConfig;
  anomalies: Record<string, Threshold>;
  alerts: { rules: AlertRuleInput[]; channels: Record<string, ChannelConfig>; retention_days: number };
}

const count = { type: 'integer', minimum: 1 } as const;

export default definePlugin<ReliabilityConfig>({
  name: 'reliability',
  version: '1.0.0',
  kernel: '^1',
  dependsOn: ['pipeline', 'storage', 'checkpoint'],
  description: 'Reliability metrics, SLOs, decision trails, evidence, replay, costs, modes, breakers and alerts',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      key_file: { type: 'string', description: 'Ed25519 private key (PEM) that signs evidence bundles; default <data_dir>/evidence-key.pem, generated on first use' },
      retention_days: { type: 'number', exclusiveMinimum: 0, default: 90, description: 'How long run records and measurements are kept' },
      slo: {
        type: 'object',
        default: {},
        description: 'Objectives per pipeline name',
        additionalProperties: {
          type: 'object',
          additionalProperties: false,
          properties: {
            success_rate: { type: 'number', minimum: 0, exclusiveMaximum: 1 },
            p95_duration_ms: { type: 'number', minimum: 0 },
            hir_max: { type: 'number', minimum: 0, maximum: 1 },
            cr_max: { type: 'number', minimum: 0, maximum: 1 },
          },
        },
      },
      ...COST_CONFIG_SCHEMA,
      tool_costs: { type: 'object', default: {}, description: 'USD per call by tool name (a call that reports cost_usd keeps its own)', additionalProperties: { type: 'number', minimum: 0 } },
      breakers: {
        type: 'object',
        default: {},
        description: 'Circuit breakers by step type, tool:<name>, or * for every step type',
        additionalProperties: {
          type: 'object',
          additionalProperties: false,
          properties: { failure_threshold: count, success_threshold: count, timeout_seconds: { type: 'number', exclusiveMinimum: 0 }, window_seconds: { type: 'number', exclusiveMinimum: 0 } },
        },
      },
      anomalies: {
        type: 'object',
        default: {},
        description: 'Bounds per metric (<pipeline>.duration_ms, <pipeline>.cost_usd), beside the z-score check',
        additionalProperties: {
          type: 'object',
          additionalProperties: false,
          properties: { min_value: { type: 'number' }, max_value: { type: 'number' }, max_deviation_percent: { type: 'number', minimum: 0 }, severity: { enum: ['low', 'medium', 'high', 'critical'] } },
        },
      },
      ...ALERT_CONFIG_SCHEMA,
    },
  },
  setup(ctx) {
    const config = ctx.config;
    const budgets = validateBudgets(config.budgets, 'plugins.reliability.budgets');
    const keyPath = resolve(ctx.cwd, config.key_file ?? resolve(ctx.kernelConfig.data_dir, 'evidence-key.pem'));
    const storage = ctx.services.get('storage');
    const history = ctx.services.get('runHistory');
    const pipeline = ctx.services.get('pipeline');
    const alerts = new AlertManager({ kv: () => storage.kv(), logger: ctx.log, rules: config.alerts.rules, metrics: WATCHED_METRICS, retention_days: config.alerts.retention_days });
    for (const channel of channelsFromConfig(config.alerts.channels, ctx.log)) alerts.addChannel(channel);
    const declared = new DeclaredSlos(() => storage.kv());
    const modes = new ModeEnforcer();
    // Read straight from the record store: service.records() waits for pending work, this among it.
    const stored = { log: ctx.log, read: async (name: string, limit: number) => decodeRuns(await (await storage.records()).list({ kind: KINDS.run, pipeline: name, limit })).values };
    const watch = new Watch({ alerts, objectives: (name) => config.slo[name] ?? declared.local(name), thresholds: config.anomalies, stored });
    const service: Reliability = new Reliability({
      records: () => storage.records(),
      runs: () => storage.runs(),
      history: (runId) => history.events(runId),
      log: ctx.log,
      retention_days: config.retention_days,
      pricing: { ...DEFAULT_PRICING, ...config.pricing },
      tool_costs: config.tool_costs,
      budgets,
      modes,
      alerts,
      watch,
      monitor: () => monitor,
    });
    const monitor = new RunMonitor({
      modes,
      breakers: config.breakers,
      budgets,
      finished: service.finished,
      costsOf: service.costsOf,
      storedCosts: async (since) => (await service.records({ since })).costs,
      breached: (usage, budget) =>
        service.track(
          alerts.trigger({ type: 'cost_overrun', severity: budget.stop_run ? 'critical' : 'error', title: `Budget "${budget.name}" exceeded`, message: `${usage.total_used} of ${usage.total_limit} USD used (${usage.breaches.join(', ')})`, source: `budget:${budget.name}`, context: { ...usage } }),
          'send a budget alert',
        ),
    });
    const replayDeps = { pipeline, events: (runId: string) => history.events(runId), outcome: (r: ReplayResult) => service.measure({ kind: 'rsr', run_id: r.run_id, pipeline: r.pipeline, at: Date.now(), success: r.success, mode: r.mode }) };
    ctx.services.provide('reliability', Object.assign(service, { replay: (runId: string, options: ReplayOptions) => replay(replayDeps, runId, options) }));
    installReplayTap(ctx.hooks);
    ctx.hooks.tap('pipeline.event', monitor.observe);
    ctx.hooks.tapPromise('pipeline.beforeStep', monitor.gate);
    // Records still being written need the stores, which may belong to plugins that close before this one.
    ctx.hooks.tapPromise('kernel.close', () => service.flush(), { stage: Number.MIN_SAFE_INTEGER });
    // A pipeline file's slo block is checked with the rest of the file (weft validate, and before every run) …
    ctx.hooks.tap('pipeline.validate', (document, report) => {
      if (document['slo'] === undefined) return;
      for (const problem of sloProblems(document['slo'])) report.errors.push({ code: ReliabilityErrors.SLO_INVALID, ...problem });
    });
    // … and seen when a run of it starts (stored off the run's path); config overrides it.
    ctx.hooks.tap('pipeline.event', (event, run) => {
      if (event.type !== 'run.started' || run.definition['slo'] === undefined) return;
      service.track(declared.declare(run.pipeline, run.definition['slo'] as Objectives), 'store a declared SLO');
    });
    const slos = async () => ({ ...(await declared.read([...new Set((await (await storage.runs()).list()).map((r) => r.pipeline))])), ...config.slo });
    ctx.hooks.tap('kernel.commands', (commands) => {
      commands.add(metricsCommand);
      commands.add(explainCommand);
      commands.add(costsCommand);
      for (const c of evidenceCommands(keyPath)) commands.add(c);
      commands.add(sloCommand(slos));
      commands.add(replayCommand(replayDeps));
      for (const c of alertsCommands({ alerts })) commands.add(c);
    });
  },
});
