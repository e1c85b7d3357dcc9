import { definePlugin, type RunHistoryService } from '#kernel';
import { listCommand, showCommand, storedEvents } from './commands.js';
import { Recorder, type Durability } from './recorder.js';

declare module '#kernel' {
  interface Services {
    runHistory: RunHistoryService;
  }
}

export { CheckpointErrors } from './errors.js';

/**
 * Durable runs: every run event is appended to the run store (a delta, never a rewrite) before the
 * run goes on, so a run survives its process; `weft runs list|show` read the stored runs and
 * `weft resume` continues one from where it stopped.
 */
export default definePlugin<{ durability: Durability }>({
  name: 'checkpoint',
  version: '1.0.0',
  kernel: '^1',
  dependsOn: ['pipeline', 'storage'],
  description: 'Persists run events; weft runs list|show',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: { durability: { enum: ['step', 'exit'], default: 'step', description: 'step: each step is stored before the next starts; exit: a run is stored when it stops' } },
  },
  setup(ctx) {
    const storage = ctx.services.get('storage');
    const runs = () => storage.runs();
    const recorder = new Recorder(runs, ctx.config.durability);
    ctx.hooks.tapPromise('pipeline.event', (event) => recorder.record(event));
    ctx.services.provide('runHistory', { events: (runId) => storedEvents(runs, runId) });
    ctx.hooks.tap('kernel.commands', (commands) => {
      commands.add(listCommand);
      commands.add(showCommand);
    });
  },
});
