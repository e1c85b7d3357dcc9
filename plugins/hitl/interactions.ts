import type { JsonObject, RunEvent, RunSuspendedEvent } from '#kernel';
import type { UiSchema } from './ui-schema.js';

/** A suspended step waiting for a human: a projection of its run's events. */
export interface Interaction {
  id: string;
  run_id: string;
  pipeline: string;
  step_id: string;
  iteration: number;
  prompt: string;
  ui_schema: UiSchema;
  assignees?: string[];
  /** ISO time of the suspension. */
  created_at: string;
  /** ISO time after which the default action applies (or the run fails); absent without a timeout. */
  expires_at?: string;
  default_action?: JsonObject;
  /** The whole request the step made. */
  request: JsonObject;
}

/** The interaction id of a suspension: the step's own, else `<run_id>:<step_id>:<iteration>`. */
export function interactionId(event: RunSuspendedEvent): string {
  const own = event.request['interaction_id'];
  return typeof own === 'string' ? own : `${event.run_id}:${event.step_id}:${event.iteration}`;
}

/** The pending interaction of a run's events: its latest suspension with no later response. */
export function pendingInteraction(events: readonly RunEvent[]): Interaction | undefined {
  const at = events.findLastIndex((e) => e.type === 'run.suspended');
  const suspended = events[at] as RunSuspendedEvent | undefined;
  if (suspended === undefined) return undefined;
  if (events.slice(at + 1).some((e) => e.type === 'run.resumed' && e.step_id === suspended.step_id)) return undefined;
  const start = events[0] as Extract<RunEvent, { type: 'run.started' }>;
  const request = suspended.request;
  const timeout = request['timeout_seconds'];
  const assignees = request['assignees'];
  const fallback = request['default_action'];
  return {
    id: interactionId(suspended),
    run_id: suspended.run_id,
    pipeline: start.pipeline,
    step_id: suspended.step_id,
    iteration: suspended.iteration,
    prompt: String(request['prompt'] ?? 'Human input required'),
    ui_schema: (request['ui_schema'] ?? {}) as UiSchema,
    ...(Array.isArray(assignees) ? { assignees: assignees.map(String) } : {}),
    created_at: new Date(suspended.at).toISOString(),
    ...(typeof timeout === 'number' ? { expires_at: new Date(suspended.at + timeout * 1000).toISOString() } : {}),
    ...(fallback !== null && typeof fallback === 'object' ? { default_action: fallback as JsonObject } : {}),
    request,
  };
}
