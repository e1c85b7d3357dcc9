import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { WeftError, type Command, type JsonObject, type RunResult, type StepImplementation } from '#kernel';
import { PipelineErrors } from '../errors.js';
import { findMismatch } from '../match.js';
import type { PipelineService } from '../service.js';
import { readSteps, stepsOption } from './options.js';

/** One case of a cases.json file (spec §8). */
export interface TestCase {
  name: string;
  input?: JsonObject;
  parameters?: JsonObject;
  /** Step module, relative to the folder, registered before the run. */
  steps?: string;
  expect: JsonObject;
}

/** The outcome of one case; a folder that cannot run at all is one failed outcome. */
export interface CaseOutcome {
  folder: string;
  name: string;
  ok: boolean;
  reason?: string;
  result?: RunResult;
}

const PIPELINE_FILES = ['pipeline.json', 'pipeline.yaml', 'pipeline.yml'];
const CASE_KEYS = new Set(['name', 'description', 'input', 'parameters', 'steps', 'expect']);

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function casesError(message: string, path: string): WeftError {
  return new WeftError(PipelineErrors.CASES_INVALID, message, { path });
}

/** Checks one entry of cases.json; throws PIPELINE_CASES_INVALID naming the field. */
function checkCase(raw: unknown, at: string): TestCase {
  if (!isObject(raw)) throw casesError(`${at} must be an object with "name" and "expect"`, at);
  const unknown = Object.keys(raw).find((key) => !CASE_KEYS.has(key));
  if (unknown !== undefined) throw casesError(`${at} has an unknown key "${unknown}" (a case has ${[...CASE_KEYS].join(', ')})`, `${at}.${unknown}`);
  if (typeof raw['name'] !== 'string' || raw['name'].trim() === '') throw casesError(`${at}.name must be a non-empty string`, `${at}.name`);
  if (!isObject(raw['expect'])) throw casesError(`${at}.expect must be an object, e.g. { "status": "completed" }`, `${at}.expect`);
  for (const key of ['input', 'parameters'] as const) {
    if (raw[key] !== undefined && !isObject(raw[key])) throw casesError(`${at}.${key} must be an object`, `${at}.${key}`);
  }
  if (raw['steps'] !== undefined && typeof raw['steps'] !== 'string') throw casesError(`${at}.steps must be a module path relative to the folder`, `${at}.steps`);
  return raw as unknown as TestCase;
}

/** Where a suite's files are, and how to name them to the user. */
interface SuiteFiles {
  /** The pipeline file, or undefined when the folder has none. */
  pipeline: string | undefined;
  cases: string;
  /** `cases.json` as the user would write its path. */
  shownCases: string;
}

async function locate(path: string, shown: string): Promise<SuiteFiles> {
  // A pipeline file may be named directly; its cases.json sits beside it.
  const isFile = (await stat(path).catch(() => undefined))?.isFile() === true;
  const dir = isFile ? dirname(path) : path;
  const candidates = isFile ? [path] : PIPELINE_FILES.map((name) => join(dir, name));
  const present = await Promise.all(candidates.map((f) => stat(f).then(() => true, () => false)));
  return { pipeline: candidates[present.indexOf(true)], cases: join(dir, 'cases.json'), shownCases: join(isFile ? dirname(shown) : shown, 'cases.json') };
}

/** The folder's pipeline file and its cases; an entry that is not a valid case is an error in its place. */
async function readSuite(path: string, shown: string): Promise<{ file: string; cases: Array<TestCase | WeftError> }> {
  const files = await locate(path, shown);
  if (files.pipeline === undefined) {
    throw new WeftError(PipelineErrors.FILE_UNREADABLE, `${shown} has no pipeline.json or pipeline.yaml; a test folder holds a pipeline and its cases.json`, { data: { folder: path } });
  }
  let text: string;
  try {
    text = await readFile(files.cases, 'utf8');
  } catch (e: unknown) {
    throw new WeftError(PipelineErrors.CASES_INVALID, `${files.shownCases} cannot be read (${(e as NodeJS.ErrnoException).code}); a test folder needs one, as spec §8 shows`, { cause: e, path: 'cases.json' });
  }
  let cases: unknown;
  try {
    cases = JSON.parse(text);
  } catch (e: unknown) {
    throw casesError(`${files.shownCases} is not valid JSON: ${(e as Error).message}`, 'cases.json');
  }
  if (!Array.isArray(cases) || cases.length === 0) throw casesError(`${files.shownCases} must be a non-empty array of cases`, 'cases.json');
  return {
    file: files.pipeline,
    cases: cases.map((raw: unknown, i) => {
      try {
        return checkCase(raw, `cases[${i}]`);
      } catch (e: unknown) {
        return e as WeftError;
      }
    }),
  };
}

