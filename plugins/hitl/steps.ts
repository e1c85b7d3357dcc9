import { WeftError, type JsonObject, type StepContext, type StepFunction } from '#kernel';
import { HitlErrors } from './errors.js';
import type { UiSchema } from './ui-schema.js';
import { DECISION_RULES } from './votes.js';

/** The review form: a required decision and optional comments. */
export const REVIEW_FORM: UiSchema = {
  type: 'review_approval',
  title: 'Review',
  fields: [
    { name: 'decision', type: 'radio', label: 'Decision', required: true, options: ['approve', 'reject', 'request_changes'] },
    { name: 'comments', type: 'textarea', label: 'Comments' },
  ],
};

/** The urgent-decision form of a time-boxed decision. */
export const DECISION_FORM: UiSchema = {
  type: 'urgent_decision',
  title: 'Decision required',
  fields: [{ name: 'decision', type: 'radio', label: 'Decision', required: true, options: ['proceed', 'abort', 'modify'] }],
};

/** Suspends with a request built from the step config; the step's output on resume passes its input on. */
function ask(input: JsonObject, ctx: StepContext, extra: JsonObject = {}): never {
  const { prompt, ui_schema, assignees, timeout_seconds, default_action } = ctx.config;
  return ctx.suspend({
    interaction_id: `${ctx.run_id}:${ctx.step_id}:${ctx.iteration}`,
    prompt: prompt ?? 'Human input required',
    ui_schema: ui_schema ?? {},
    ...(assignees === undefined ? {} : { assignees }),
    ...(timeout_seconds === undefined ? {} : { timeout_seconds }),
    ...(default_action === undefined ? {} : { default_action: typeof default_action === 'string' ? { decision: default_action } : default_action }),
    ...extra,
    output: { ...input, ...(extra['output'] as JsonObject | undefined) },
  });
}

/** `HumanInput`: asks for the configured form. */
export const humanInput: StepFunction = (input, ctx) => ask(input, ctx);

/** `ReviewAndApprove`: shows `config.content_key` of the input (default `content`, else the whole input) for a decision. */
export const reviewAndApprove: StepFunction = (input, ctx) => {
  const key = String(ctx.config['content_key'] ?? 'content');
  const content = input[key] ?? input;
  const review_content = { content, content_type: typeof content };
  return ask(input, ctx, { ui_schema: { ...REVIEW_FORM, ...(ctx.config['ui_schema'] as JsonObject | undefined), review_content }, output: { review_content } });
};

/** One condition of a ConditionalReview. */
interface Condition {
  type: 'confidence_threshold' | 'error_occurred' | 'value_check';
  threshold?: number;
  field?: string;
  expected_value?: unknown;
  operator?: 'equals' | 'greater_than' | 'less_than';
}

/** Why a condition fires (human review needed), or undefined when it does not. */
function fires(c: Condition, input: JsonObject): string | undefined {
  if (c.type === 'confidence_threshold') {
    const confidence = Number(input['confidence'] ?? 1);
    const threshold = c.threshold ?? 0.8;
    return confidence < threshold ? `confidence ${confidence} is below ${threshold}` : undefined;
  }
  if (c.type === 'error_occurred') return input['error'] || input['status'] === 'error' ? 'an error occurred' : undefined;
  const value = input[c.field!];
  const expected = c.expected_value as number;
  const met = c.operator === 'greater_than' ? (value as number) > expected : c.operator === 'less_than' ? (value as number) < expected : value === expected;
  // value_check fires when the expectation is not met.
  return met ? undefined : `${c.field} is not ${c.operator ?? 'equals'} ${JSON.stringify(expected)}`;
}

/** `ConditionalReview`: asks only when a condition fires, otherwise passes its input on. */
export const conditionalReview: StepFunction = (input, ctx) => {
  const reasons = ((ctx.config['conditions'] ?? []) as Condition[]).map((c) => fires(c, input)).filter((r) => r !== undefined);
  if (reasons.length === 0) return { ...input, human_input_skipped: true };
  return ask(input, ctx, { trigger_reason: reasons.join('; '), output: { trigger_reason: reasons.join('; ') } });
};

/** `TimeBoxedDecision`: a decision that takes `default_action` when nobody answers within `timeout_seconds`. */
export const timeBoxedDecision: StepFunction = (input, ctx) => {
  for (const option of ['timeout_seconds', 'default_action']) {
    if (ctx.config[option] === undefined) throw new WeftError(HitlErrors.STEP_CONFIG, `Step "${ctx.step_id}" (TimeBoxedDecision) needs config.${option}`, { path: `config.${option}` });
  }
  return ask(input, ctx, { ui_schema: { ...DECISION_FORM, ...(ctx.config['ui_schema'] as JsonObject | undefined) }, urgent: true });
};

/** The vote form of a multi-stakeholder decision. */
export const VOTE_FORM: UiSchema = {
  type: 'stakeholder_vote',
  title: 'Your vote',
  fields: [
    { name: 'decision', type: 'radio', label: 'Vote', required: true, options: ['approve', 'reject'] },
    { name: 'comments', type: 'textarea', label: 'Comments' },
  ],
};

/**
 * `MultiStakeholderDecision`: each of `config.stakeholders` votes separately (approve or reject);
 * the step completes when `decision_type` (consensus, majority, any; default consensus) is decided.
 */
export const multiStakeholderDecision: StepFunction = (input, ctx) => {
  const stakeholders = ctx.config['stakeholders'];
  const rule = ctx.config['decision_type'] ?? 'consensus';
  if (!Array.isArray(stakeholders) || stakeholders.length === 0) {
    throw new WeftError(HitlErrors.STEP_CONFIG, `Step "${ctx.step_id}" (MultiStakeholderDecision) needs config.stakeholders, a non-empty list of user names`, { path: 'config.stakeholders' });
  }
  if (!DECISION_RULES.includes(rule as never)) {
    throw new WeftError(HitlErrors.STEP_CONFIG, `Step "${ctx.step_id}": config.decision_type must be one of ${DECISION_RULES.join(', ')}`, { path: 'config.decision_type' });
  }
  return ask(input, ctx, { ui_schema: VOTE_FORM, assignees: stakeholders.map(String), decision_type: rule });
};

/** The step types the plugin registers, by class name. */
export const HITL_STEPS: Record<string, StepFunction> = {
  HumanInput: humanInput,
  ReviewAndApprove: reviewAndApprove,
  ConditionalReview: conditionalReview,
  TimeBoxedDecision: timeBoxedDecision,
  MultiStakeholderDecision: multiStakeholderDecision,
};
