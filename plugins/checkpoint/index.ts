import { definePlugin, type RunHistoryService } from '#kernel';
import { listCommand, showCommand, storedEvents } from './commands.js';
import { Leases } from './lease.js';
import { Recorder, STOPS, type Durability } from './recorder.js';

declare module '#kernel' {
  interface Services {
    runHistory: RunHistoryService;
  }
}

export { CheckpointErrors } from './errors.js';

/**
 * Durable runs: every run event is appended to the run store (a delta, never a rewrite) before the
 * run goes on, so a run survives its process; `weft runs list|show` read the stored runs and
 * `weft resume` continues one from where it stopped. A run executing here holds a lease in the
 * key-value store, so another process cannot start or resume it at the same time.
 */
export default definePlugin<{ durability: Durability; lease_seconds: number }>({
  name: 'checkpoint',
  version: '1.0.0',
  kernel: '^1',
  dependsOn: ['pipeline', 'storage'],
  description: 'Persists run events; weft runs list|show',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      durability: { enum: ['step', 'exit'], default: 'step', description: 'step: each step is stored before the next starts; exit: a run is stored when it stops' },
      lease_seconds: { type: 'number', exclusiveMinimum: 0, default: 30, description: "How long a run's lease outlives its process's last renewal (renewed every third of it)" },
    },
  },
  setup(ctx) {
    const storage = ctx.services.get('storage');
    const runs = () => storage.runs();
    const recorder = new Recorder(runs, ctx.config.durability);
    const leases = new Leases(() => storage.kv(), ctx.config.lease_seconds, ctx.log);
    ctx.hooks.tapPromise('pipeline.claim', (run) => leases.claim(run.run_id));
    ctx.hooks.tapPromise('pipeline.event', (event) => (STOPS.has(event.type) ? recorder.record(event).finally(() => leases.release(event.run_id)) : recorder.record(event)));
    ctx.onClose(() => leases.close());
    ctx.services.provide('runHistory', { events: (runId) => storedEvents(runs, runId) });
    ctx.hooks.tap('kernel.commands', (commands) => {
      commands.add(listCommand);
      commands.add(showCommand);
    });
  },
});
