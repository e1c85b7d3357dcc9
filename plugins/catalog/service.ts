import { WeftError, type CatalogEntry, type CatalogStore, type PipelineCatalogService } from '#kernel';
import { CatalogErrors } from './errors.js';

// Digits name a revision; nine at most keeps the number inside every store's integer column.
const REVISION = /^[1-9]\d{0,8}$/;

/** Every stored revision of a pipeline, newest first (revisions are numbered 1, 2, … without gaps). */
async function revisions(store: CatalogStore, name: string): Promise<CatalogEntry[]> {
  const latest = await store.get(name);
  if (!latest) return [];
  const older = await Promise.all(Array.from({ length: latest.revision - 1 }, (_, i) => store.get(name, latest.revision - 1 - i)));
  return [latest, ...older.filter((entry) => entry !== undefined)];
}

/** `name` and what follows its last `@` (a name may not start with the selector's `@`). */
function split(reference: string): { name: string; selector?: string } {
  const at = reference.lastIndexOf('@');
  return at <= 0 ? { name: reference } : { name: reference.slice(0, at), selector: reference.slice(at + 1) };
}

function notFound(what: string, name: string, stored: readonly CatalogEntry[]): WeftError {
  const known = stored.map((e) => `${e.name}@${e.revision} (version ${e.version})`).join(', ');
  const hint = stored.length > 0 ? `; stored: ${known}` : '; `weft pipelines list` shows the catalogue, `weft pipelines import <dir>` adds to it';
  return new WeftError(CatalogErrors.NOT_FOUND, `${what}${hint}`, { data: { name, revisions: stored.map((e) => ({ revision: e.revision, version: e.version })) } });
}

/** The `pipelineCatalog` service over the configured catalogue store. */
export function createCatalogService(catalog: () => Promise<CatalogStore>): PipelineCatalogService {
  const find = async (reference: string): Promise<CatalogEntry | undefined> => {
    const store = await catalog();
    const { name, selector } = split(reference);
    if (selector === undefined) return store.get(name);
    const revision = REVISION.test(selector) ? await store.get(name, Number(selector)) : undefined;
    return revision ?? (await revisions(store, name)).find((entry) => entry.version === selector);
  };
  return {
    find,
    async resolve(reference) {
      const entry = await find(reference);
      if (entry) return entry;
      const { name, selector } = split(reference);
      const stored = await revisions(await catalog(), name);
      const what = stored.length === 0 ? `"${reference}" is neither a file nor a pipeline in the catalogue` : `"${reference}" is not a file, and pipeline "${name}" has no revision or version "${selector!}" in the catalogue`;
      throw notFound(what, name, stored);
    },
    async revision(name, revision) {
      const store = await catalog();
      const entry = await store.get(name, revision);
      if (entry) return entry;
      throw notFound(`The catalogue has no revision ${revision} of pipeline "${name}"`, name, await revisions(store, name));
    },
  };
}
