import type { CatalogEntry, CatalogStore } from '#kernel';

/** The pipeline catalogue in process memory: every revision of every definition, deep-copied. */
export class MemoryCatalogStore implements CatalogStore {
  readonly #revisions = new Map<string, CatalogEntry[]>();

  async put(input: Parameters<CatalogStore['put']>[0]): Promise<{ entry: CatalogEntry; action: 'imported' | 'updated' | 'unchanged' }> {
    const revisions = this.#revisions.get(input.name) ?? [];
    const latest = revisions.at(-1);
    if (latest?.hash === input.hash) return { entry: structuredClone(latest), action: 'unchanged' };
    const entry: CatalogEntry = {
      name: input.name,
      revision: revisions.length + 1,
      version: input.version,
      hash: input.hash,
      definition: structuredClone(input.definition),
      ...(input.source === undefined ? {} : { source: input.source }),
      created_at: new Date().toISOString(),
    };
    this.#revisions.set(input.name, [...revisions, entry]);
    return { entry: structuredClone(entry), action: latest ? 'updated' : 'imported' };
  }

  async get(name: string, revision?: number): Promise<CatalogEntry | undefined> {
    const revisions = this.#revisions.get(name) ?? [];
    const found = revision === undefined ? revisions.at(-1) : revisions[revision - 1];
    return found && structuredClone(found);
  }

  async list(): Promise<CatalogEntry[]> {
    const names = [...this.#revisions.keys()].sort();
    return names.map((name) => structuredClone(this.#revisions.get(name)!.at(-1)!));
  }
}
