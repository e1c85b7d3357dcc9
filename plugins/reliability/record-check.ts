// Records handed to `reliability.add` come from user code, so they are checked in full before
// anything is stored: a record that reads would later skip must be refused where it was made.
import { WeftError } from '#kernel';
import { COST_CATEGORIES } from './cost.js';
import { ReliabilityErrors } from './errors.js';
import { misfit, SHAPES, type Field, type RunRecords } from './record-codec.js';

const EXPECTED: Record<Field, string> = {
  string: 'a string',
  number: 'a finite number',
  boolean: 'a boolean',
  object: 'an object',
  'string?': 'a string when given',
  'number?': 'a finite number when given',
};

const invalid = (what: string, path?: string): WeftError =>
  new WeftError(ReliabilityErrors.RECORD_INVALID, `reliability.add: ${what}; nothing was stored`, path === undefined ? {} : { path });

/** The run, step and cost records of an `add` call, checked; throws RELIABILITY_RECORD_INVALID naming the first bad field's path. */
export function checkAdded(records: unknown): RunRecords {
  if (typeof records !== 'object' || records === null) throw invalid('the argument must be an object { runs?, steps?, costs? }');
  const checked: RunRecords = { runs: [], steps: [], costs: [] };
  for (const kind of ['runs', 'steps', 'costs'] as const) {
    const items: unknown = (records as Record<string, unknown>)[kind] ?? [];
    if (!Array.isArray(items)) throw invalid(`${kind} must be an array`, kind);
    const shape: Record<string, Field> = SHAPES[kind];
    items.forEach((item: unknown, i) => {
      const field = misfit(item, shape);
      if (field === '') throw invalid(`${kind}[${i}] must be an object`, `${kind}[${i}]`);
      if (field !== undefined) throw invalid(`${kind}[${i}].${field} must be ${EXPECTED[shape[field]!]}`, `${kind}[${i}].${field}`);
    });
    (checked[kind] as unknown[]).push(...items);
  }
  checked.costs.forEach((cost, i) => {
    if (!COST_CATEGORIES.includes(cost.category)) throw invalid(`costs[${i}].category must be one of ${COST_CATEGORIES.join(', ')}`, `costs[${i}].category`);
  });
  return checked;
}
