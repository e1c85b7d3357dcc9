import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { JsonObject } from '#kernel';
import { PipelineErrors } from './errors.js';

/** A validation problem with a stable code and the JSON path of the offending field. */
export interface Issue {
  code: string;
  message: string;
  path: string;
}

/** The pipeline JSON Schema shipped as `weft/pipeline.schema.json`; the validator uses this same object. */
export const pipelineSchema = JSON.parse(readFileSync(new URL('./pipeline.schema.json', import.meta.url), 'utf8')) as JsonObject;

let validator: ValidateFunction | undefined;

/** `/steps/0/retry` → `steps[0].retry`. */
export function jsonPath(instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, seg) => (/^\d+$/.test(seg) ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), '');
}

function describe(error: ErrorObject): Issue {
  const base = jsonPath(error.instancePath);
  const at = (p: string) => (base ? `${base}.${p}` : p);
  if (error.keyword === 'required') {
    const missing = (error.params as { missingProperty: string }).missingProperty;
    return { code: PipelineErrors.SCHEMA, path: at(missing), message: `${at(missing)} is required` };
  }
  const where = base || '(root)';
  if (error.keyword === 'enum') {
    const allowed = (error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ');
    return { code: PipelineErrors.SCHEMA, path: base, message: `${where} must be one of ${allowed}` };
  }
  if (error.keyword === 'additionalProperties') {
    const extra = (error.params as { additionalProperty: string }).additionalProperty;
    return { code: PipelineErrors.SCHEMA, path: at(extra), message: `${at(extra)} is not a known field here` };
  }
  // Ajv fills `message` on every error unless it is created with `messages: false`.
  return { code: PipelineErrors.SCHEMA, path: base, message: `${where} ${error.message!}` };
}

/** Checks a parsed document against the pipeline schema. */
export function schemaIssues(document: unknown): Issue[] {
  validator ??= new Ajv({ allErrors: true, strict: false }).compile(pipelineSchema);
  if (validator(document)) return [];
  const errors = validator.errors!;
  // anyOf over transition dialects reports each branch; keep the summary, drop the branch noise.
  const anyOfPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  const issues = errors
    .filter((e) => !(anyOfPaths.has(e.instancePath) && e.keyword === 'required'))
    .map((e) => (e.keyword === 'anyOf' ? { code: PipelineErrors.SCHEMA, path: jsonPath(e.instancePath), message: `${jsonPath(e.instancePath)} needs "from" and "to" (or "from_step" and "to_step")` } : describe(e)));
  return issues.filter((issue, i) => issues.findIndex((o) => o.message === issue.message) === i);
}

/** `path: message`, unless the message already starts with its path. */
export function formatIssue(issue: Issue): string {
  return !issue.path || issue.message.startsWith(issue.path) ? issue.message : `${issue.path}: ${issue.message}`;
}
