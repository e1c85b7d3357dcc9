import { readdir, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import type { CatalogStore } from '#kernel';
import { CatalogErrors } from './errors.js';

const EXTENSIONS = new Set(['.json', '.yaml', '.yml']);

/** Files a folder may hold beside its pipelines that are never pipelines, and what they are. */
const NOT_PIPELINES: ReadonlyMap<string, string> = new Map([
  ['cases.json', 'weft test cases'],
  ['weft.config.json', 'weft configuration'],
]);

/** A coded problem, with the path of the offending field when it is about one. */
export interface ImportError {
  code: string;
  message: string;
  path?: string;
}

/** What happened to one file (or to a folder with no pipeline files). */
export type ImportOutcome =
  | { file: string; action: 'imported' | 'updated' | 'unchanged'; name: string; revision: number }
  | { file: string; action: 'skipped'; reason: string }
  | { file: string; action: 'error'; error: ImportError };

/** Validates a file and returns its document and content hash (the pipeline service's validate). */
export type Validate = (file: string) => Promise<{ valid: boolean; errors: Array<{ code: string; message: string; path: string }>; pipeline?: { document: Record<string, unknown>; hash: string } }>;

/** What a path holds: the pipeline files to import, and the outcomes of what was left out. */
export interface Found {
  files: string[];
  outcomes: ImportOutcome[];
}

/**
 * The pipeline files a path names: itself, or the pipeline files directly inside a directory.
 * In a directory, files that are never pipelines (`cases.json` …) are skipped, and a directory
 * without pipeline files is an error outcome.
 */
export async function pipelineFiles(path: string): Promise<Found> {
  const full = resolve(path);
  if (!(await stat(full)).isDirectory()) return { files: [full], outcomes: [] };
  const names = (await readdir(full)).filter((n) => EXTENSIONS.has(extname(n).toLowerCase())).sort();
  const skipped = names.filter((n) => NOT_PIPELINES.has(n));
  const outcomes: ImportOutcome[] = skipped.map((n) => ({ file: join(full, n), action: 'skipped', reason: `${NOT_PIPELINES.get(n)!}, not a pipeline` }));
  const files = names.filter((n) => !NOT_PIPELINES.has(n)).map((n) => join(full, n));
  if (files.length === 0) {
    const besides = skipped.length > 0 ? ` besides ${skipped.join(', ')}` : '';
    const message = `No pipeline files (.json, .yaml, .yml) in this folder${besides}; subfolders are not searched, so name them: weft pipelines import ${path.replace(/\/+$/, '')}/*/`;
    outcomes.push({ file: full, action: 'error', error: { code: CatalogErrors.NO_PIPELINES, message } });
  }
  return { files, outcomes };
}

/** Imports pipeline files: unchanged content is a no-op, changed content a new revision; a bad file does not stop the rest. */
export async function importPipelines(files: readonly string[], validate: Validate, store: CatalogStore): Promise<ImportOutcome[]> {
  const outcomes: ImportOutcome[] = [];
  for (const file of files) {
    const report = await validate(file);
    if (!report.valid || !report.pipeline) {
      const first = report.errors[0]!;
      const message = first.path && !first.message.startsWith(first.path) ? `${first.path}: ${first.message}` : first.message;
      outcomes.push({ file, action: 'error', error: { code: first.code, message, ...(first.path ? { path: first.path } : {}) } });
      continue;
    }
    const { document: definition, hash } = report.pipeline;
    const { entry, action } = await store.put({ name: String(definition['name']), version: String(definition['version'] ?? '1.0'), hash, definition, source: file });
    outcomes.push({ file, action, name: entry.name, revision: entry.revision });
  }
  return outcomes;
}
