import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { WeftError, importModule, type CommandIO, type JsonObject, type StepImplementation } from '#kernel';
import { PipelineErrors } from '../errors.js';

/** Options shared by the commands that run or resolve steps. */
export const stepsOption = { type: 'string', value: '<module>', description: 'Module whose exports register step classes by name' } as const;

function parseJsonObject(text: string, what: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e: unknown) {
    throw new WeftError(PipelineErrors.BAD_INPUT, `${what} is not valid JSON: ${(e as Error).message}`, { path: what });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new WeftError(PipelineErrors.BAD_INPUT, `${what} must be a JSON object`, { path: what });
  }
  return value as JsonObject;
}

/** `--input <json>` or `--input @file.json`. */
export async function readInput(raw: string | undefined, cwd: string): Promise<JsonObject> {
  if (raw === undefined) return {};
  if (!raw.startsWith('@')) return parseJsonObject(raw, '--input');
  const file = resolve(cwd, raw.slice(1));
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e: unknown) {
    throw new WeftError(PipelineErrors.BAD_INPUT, `--input file ${file} cannot be read: ${(e as NodeJS.ErrnoException).code}`, { path: '--input' });
  }
  return parseJsonObject(text, `--input ${raw}`);
}

/** `--param key=value` (repeatable); values are JSON when they parse, strings otherwise. */
export function readParams(raw: readonly string[] | undefined): JsonObject {
  const params: JsonObject = {};
  for (const pair of raw ?? []) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new WeftError(PipelineErrors.BAD_INPUT, `--param "${pair}" must look like key=value`, { path: '--param' });
    const text = pair.slice(at + 1);
    let value: unknown = text;
    try {
      value = JSON.parse(text);
    } catch {
      // a plain string
    }
    params[pair.slice(0, at)] = value;
  }
  return params;
}

/** Loads a `--steps` module: every function export is a step under its export name; a default object export adds its entries. */
export async function readSteps(specifier: string | undefined, fromDir: string): Promise<Map<string, StepImplementation>> {
  const steps = new Map<string, StepImplementation>();
  if (specifier === undefined) return steps;
  // `--steps dist/steps.js` names a file even without a leading `./`; other bare names are packages.
  const mod = await importModule(existsSync(resolve(fromDir, specifier)) ? resolve(fromDir, specifier) : specifier, fromDir);
  const defaults = mod['default'];
  const entries = defaults !== null && typeof defaults === 'object' ? [...Object.entries(mod), ...Object.entries(defaults)] : Object.entries(mod);
  for (const [name, value] of entries) if (typeof value === 'function') steps.set(name, value as StepImplementation);
  return steps;
}

/** Prints a bad-input error the way usage errors are printed and returns exit code 2. */
/** `--run-id`: a name a person can type back (`weft resume <id>`): 1–200 characters, no control characters, no space at either end. */
export function readRunId(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (raw.length === 0 || raw.length > 200 || raw.trim() !== raw || /[\u0000-\u001f\u007f]/.test(raw)) {
    throw new WeftError(PipelineErrors.BAD_INPUT, `--run-id must be 1 to 200 characters with no control characters and no space at either end, got ${JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}…` : raw)}`, { path: '--run-id' });
  }
  return raw;
}

export function usage(io: CommandIO, error: WeftError): number {
  io.stderr(`error [${error.code}]: ${error.message}\n`);
  return 2;
}
