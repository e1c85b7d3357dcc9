// How reliability records travel through the storage contracts' record store. One record per
// ended run holds its run record, step records and cost entries (one write per run, not one per
// step), stamped with the latest time among them; measurements are records of their own. Reads
// check every item's shape, so a foreign or damaged row is counted and skipped, never trusted.
import type { StoredRecord } from '#kernel';
import type { CostEntry } from './cost.js';
import type { Measurement } from './measurements.js';
import type { RunRecord, StepRecord } from './records.js';

/** The record kinds the reliability plugin stores. */
export const KINDS = { run: 'reliability.run', measurement: 'reliability.measurement' } as const;

/** A field's type; a trailing `?` marks a field that may be absent. */
export type Field = 'string' | 'number' | 'boolean' | 'object' | 'string?' | 'number?';
type Shape = Record<string, Field>;

/** The fields of each record kind, as `add` checks them and reads expect them. */
export const SHAPES = {
  runs: { run_id: 'string', pipeline: 'string', success: 'boolean', retries: 'number', required_human: 'boolean', at: 'number', duration_ms: 'number?', tokens: 'number?', cost_usd: 'number?' },
  steps: { run_id: 'string', pipeline: 'string', step_id: 'string', success: 'boolean', required_compensation: 'boolean', required_human: 'boolean', at: 'number', tool_duration_ms: 'number?', mode: 'string?', declared_mode: 'string?' },
  costs: { category: 'string', amount_usd: 'number', quantity: 'number', unit_cost: 'number', at: 'number', agent: 'string', context: 'object', run_id: 'string?', pipeline: 'string?' },
} as const satisfies Record<string, Shape>;
const MEASUREMENT: Shape = { kind: 'string', run_id: 'string', pipeline: 'string', at: 'number', success: 'boolean' };

/** Whether a value has a field's type (a number must be finite, an object not an array); an optional field may be absent. */
function fitsField(value: unknown, field: Field): boolean {
  const optional = field.endsWith('?');
  if (value === undefined) return optional;
  const type = optional ? field.slice(0, -1) : field;
  if (type === 'number') return typeof value === 'number' && Number.isFinite(value);
  if (type === 'object') return typeof value === 'object' && value !== null && !Array.isArray(value);
  return typeof value === type;
}

/** The first field of `value` that does not fit `shape` (`''` when `value` is not an object), or undefined when all do. */
export function misfit(value: unknown, shape: Shape): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return '';
  return Object.keys(shape).find((field) => !fitsField((value as Record<string, unknown>)[field], shape[field]!));
}

const fits = (value: unknown, shape: Shape): boolean => misfit(value, shape) === undefined;

/** What one run (or one `add` call) contributes. */
export interface RunRecords {
  runs: RunRecord[];
  steps: StepRecord[];
  costs: CostEntry[];
}

/**
 * The stored record of one run's records; `id` is the run id, so recording a run again replaces
 * it. Step records that share the record's run and pipeline leave those fields to the record.
 */
export function encodeRuns(id: string, records: RunRecords): StoredRecord {
  const pipeline = records.runs[0]?.pipeline ?? records.steps[0]?.pipeline;
  const runId = records.runs[0]?.run_id ?? records.steps[0]?.run_id;
  let at = 0;
  for (const item of records.runs) at = Math.max(at, item.at);
  const steps = records.steps.map((step) => {
    at = Math.max(at, step.at);
    if (step.run_id !== runId || step.pipeline !== pipeline) return step;
    const { run_id: _run, pipeline: _pipeline, ...own } = step;
    return own;
  });
  for (const item of records.costs) at = Math.max(at, item.at);
  return {
    kind: KINDS.run,
    id,
    at: Math.round(at),
    data: { runs: records.runs, steps, costs: records.costs },
    ...(pipeline === undefined ? {} : { pipeline }),
    ...(runId === undefined ? {} : { run_id: runId }),
  };
}

/** The run, step and cost records in stored run records; `skipped` counts items that are not such records. */
export function decodeRuns(stored: readonly StoredRecord[]): { values: RunRecords; skipped: number } {
  const values: RunRecords = { runs: [], steps: [], costs: [] };
  let skipped = 0;
  for (const { data, run_id, pipeline } of stored) {
    for (const field of ['runs', 'steps', 'costs'] as const) {
      const shape: Shape = SHAPES[field];
      const items: unknown = data[field];
      if (!Array.isArray(items)) {
        skipped++;
        continue;
      }
      for (const stored of items) {
        const item: unknown = field === 'steps' ? { run_id, pipeline, ...(stored as object) } : stored;
        if (fits(item, shape)) (values[field] as unknown[]).push(item);
        else skipped++;
      }
    }
  }
  return { values, skipped };
}

/** The stored record of one SLO measurement. */
export function encodeMeasurement(id: string, m: Measurement): StoredRecord {
  return { kind: KINDS.measurement, id, at: Math.round(m.at), data: m as unknown as Record<string, unknown>, pipeline: m.pipeline, run_id: m.run_id };
}

/** The measurements among stored records; `skipped` counts the others. */
export function decodeMeasurements(stored: readonly StoredRecord[]): { values: Measurement[]; skipped: number } {
  const values = stored.map((r) => r.data).filter((d) => fits(d, MEASUREMENT)) as unknown as Measurement[];
  return { values, skipped: stored.length - values.length };
}
