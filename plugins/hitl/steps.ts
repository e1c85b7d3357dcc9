import type { JsonObject, StepContext, StepFunction } from '#kernel';
import { checkConfig, defaultResponse, formOf, type HitlStepType } from './step-config.js';

/** Suspends with a request built from the step config; the step's output on resume passes its input on. */
function ask(type: HitlStepType, input: JsonObject, ctx: StepContext, extra: JsonObject = {}): never {
  const { prompt, assignees, timeout_seconds, default_action } = ctx.config;
  return ctx.suspend({
    interaction_id: `${ctx.run_id}:${ctx.step_id}:${ctx.iteration}`,
    prompt: prompt ?? 'Human input required',
    ui_schema: formOf(type, ctx.config),
    ...(assignees === undefined ? {} : { assignees }),
    ...(timeout_seconds === undefined ? {} : { timeout_seconds }),
    ...(default_action === undefined ? {} : { default_action: defaultResponse(default_action) }),
    ...extra,
    output: { ...input, ...(extra['output'] as JsonObject | undefined) },
  });
}

/** `HumanInput`: asks for the configured form. */
export const humanInput: StepFunction = (input, ctx) => ask('HumanInput', input, ctx);

/** `ReviewAndApprove`: shows `config.content_key` of the input (default `content`, else the whole input) for a decision. */
export const reviewAndApprove: StepFunction = (input, ctx) => {
  const key = String(ctx.config['content_key'] ?? 'content');
  const content = input[key] ?? input;
  const review_content = { content, content_type: typeof content };
  return ask('ReviewAndApprove', input, ctx, { ui_schema: { ...formOf('ReviewAndApprove', ctx.config), review_content }, output: { review_content } });
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
  return ask('ConditionalReview', input, ctx, { trigger_reason: reasons.join('; '), output: { trigger_reason: reasons.join('; ') } });
};

/** `TimeBoxedDecision`: a decision that takes `default_action` when nobody answers within `timeout_seconds`. */
export const timeBoxedDecision: StepFunction = (input, ctx) => ask('TimeBoxedDecision', input, ctx, { urgent: true });

/**
 * `MultiStakeholderDecision`: each of `config.stakeholders` votes separately (approve or reject);
 * the step completes when `decision_type` (consensus, majority, any; default consensus) is decided.
 */
export const multiStakeholderDecision: StepFunction = (input, ctx) => {
  const stakeholders = ctx.config['stakeholders'] as string[];
  return ask('MultiStakeholderDecision', input, ctx, { assignees: stakeholders, decision_type: ctx.config['decision_type'] ?? 'consensus' });
};

/** A step whose config is checked before it runs: the check `weft validate` makes, on the values templates resolved to. */
const checked =
  (type: HitlStepType, step: StepFunction): StepFunction =>
  (input, ctx) => {
    checkConfig(type, ctx);
    return step(input, ctx);
  };

/** The step types the plugin registers, by class name. */
export const HITL_STEPS: Record<HitlStepType, StepFunction> = {
  HumanInput: checked('HumanInput', humanInput),
  ReviewAndApprove: checked('ReviewAndApprove', reviewAndApprove),
  ConditionalReview: checked('ConditionalReview', conditionalReview),
  TimeBoxedDecision: checked('TimeBoxedDecision', timeBoxedDecision),
  MultiStakeholderDecision: checked('MultiStakeholderDecision', multiStakeholderDecision),
};
