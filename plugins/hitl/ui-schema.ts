import { WeftError, type JsonObject } from '#kernel';
import { HitlErrors } from './errors.js';

/** One form field of a ui_schema. */
export interface UiField {
  name: string;
  type: 'text' | 'textarea' | 'number' | 'select' | 'radio' | 'checkbox' | 'hidden';
  label?: string;
  required?: boolean;
  options?: (string | { value: unknown; label?: string })[];
  min?: number;
  max?: number;
  [key: string]: unknown;
}

/** A form a human fills in: `{ type?, title?, description?, fields }`. */
export interface UiSchema {
  fields?: UiField[];
  [key: string]: unknown;
}

/** What is wrong with one field's value, or undefined when it is acceptable. */
function problem(field: UiField, value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return field.required === true ? 'is required' : undefined;
  switch (field.type) {
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number';
      if (field.min !== undefined && value < field.min) return `must be at least ${field.min}`;
      if (field.max !== undefined && value > field.max) return `must be at most ${field.max}`;
      return undefined;
    case 'select':
    case 'radio': {
      const allowed = (field.options ?? []).map((o) => (typeof o === 'string' ? o : o.value));
      return allowed.includes(value) ? undefined : `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`;
    }
    case 'checkbox':
      if (typeof value !== 'boolean') return 'must be true or false';
      // A required checkbox is an acknowledgement: it must be ticked.
      return field.required === true && !value ? 'must be checked' : undefined;
    default:
      return typeof value === 'string' ? undefined : 'must be a string';
  }
}

/** The first field of `response` that does not fit `schema`, with what is wrong; undefined when it fits. */
export function responseProblem(schema: UiSchema | undefined, response: JsonObject): { field: string; problem: string } | undefined {
  for (const field of schema?.fields ?? []) {
    const wrong = problem(field, response[field.name]);
    if (wrong !== undefined) return { field: field.name, problem: wrong };
  }
  return undefined;
}

/** Checks a response against a ui_schema; HITL_INVALID_RESPONSE naming the first bad field's path. */
export function validateResponse(schema: UiSchema | undefined, response: JsonObject): void {
  const wrong = responseProblem(schema, response);
  if (wrong === undefined) return;
  const path = `response.${wrong.field}`;
  throw new WeftError(HitlErrors.INVALID_RESPONSE, `${path} ${wrong.problem}; the interaction is still pending`, { path, data: { field: wrong.field } });
}

/** The field types a ui_schema may use. */
export const FIELD_TYPES: readonly UiField['type'][] = ['text', 'textarea', 'number', 'select', 'radio', 'checkbox', 'hidden'];

const isObject = (value: unknown): value is JsonObject => value !== null && typeof value === 'object' && !Array.isArray(value);

/** What is wrong with one field declaration, as [key below the field, problem]; undefined when it is well formed. */
function fieldProblem(field: unknown): [string, string] | undefined {
  if (!isObject(field)) return ['', 'must be an object with name and type'];
  if (typeof field['name'] !== 'string' || field['name'] === '') return ['.name', 'must be a non-empty string'];
  if (!FIELD_TYPES.includes(field['type'] as never)) return ['.type', `must be one of ${FIELD_TYPES.join(', ')}, got ${JSON.stringify(field['type'])}`];
  const options = field['options'];
  const choice = field['type'] === 'select' || field['type'] === 'radio';
  if (choice && !(Array.isArray(options) && options.length > 0 && options.every((o) => typeof o === 'string' || (isObject(o) && 'value' in o)))) {
    return ['.options', 'must be a non-empty list of values or { value, label } objects'];
  }
  for (const bound of ['min', 'max']) if (field[bound] !== undefined && typeof field[bound] !== 'number') return [`.${bound}`, 'must be a number'];
  if (field['required'] !== undefined && typeof field['required'] !== 'boolean') return ['.required', 'must be true or false'];
  return undefined;
}

/** The problems of a ui_schema declared at `at` (`config.ui_schema`), each at the path of its field. */
export function uiSchemaProblems(schema: unknown, at: string): { path: string; message: string }[] {
  if (!isObject(schema)) return [{ path: at, message: 'must be an object ({ title?, fields? })' }];
  const fields = schema['fields'];
  if (fields === undefined) return [];
  if (!Array.isArray(fields)) return [{ path: `${at}.fields`, message: 'must be a list of fields' }];
  return fields.flatMap((field, i) => {
    const wrong = fieldProblem(field);
    return wrong === undefined ? [] : [{ path: `${at}.fields[${i}]${wrong[0]}`, message: wrong[1] }];
  });
}
