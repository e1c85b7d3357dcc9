import { defineErrors } from '#kernel';

/** Error codes of the hitl plugin. */
export const HitlErrors = defineErrors('HITL', {
  NOT_FOUND: 'No pending interaction has that id.',
  INVALID_RESPONSE: "A response does not match the interaction's ui_schema; the path names the field.",
  NOT_ASSIGNED: 'The responder is not among the interaction’s assignees.',
  ALREADY_ANSWERED: 'The interaction was answered already; a response is never applied twice.',
  CANCELLED: 'The interaction was cancelled.',
  EXPIRED: 'The interaction passed its deadline: its default action was applied, or the run failed.',
  INPUT_MALFORMED: '`weft hitl respond --input` is not a JSON object (exit status 2).',
  STEP_CONFIG: 'A hitl step’s config lacks a required option or has a bad one; the path names the field (steps[0].config.timeout_seconds).',
});