/** A coded error on one line: PIPELINE_INVALID's issue lines are joined with "; ". */
function describeError(e: WeftError): string {
  const [first, ...issues] = e.message.split('\n');
  return `[${e.code}] ${[first, issues.map((line) => line.trim()).join('; ')].join(' ').trim()}`;
}

/** Runs one case; a problem loading steps or the pipeline fails the case without running a step. */
async function runCase(pipeline: PipelineService, file: string, folder: string, testCase: TestCase, common: ReadonlyMap<string, StepImplementation>): Promise<CaseOutcome> {
  const outcome = { folder, name: testCase.name };
  let result: RunResult;
  try {
    const own = await readSteps(testCase.steps, dirname(file));
    const steps = new Map([...common, ...own]);
    const def = await pipeline.load(file, { steps });
    result = await pipeline.run(def, { input: testCase.input ?? {}, parameters: testCase.parameters ?? {}, steps });
  } catch (e: unknown) {
    /* c8 ignore next -- the kernel and engine code every error they mean; anything else is a bug in weft and must surface */
    if (!(e instanceof WeftError)) throw e;
    return { ...outcome, ok: false, reason: describeError(e) };
  }
  const mismatch = findMismatch(result, testCase.expect);
  if (mismatch === undefined) return { ...outcome, ok: true, result };
  const error = result.error === null ? '' : ` (run error [${result.error.code}]${result.error.step_id === undefined ? '' : ` in ${result.error.step_id}`}: ${result.error.message})`;
  return { ...outcome, ok: false, reason: `${mismatch.message}${error}`, result };
}

/** Runs every case of one folder; a folder that cannot be read is one failed outcome. */
async function runFolder(pipeline: PipelineService, folder: string, path: string, common: ReadonlyMap<string, StepImplementation>, report: (o: CaseOutcome) => void): Promise<void> {
  let suite: Awaited<ReturnType<typeof readSuite>>;
  try {
    suite = await readSuite(path, folder);
  } catch (e: unknown) {
    const error = e as WeftError;
    report({ folder, name: error.code === PipelineErrors.CASES_INVALID ? 'cases.json' : 'pipeline', ok: false, reason: describeError(error) });
    return;
  }
  for (const [i, entry] of suite.cases.entries()) {
    if (entry instanceof WeftError) report({ folder, name: `cases[${i}]`, ok: false, reason: describeError(entry) });
    else report(await runCase(pipeline, suite.file, folder, entry, common));
  }
}

function line(o: CaseOutcome): string {
  return o.ok ? `✓ ${o.folder} › ${o.name}\n` : `✗ ${o.folder} › ${o.name}: ${o.reason!}\n`;
}

/** `weft test <folder>…`: runs pipeline test cases (spec §8). */
export const testCommand: Command = {
  name: 'test',
  summary: 'Run the cases.json test cases of pipeline folders',
  args: '<folder>...',
  positionals: { min: 1, max: Infinity },
  description:
    'Each folder holds pipeline.json (or pipeline.yaml) and cases.json: [{ name, input?, parameters?, steps?, expect }].\n' +
    '`expect` is a deep subset of the run result; arrays match element by element and in length.\n' +
    'Prints one line per case and "N passed, N failed". Exit status: 0 all passed, 1 any failed.',
  options: {
    json: { type: 'boolean', description: 'Print { passed, failed, cases } as JSON' },
    steps: stepsOption,
  },
  async run({ positionals, values, io, services }) {
    const json = values['json'] === true;
    const common = await readSteps(values['steps'] as string | undefined, io.cwd);
    const pipeline = services.get('pipeline');
    const outcomes: CaseOutcome[] = [];
    const report = (o: CaseOutcome): void => {
      outcomes.push(o);
      if (!json) io.stdout(line(o));
    };
    for (const folder of positionals) await runFolder(pipeline, folder.replace(/(.)\/+$/, '$1'), resolve(io.cwd, folder), common, report);
    const passed = outcomes.filter((o) => o.ok).length;
    const failed = outcomes.length - passed;
    io.stdout(json ? `${JSON.stringify({ passed, failed, cases: outcomes }, null, 2)}\n` : `${passed} passed, ${failed} failed\n`);
    return failed > 0 ? 1 : 0;
  },
};
