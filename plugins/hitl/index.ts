import { definePlugin, type JsonObject } from '#kernel';
import { cancelCommand, listCommand, respondCommand, showCommand } from './commands.js';
import { createHitlService, type HitlService } from './service.js';
import { stepIssues } from './step-config.js';
import { HITL_STEPS } from './steps.js';

declare module '#kernel' {
  interface Services {
    hitl: HitlService;
  }
}

export { HitlErrors } from './errors.js';
export type { Interaction } from './interactions.js';
export type { HitlService, InteractionFilter } from './service.js';

/**
 * Human-in-the-loop: step types that suspend a run for a person, and the `hitl` service and
 * `weft hitl` commands that answer them from any process. Interactions are projections of the
 * stored run events; a claim in the key-value store makes every answer, cancel or expiry happen once.
 */
export default definePlugin<{ sweep_seconds: number; lease_seconds: number }>({
  name: 'hitl',
  version: '1.0.0',
  kernel: '^1',
  dependsOn: ['pipeline', 'storage', 'checkpoint'],
  description: 'Human-in-the-loop steps; weft hitl list|show|respond|cancel',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      sweep_seconds: { type: 'number', minimum: 0, default: 0, description: 'Every this many seconds, apply the default of expired interactions (0: only when listed or answered)' },
      lease_seconds: { type: 'number', exclusiveMinimum: 0, default: 30, description: 'How long a claimed answer blocks others before its run records it (a process that died in between blocks it no longer)' },
    },
  },
  setup(ctx) {
    const pipeline = ctx.services.get('pipeline');
    for (const [name, step] of Object.entries(HITL_STEPS)) pipeline.registerStep(name, step);
    // A hitl step's config is checked with the rest of the file (weft validate, and before every run).
    ctx.hooks.tap('pipeline.validate', (document, report) => {
      (document['steps'] as JsonObject[]).forEach((step, i) => report.errors.push(...stepIssues(step, `steps[${i}]`)));
    });
    const { service, recorded } = createHitlService(ctx.services, { lease_seconds: ctx.config.lease_seconds });
    // After the checkpoint plugin's tap (stage 0) has stored the event.
    ctx.hooks.tapPromise('pipeline.event', (event) => recorded(event), { stage: 100 });
    ctx.services.provide('hitl', service);
    ctx.hooks.tap('kernel.commands', (commands) => {
      for (const command of [listCommand, showCommand, respondCommand, cancelCommand]) commands.add(command);
    });
    const every = ctx.config.sweep_seconds * 1000;
    if (every > 0) {
      let timer: NodeJS.Timeout | undefined;
      ctx.hooks.tapPromise('kernel.ready', async () => {
        timer = setInterval(() => void service.list().catch((e: unknown) => ctx.log.warn('hitl sweep failed', { error: String(e) })), every);
        timer.unref();
      });
      ctx.onClose(() => clearInterval(timer));
    }
  },
});
