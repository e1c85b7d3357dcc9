import { checkRecordDeletion, checkRecordQuery, checkRecords, ttlMs, type RecordDeletion, type RecordQuery, type RecordStore, type StoredRecord } from '#kernel';

interface Entry {
  /** The record without its data, and the data as JSON: copied in once, parsed only when read. */
  record: Omit<StoredRecord, 'data'>;
  data: string;
  /** Epoch milliseconds after which the record is gone. */
  expiresAt?: number;
}

/** Code-point order, as PostgreSQL's "C" collation and Redis's byte order have it (UTF-16 order differs above U+FFFF). */
function byCodePoint(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function oldestFirst(a: Omit<StoredRecord, 'data'>, b: Omit<StoredRecord, 'data'>): number {
  return a.at - b.at || byCodePoint(a.id, b.id);
}

/** Time-stamped records in process memory, by kind then id, their data kept as JSON; a TTL is an expiry time checked on read. */
export class MemoryRecordStore implements RecordStore {
  readonly #kinds = new Map<string, Map<string, Entry>>();

  async put(records: readonly StoredRecord[], options: { ttl_seconds?: number } = {}): Promise<void> {
    const ms = options.ttl_seconds === undefined ? undefined : ttlMs(options.ttl_seconds);
    const batch = checkRecords(records);
    const expiresAt = ms === undefined ? {} : { expiresAt: Date.now() + ms };
    for (const record of batch) {
      let kind = this.#kinds.get(record.kind);
      if (!kind) this.#kinds.set(record.kind, (kind = new Map()));
      const { data, ...rest } = record;
      kind.set(record.id, { record: rest, data: JSON.stringify(data), ...expiresAt });
    }
  }

  async list(query: RecordQuery): Promise<StoredRecord[]> {
    checkRecordQuery(query);
    const found = this.#live(query.kind)
      .filter(
        ({ record: r }) =>
          (query.since === undefined || r.at >= query.since) &&
          (query.until === undefined || r.at < query.until) &&
          (query.pipeline === undefined || r.pipeline === query.pipeline) &&
          (query.run_id === undefined || r.run_id === query.run_id),
      )
      .sort((a, b) => oldestFirst(a.record, b.record));
    return (query.limit === undefined ? found : found.slice(found.length - Math.min(query.limit, found.length))).map((entry) => ({ ...entry.record, data: JSON.parse(entry.data) as StoredRecord['data'] }));
  }

  async delete(deletion: RecordDeletion): Promise<number> {
    checkRecordDeletion(deletion);
    const doomed = this.#live(deletion.kind).filter(({ record: r }) => (deletion.before === undefined || r.at < deletion.before) && (deletion.run_id === undefined || r.run_id === deletion.run_id));
    const kind = this.#kinds.get(deletion.kind);
    for (const { record } of doomed) kind!.delete(record.id);
    return doomed.length;
  }

  /** The live entries of a kind; expired ones are dropped here. */
  #live(kind: string): Entry[] {
    const entries = this.#kinds.get(kind) ?? new Map<string, Entry>();
    const now = Date.now();
    const live: Entry[] = [];
    for (const [id, entry] of entries) {
      if (entry.expiresAt !== undefined && now >= entry.expiresAt) entries.delete(id);
      else live.push(entry);
    }
    return live;
  }
}
