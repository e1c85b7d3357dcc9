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

/** Checks a response against a ui_schema; HITL_INVALID_RESPONSE naming the first bad field's path. */
export function validateResponse(schema: UiSchema | undefined, response: JsonObject): void {
  for (const field of schema?.fields ?? []) {
    const wrong = problem(field, response[field.name]);
    if (wrong !== undefined) {
      const path = `response.${field.name}`;
      throw new WeftError(HitlErrors.INVALID_RESPONSE, `${path} ${wrong}; the interaction is still pending`, { path, data: { field: field.name } });
    }
  }
}
