// How reliability records travel through the storage contracts' record store: one record kind
// each, the run id and pipeline as indexed dimensions, the record itself as data. Reads check
// the shape, so a foreign or damaged row is counted and skipped instead of poisoning a report.
import type { StoredRecord } from '#kernel';
import type { CostEntry } from './cost.js';
import type { Measurement } from './measurements.js';
import type { RunRecord, StepRecord } from './records.js';

/** The record kinds the reliability plugin stores. */
export const KINDS = { run: 'reliability.run', step: 'reliability.step', measurement: 'reliability.measurement', cost: 'reliability.cost' } as const;

type Shape = Record<string, 'string' | 'number' | 'boolean'>;

const SHAPES: Record<keyof typeof KINDS, Shape> = {
  run: { run_id: 'string', pipeline: 'string', success: 'boolean', retries: 'number', required_human: 'boolean', duration_ms: 'number', tokens: 'number', cost_usd: 'number', at: 'number' },
  step: { run_id: 'string', pipeline: 'string', step_id: 'string', success: 'boolean', required_compensation: 'boolean', required_human: 'boolean', tool_duration_ms: 'number', at: 'number' },
  measurement: { kind: 'string', run_id: 'string', pipeline: 'string', at: 'number', success: 'boolean' },
  cost: { category: 'string', amount_usd: 'number', quantity: 'number', unit_cost: 'number', at: 'number', agent: 'string' },
};

/** Wraps a record for the store; `id` is unique within its kind (a replayed projection replaces itself). */
export function encode(kind: keyof typeof KINDS, id: string, value: { at: number; pipeline?: string; run_id?: string }): StoredRecord {
  return {
    kind: KINDS[kind],
    id,
    at: value.at,
    data: value as unknown as Record<string, unknown>,
    ...(value.pipeline === undefined ? {} : { pipeline: value.pipeline }),
    ...(value.run_id === undefined ? {} : { run_id: value.run_id }),
  };
}

/** The records of a kind whose data has the kind's fields; `skipped` counts the others. */
export function decode<K extends keyof typeof KINDS>(kind: K, stored: readonly StoredRecord[]): { values: Decoded[K][]; skipped: number } {
  const shape = SHAPES[kind];
  const values: Decoded[K][] = [];
  for (const record of stored) {
    const data = record.data;
    if (Object.entries(shape).every(([field, type]) => typeof data[field] === type)) values.push(data as unknown as Decoded[K]);
  }
  return { values, skipped: stored.length - values.length };
}

interface Decoded {
  run: RunRecord;
  step: StepRecord;
  measurement: Measurement;
  cost: CostEntry;
}
