import type { JsonObject, RunEvent } from '#kernel';

/**
 * A step's input is usually the very object its predecessor returned. Storing it again would
 * double every step's bytes, so a stored `step.started` names that output instead:
 * `input_ref: "step_id#iteration"`. `expand` puts the object back when the log is read.
 */
export class InputCompactor {
  readonly #outputs = new WeakMap<object, string>();

  /** The event as it should be stored. */
  compact(event: RunEvent): RunEvent {
    if (event.type === 'step.completed') {
      this.#outputs.set(event.output, `${event.step_id}#${event.iteration}`);
      return event;
    }
    if (event.type !== 'step.started') return event;
    const ref = this.#outputs.get(event.input);
    if (ref === undefined) return event;
    const { input: _input, ...rest } = event;
    return { ...rest, input_ref: ref } as unknown as RunEvent;
  }
}

/** Restores the inputs `InputCompactor` replaced by references. */
export function expand(events: readonly RunEvent[]): RunEvent[] {
  const outputs = new Map<string, JsonObject>();
  return events.map((event) => {
    if (event.type === 'step.completed') outputs.set(`${event.step_id}#${event.iteration}`, event.output);
    const ref = (event as { input_ref?: string }).input_ref;
    if (event.type !== 'step.started' || ref === undefined) return event;
    const { input_ref: _ref, ...rest } = event as RunEvent & { input_ref: string };
    // A reference always names an output stored earlier in the same log.
    return { ...rest, input: outputs.get(ref)! } as RunEvent;
  });
}
