import { dirname } from 'node:path';
import type { CatalogEntry } from '#kernel';
import type { PipelineDef } from './model.js';
import type { PipelineService, StepOptions } from './service.js';

/**
 * Parses a stored catalogue entry. Its step modules resolve next to the file it was imported
 * from, else in `cwd`; runs of it record its revision, so a resume loads exactly this revision.
 */
export function parseEntry(parse: PipelineService['parse'], entry: CatalogEntry, options: StepOptions & { cwd: string }): Promise<PipelineDef> {
  const source = entry.source === undefined ? {} : { file: entry.source };
  return parse(entry.definition, { ...options, ...source, baseDir: entry.source === undefined ? options.cwd : dirname(entry.source), catalog: { name: entry.name, revision: entry.revision } });
}
