import { resolve } from 'node:path';
import { definePlugin } from '#kernel';
import { metricsCommand } from './commands.js';
import { DeclaredSlos, objectivesOf } from './declared-slo.js';
import { evidenceCommands } from './evidence-commands.js';
import { explainCommand } from './explain.js';
import { sloCommand } from './slo-command.js';
import type { Objectives } from './slo.js';
import { reliabilityService, type ReliabilityService } from './service.js';

declare module '#kernel' {
  interface Services {
    reliability: ReliabilityService;
  }
}

export { metrics, TARGETS, type MetricsFilter, type MetricsReport } from './metrics.js';
export { project, type RunRecord, type StepRecord } from './records.js';
export type { ReliabilityService } from './service.js';
export { decisionTrail, type DecisionTrail } from './trail.js';

/**
 * Reliability: step and run records projected from the stored run events, the metrics of
 * reference §3.1 over them (`weft metrics`), a run's decision trail (`weft explain`) and signed
 * evidence bundles (`weft evidence export|verify`). It reads runs only through services.
 */
export { ReliabilityErrors } from './errors.js';
export { exportBundle, verifyBundle, type EvidenceBundle } from './evidence.js';

export { trend, type Trend, type Point } from './trend.js';
export { CircuitBreaker, type BreakerOptions, type BreakerState } from './breaker.js';
export { AnomalyDetector, detect, type Anomaly, type Threshold } from './anomaly.js';
export { evaluateSlo, percentile, type Objectives, type SloReport } from './slo.js';

export default definePlugin<{ key_file?: string; slo: Record<string, Objectives> }>({
  name: 'reliability',
  version: '1.0.0',
  kernel: '^1',
  dependsOn: ['pipeline', 'storage', 'checkpoint'],
  description: 'Reliability metrics, decision trails and signed evidence; weft metrics, explain, evidence',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      key_file: { type: 'string', description: 'Ed25519 private key (PEM) that signs evidence bundles; default <data_dir>/evidence-key.pem, generated on first use' },
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
    },
  },
  setup(ctx) {
    const keyPath = resolve(ctx.cwd, ctx.config.key_file ?? resolve(ctx.kernelConfig.data_dir, 'evidence-key.pem'));
    const storage = ctx.services.get('storage');
    const history = ctx.services.get('runHistory');
    const list = async (pipeline?: string) => (await storage.runs()).list(pipeline === undefined ? {} : { pipeline });
    ctx.services.provide('reliability', reliabilityService({ list, events: (runId) => history.events(runId) }));
    // A pipeline file's slo block is seen when a run of it starts; config overrides it.
    const declared = new DeclaredSlos(() => storage.kv());
    ctx.hooks.tapPromise('pipeline.event', async (event, run) => {
      if (event.type !== 'run.started' || run.definition['slo'] === undefined) return;
      const objectives = objectivesOf(run.definition['slo']);
      if (typeof objectives === 'string') ctx.log.warn(`pipeline ${run.pipeline}: ${objectives}; its slo block is ignored`);
      else await declared.declare(run.pipeline, objectives);
    });
    const slos = async () => ({ ...(await declared.read([...new Set((await list()).map((r) => r.pipeline))])), ...ctx.config.slo });
    ctx.hooks.tap('kernel.commands', (commands) => {
      commands.add(metricsCommand);
      commands.add(explainCommand);
      for (const c of evidenceCommands(keyPath)) commands.add(c);
      commands.add(sloCommand(slos));
    });
  },
});
