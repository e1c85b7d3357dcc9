import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { KernelErrors, WeftError } from './errors.js';
import type { JsonSchema } from './plugin.js';

// One validator per kernel process: ajv caches compiled schemas by identity. `useDefaults` fills
// in defaults as it validates, so callers validate a copy they own.
const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true, allowUnionTypes: true });
const compiled = new WeakMap<JsonSchema, ValidateFunction>();

/** Compiles `schema` once; throws ajv's error when the schema itself is malformed. */
export function compileSchema(schema: JsonSchema): ValidateFunction {
  let validate = compiled.get(schema);
  if (validate === undefined) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

/**
 * Validates `value` (in place: defaults are filled in) and throws KERNEL_CONFIG_INVALID whose
 * message names each offending field by its dotted path under `root`, e.g.
 * `plugins.http.port must be an integer`.
 */
export function validateConfig(schema: JsonSchema, value: unknown, root: string): void {
  const validate = compileSchema(schema);
  if (validate(value)) return;
  const problems = validate.errors!.map((error) => describe(error, root));
  throw new WeftError(KernelErrors.CONFIG_INVALID, `Invalid configuration: ${problems.map((p) => p.message).join('; ')}`, {
    path: problems[0]!.path,
    data: { errors: problems },
  });
}

function describe(error: ErrorObject, root: string): { path: string; message: string } {
  const segments = error.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const params = error.params as { additionalProperty?: string; missingProperty?: string; type?: string };
  const named = params.additionalProperty ?? params.missingProperty;
  if (named !== undefined) segments.push(named);
  const path = [root, ...segments].filter((s) => s !== '').join('.') || 'config';
  const message =
    error.keyword === 'additionalProperties' ? 'is not a known option'
    : error.keyword === 'required' ? 'is required'
    : error.keyword === 'type' ? `must be ${article(params.type!)}`
    : error.message!;
  return { path, message: `${path} ${message}` };
}

// ajv's type error reads "must be integer"; people write "must be an integer".
function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
