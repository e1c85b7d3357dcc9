import type { KeyValueStore } from '#kernel';
import type { Objectives } from './slo.js';

const PREFIX = 'reliability:slo:';
/** Allowed range of each objective: [min, max, whether max itself is excluded]. */
const RANGES: Record<string, [number, number, boolean]> = { success_rate: [0, 1, true], p95_duration_ms: [0, Infinity, false], hir_max: [0, 1, false], cr_max: [0, 1, false] };

/** What is wrong with a pipeline file's `slo` block: the JSON path of each bad field and why. */
export function sloProblems(block: unknown): { path: string; message: string }[] {
  if (typeof block !== 'object' || block === null || Array.isArray(block)) return [{ path: 'slo', message: 'slo must be an object' }];
  const problems: { path: string; message: string }[] = [];
  for (const [key, value] of Object.entries(block)) {
    const range = RANGES[key];
    const path = `slo.${key}`;
    if (range === undefined) {
      problems.push({ path, message: `${path} is not one of ${Object.keys(RANGES).join(', ')}` });
      continue;
    }
    const [min, max, open] = range;
    if (typeof value !== 'number' || value < min || value > max || (open && value === max)) problems.push({ path, message: `${path} must be a number in [${min}, ${max}${open ? ')' : ']'}` });
  }
  return problems;
}

/**
 * SLOs declared in pipeline files, kept in the key-value store when a run of the pipeline starts
 * so that `weft slo` in another process sees them. Each pipeline's block is written once per change.
 */
export class DeclaredSlos {
  readonly #kv: () => Promise<KeyValueStore>;
  readonly #written = new Map<string, string>();
  readonly #local = new Map<string, Objectives>();

  constructor(kv: () => Promise<KeyValueStore>) {
    this.#kv = kv;
  }

  /** Stores a pipeline's objectives when they differ from what this process last wrote. */
  async declare(pipeline: string, objectives: Objectives): Promise<void> {
    this.#local.set(pipeline, objectives);
    const text = JSON.stringify(objectives);
    if (this.#written.get(pipeline) === text) return;
    await (await this.#kv()).set(`${PREFIX}${pipeline}`, text);
    this.#written.set(pipeline, text);
  }

  /** The objectives this process last declared for a pipeline. */
  local(pipeline: string): Objectives | undefined {
    return this.#local.get(pipeline);
  }

  /** The stored objectives of these pipelines (those without a declaration are left out). */
  async read(pipelines: readonly string[]): Promise<Record<string, Objectives>> {
    const kv = await this.#kv();
    const out: Record<string, Objectives> = {};
    for (const name of pipelines) {
      const text = await kv.get(`${PREFIX}${name}`);
      if (text !== undefined) out[name] = JSON.parse(text) as Objectives;
    }
    return out;
  }
}
