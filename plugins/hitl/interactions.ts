import { interactionId, type JsonObject, type RunSuspendedEvent } from '#kernel';
import type { UiSchema } from './ui-schema.js';

/** A suspended step waiting for a human: a projection of its run's events. */
export interface Interaction {
  id: string;
  run_id: string;
  pipeline: string;
  step_id: string;
  iteration: number;
  /**
   * The seq of the run.suspended that asked. A run resumed after it failed asks again under the
   * same id; this tells the new question from the old one.
   */
  suspension_seq: number;
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

/** The interaction a suspension of a run of `pipeline` asks for. */
export function interactionOf(suspended: RunSuspendedEvent, pipeline: string): Interaction {
  const request = suspended.request;
  const timeout = request['timeout_seconds'];
  const assignees = request['assignees'];
  const fallback = request['default_action'];
  return {
    id: interactionId(suspended),
    run_id: suspended.run_id,
    pipeline,
    step_id: suspended.step_id,
    iteration: suspended.iteration,
    suspension_seq: suspended.seq,
    prompt: String(request['prompt'] ?? 'Human input required'),
    ui_schema: (request['ui_schema'] ?? {}) as UiSchema,
    ...(Array.isArray(assignees) ? { assignees: assignees.map(String) } : {}),
    created_at: new Date(suspended.at).toISOString(),
    ...(typeof timeout === 'number' ? { expires_at: new Date(suspended.at + timeout * 1000).toISOString() } : {}),
    ...(fallback !== null && typeof fallback === 'object' ? { default_action: fallback as JsonObject } : {}),
    request,
  };
}
