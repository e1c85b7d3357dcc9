import { WeftError, type JsonObject, type StepContext } from '#kernel';
import { HitlErrors } from './errors.js';
import { DECISION_FORM, REVIEW_FORM, VOTE_FORM } from './forms.js';
import { responseProblem, uiSchemaProblems, type UiSchema } from './ui-schema.js';
import { DECISION_RULES } from './votes.js';

/** A problem in a hitl step's config: the path below the step (`config.timeout_seconds`) and what is wrong. */
export interface ConfigProblem {
  path: string;
  problem: string;
}

const own = (config: JsonObject): JsonObject => (config['ui_schema'] ?? {}) as JsonObject;

/** The form each hitl step type asks with, from its config; the keys are the step types. */
const FORMS = {
  HumanInput: (config: JsonObject): UiSchema => own(config),
  ReviewAndApprove: (config: JsonObject): UiSchema => ({ ...REVIEW_FORM, ...own(config) }),
  ConditionalReview: (config: JsonObject): UiSchema => own(config),
  TimeBoxedDecision: (config: JsonObject): UiSchema => ({ ...DECISION_FORM, ...own(config) }),
  MultiStakeholderDecision: (): UiSchema => VOTE_FORM,
};

/** A hitl step type's class name. */
export type HitlStepType = keyof typeof FORMS;

/** Whether a step class is one of the hitl step types. */
export const isHitlStep = (name: unknown): name is HitlStepType => typeof name === 'string' && Object.hasOwn(FORMS, name);

/** The form a step of `type` asks with. */
export const formOf = (type: HitlStepType, config: JsonObject): UiSchema => FORMS[type](config);

/** The response a default action stands for: a bare decision name is `{ decision }`. */
export const defaultResponse = (action: unknown): JsonObject => (typeof action === 'string' ? { decision: action } : (action as JsonObject));

/** Whether a value holds a `{{ template }}`: only the run, which fills it in, can check it. */
const templated = (value: unknown): boolean => (typeof value === 'string' ? value.includes('{{') : value !== null && typeof value === 'object' && Object.values(value).some(templated));

const CONDITION_TYPES = ['confidence_threshold', 'error_occurred', 'value_check'];
const OPERATORS = ['equals', 'greater_than', 'less_than'];
const isObject = (value: unknown): value is JsonObject => value !== null && typeof value === 'object' && !Array.isArray(value);
const names = (value: unknown): boolean => Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string' && v !== '');

/** What is wrong with one ConditionalReview condition, as [key below it, problem]. */
function conditionProblem(c: unknown): [string, string] | undefined {
  if (!isObject(c)) return ['', 'must be an object with a type'];
  if (!CONDITION_TYPES.includes(c['type'] as string)) return ['.type', `must be one of ${CONDITION_TYPES.join(', ')}, got ${JSON.stringify(c['type'])}`];
  if (c['threshold'] !== undefined && typeof c['threshold'] !== 'number') return ['.threshold', 'must be a number'];
  if (c['type'] === 'value_check' && (typeof c['field'] !== 'string' || c['field'] === '')) return ['.field', 'must name the input field to check'];
  if (c['operator'] !== undefined && !OPERATORS.includes(c['operator'] as string)) return ['.operator', `must be one of ${OPERATORS.join(', ')}`];
  return undefined;
}

/** Problems of the options only some step types have. */
function typeProblems(type: HitlStepType, config: JsonObject, add: (key: string, problem: string) => void): void {
  if (type === 'TimeBoxedDecision') {
    for (const key of ['timeout_seconds', 'default_action']) if (config[key] === undefined) add(key, 'is required: a TimeBoxedDecision takes its default action when nobody answers in time');
  } else if (type === 'MultiStakeholderDecision') {
    if (!names(config['stakeholders'])) add('stakeholders', 'must be a non-empty list of user names');
    const rule = config['decision_type'];
    if (rule !== undefined && !DECISION_RULES.includes(rule as never)) add('decision_type', `must be one of ${DECISION_RULES.join(', ')}, got ${JSON.stringify(rule)}`);
  } else if (type === 'ConditionalReview') {
    const conditions = config['conditions'] ?? [];
    if (!Array.isArray(conditions)) add('conditions', 'must be a list of conditions');
    else {
      conditions.forEach((c: unknown, i: number) => {
        const wrong = conditionProblem(c);
        if (wrong) add(`conditions[${i}]${wrong[0]}`, wrong[1]);
      });
    }
  } else if (type === 'ReviewAndApprove' && config['content_key'] !== undefined && typeof config['content_key'] !== 'string') add('content_key', 'must be the name of an input field');
}

/**
 * Every problem of a hitl step's config, at paths below the step. A value that holds a template is
 * left to the run, which checks the resolved config the same way.
 */
export function configProblems(type: HitlStepType, config: JsonObject): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add = (key: string, problem: string): void => void problems.push({ path: `config.${key}`, problem });
  const known = (key: string): boolean => config[key] !== undefined && !templated(config[key]);
  if (known('prompt') && typeof config['prompt'] !== 'string') add('prompt', 'must be a string');
  if (known('assignees') && !names(config['assignees'])) add('assignees', 'must be a non-empty list of user names');
  const timeout = config['timeout_seconds'];
  if (known('timeout_seconds') && !(typeof timeout === 'number' && timeout > 0 && Number.isFinite(timeout))) add('timeout_seconds', `must be a positive number of seconds, got ${JSON.stringify(timeout)}`);
  const form = known('ui_schema') ? uiSchemaProblems(config['ui_schema'], 'ui_schema') : [];
  for (const { path, message } of form) add(path, message);
  typeProblems(type, config, add);
  const action = config['default_action'];
  if (known('default_action') && typeof action !== 'string' && !isObject(action)) add('default_action', 'must be a response object, or a decision name');
  else if (known('default_action') && form.length === 0 && !templated(config['ui_schema'])) {
    const wrong = responseProblem(formOf(type, config), defaultResponse(action));
    if (wrong) add(typeof action === 'string' ? 'default_action' : `default_action.${wrong.field}`, `${wrong.problem} (it is the response when nobody answers)`);
  }
  return problems;
}

/** The problems of one step of a pipeline document declared at `at` (`steps[0]`), when it is a hitl step. */
export function stepIssues(step: JsonObject, at: string): { code: string; path: string; message: string }[] {
  const type = step['step_class'] ?? step['class'];
  if (!isHitlStep(type)) return [];
  return configProblems(type, (step['config'] ?? {}) as JsonObject).map(({ path, problem }) => ({ code: HitlErrors.STEP_CONFIG, path: `${at}.${path}`, message: `Step "${String(step['id'])}" (${type}): ${at}.${path} ${problem}` }));
}

/** Refuses a hitl step's resolved config at run time: HITL_STEP_CONFIG at the full path of the first problem. */
export function checkConfig(type: HitlStepType, ctx: StepContext): void {
  const problems = configProblems(type, ctx.config).map(({ path, problem }) => ({ path: `${ctx.path}.${path}`, problem }));
  if (problems.length === 0) return;
  const all = problems.map(({ path, problem }) => `${path} ${problem}`).join('; ');
  throw new WeftError(HitlErrors.STEP_CONFIG, `Step "${ctx.step_id}" (${type}): ${all}`, { path: problems[0]!.path, data: { step_id: ctx.step_id, problems } });
}
