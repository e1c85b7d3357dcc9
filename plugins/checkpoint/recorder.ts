import type { RunEvent, RunStore } from '#kernel';
import { InputCompactor } from './compact.js';

/** When buffered events are written: before the next step starts, or only when the run stops. */
export type Durability = 'step' | 'exit';

/** The events after which a run is no longer executing. */
export const STOPS = new Set<RunEvent['type']>(['run.completed', 'run.failed', 'run.cancelled', 'run.suspended']);
const STEP_BOUNDARIES = new Set<RunEvent['type']>(['run.started', 'run.resumed', 'route.decided', 'step.failed', ...STOPS]);

interface Pending {
  events: RunEvent[];
  compactor: InputCompactor;
  /** The run's appends, in order: branches of a fan-out finish concurrently, their batches must not. */
  written: Promise<void>;
}

/**
 * Persists run events as appended deltas. With `step` durability the events of one step
 * (started, completed, route decided) go out in one append before the next step starts: one
 * commit per step. With `exit`, a run's events go out together when it stops.
 */
export class Recorder {
  readonly #runs = new Map<string, Pending>();
  readonly #store: () => Promise<RunStore>;
  readonly #boundaries: ReadonlySet<RunEvent['type']>;

  constructor(store: () => Promise<RunStore>, durability: Durability) {
    this.#store = store;
    this.#boundaries = durability === 'step' ? STEP_BOUNDARIES : STOPS;
  }

  /** Records one event; resolves once it (and what was buffered before it) is stored, when it ends a batch. */
  async record(event: RunEvent): Promise<void> {
    let pending = this.#runs.get(event.run_id);
    if (!pending) this.#runs.set(event.run_id, (pending = { events: [], compactor: new InputCompactor(), written: Promise.resolve() }));
    pending.events.push(pending.compactor.compact(event));
    if (!this.#boundaries.has(event.type)) return;
    const batch = pending.events;
    pending.events = [];
    // After a failed append every later one of the run fails with it: nothing is written past a gap.
    pending.written = pending.written.then(async () => (await this.#store()).append(batch));
    if (STOPS.has(event.type)) this.#runs.delete(event.run_id);
    await pending.written;
  }
}
