import type { JsonObject, RunEvent, RunSuspendedEvent } from '#kernel';

/** A human answer found in a run's log, with the suspension it answers. */
export interface Answer {
  suspension: RunSuspendedEvent;
  response: JsonObject;
  interaction_id?: string;
}

/** What a run's log says about the steps that asked for human input. */
export interface Suspensions {
  /** Suspensions still waiting for an answer, by step id, in the order they were asked. */
  open: Map<string, RunSuspendedEvent>;
  /** Every answer given, in order; an answer outlives a later failure of the run. */
  answers: Answer[];
}

/**
 * Folds a run's log into its open suspensions and its answers. A `run.resumed` naming a step
 * answers that step's open suspension; a repeated suspension (`continues`) is the same question
 * still open, not a new one; a failed or cancelled run leaves nothing open, so resuming it runs
 * (and asks) those steps again.
 */
export function suspensionsOf(events: readonly RunEvent[]): Suspensions {
  const open = new Map<string, RunSuspendedEvent>();
  const answers: Answer[] = [];
  for (const event of events) {
    if (event.type === 'run.suspended') {
      if (event.continues === undefined) open.set(event.step_id, event);
    } else if (event.type === 'run.resumed') {
      const suspension = event.step_id === undefined ? undefined : open.get(event.step_id);
      if (suspension === undefined || event.response === undefined) continue;
      open.delete(suspension.step_id);
      answers.push({ suspension, response: event.response, ...(event.interaction_id === undefined ? {} : { interaction_id: event.interaction_id }) });
    } else if (event.type === 'run.failed' || event.type === 'run.cancelled') open.clear();
  }
  return { open, answers };
}
