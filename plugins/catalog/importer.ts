import { readdir, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import type { CatalogStore } from '#kernel';
import { contentHash } from './hash.js';

const EXTENSIONS = new Set(['.json', '.yaml', '.yml']);

/** What happened to one file. */
export type ImportOutcome = { file: string; action: 'imported' | 'updated' | 'unchanged'; name: string; revision: number } | { file: string; action: 'error'; error: { code: string; message: string } };

/** Validates a file and returns its document (the pipeline service's validate). */
export type Validate = (file: string) => Promise<{ valid: boolean; errors: Array<{ code: string; message: string; path: string }>; document?: Record<string, unknown> }>;

/** The pipeline files a path names: itself, or the pipeline files directly inside a directory. */
export async function pipelineFiles(path: string): Promise<string[]> {
  const full = resolve(path);
  if (!(await stat(full)).isDirectory()) return [full];
  const names = await readdir(full);
  return names.filter((n) => EXTENSIONS.has(extname(n).toLowerCase())).sort().map((n) => join(full, n));
}

/** Imports pipeline files: unchanged content is a no-op, changed content a new revision; a bad file does not stop the rest. */
export async function importPipelines(files: readonly string[], validate: Validate, store: CatalogStore): Promise<ImportOutcome[]> {
  const outcomes: ImportOutcome[] = [];
  for (const file of files) {
    const report = await validate(file);
    if (!report.valid || !report.document) {
      const first = report.errors[0]!;
      const message = first.path && !first.message.startsWith(first.path) ? `${first.path}: ${first.message}` : first.message;
      outcomes.push({ file, action: 'error', error: { code: first.code, message } });
      continue;
    }
    const definition = report.document;
    const { entry, action } = await store.put({ name: String(definition['name']), version: String(definition['version'] ?? '1.0'), hash: contentHash(definition), definition, source: file });
    outcomes.push({ file, action, name: entry.name, revision: entry.revision });
  }
  return outcomes;
}
