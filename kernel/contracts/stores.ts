import type { WeftError } from '../errors.js';
import type { RunEvent, RunStatus } from './run-events.js';

/** One run as the run store lists it. */
export interface RunSummary {
  run_id: string;
  pipeline: string;
  version: string;
  status: RunStatus;
  /** ISO time of `run.started`. */
  started_at: string;
  /** ISO time of the latest event. */
  updated_at: string;
  /** Number of events stored for the run. */
  events: number;
}

/** Filters and paging for `RunStore.list` (newest first). */
export interface RunFilter {
  status?: RunStatus;
  pipeline?: string;
  limit?: number;
  offset?: number;
}

/**
 * Which runs `RunStore.delete` removes. Precedence: `keep_latest` (keep the N newest, delete the
 * rest, ignoring `before`) beats `before` (delete runs started strictly earlier) beats all.
 * `pipeline` narrows any of them to one pipeline.
 */
export interface RunDeletion {
  pipeline?: string;
  keep_latest?: number;
  before?: Date;
}

/** Counts over the whole store. */
export interface RunStats {
  runs: number;
  events: number;
  by_status: Partial<Record<RunStatus, number>>;
  oldest?: string;
  newest?: string;
}

/** Append-only storage of run event logs. */
export interface RunStore {
  /**
   * Appends events (of one run, in `seq` order) atomically: all of them or none. An event whose
   * `seq` is already stored for the run is refused with STORE_CONFLICT and nothing is written.
   * A batch mixing runs or without strictly increasing positive integer `seq` is STORE_INVALID,
   * and so are events of a run whose `run.started` is neither stored nor in the batch. `seq` need
   * not be contiguous. An empty batch is a no-op.
   */
  append(events: readonly RunEvent[]): Promise<void>;
  /** A run's events in `seq` order, optionally only those after `afterSeq`. */
  events(runId: string, afterSeq?: number): Promise<RunEvent[]>;
  /** One run's summary, or undefined. */
  get(runId: string): Promise<RunSummary | undefined>;
  /**
   * Runs, newest first by start time (equal start times by run id, descending). A stored run that
   * cannot be read is STORE_CORRUPT; given `report`, it is passed there and left out instead, so
   * one damaged run does not hide the others (a page may then hold fewer than `limit` runs).
   */
  list(filter?: RunFilter, report?: (problem: WeftError) => void): Promise<RunSummary[]>;
  /** Deletes runs with all their events; resolves to the number of runs deleted. */
  delete(deletion?: RunDeletion): Promise<number>;
  stats(): Promise<RunStats>;
}

/** Roles of conversation messages. */
export type MessageRole = 'user' | 'assistant' | 'system' | 'function';

/** A conversation message as stored. */
export interface Message {
  message_id: string;
  thread_id: string;
  user_id?: string;
  role: MessageRole;
  content: string;
  metadata: Record<string, unknown>;
  /** ISO time. */
  timestamp: string;
}

/** What `MemoryStore.append` takes. */
export type NewMessage = Omit<Message, 'message_id' | 'timestamp' | 'metadata'> & { metadata?: Record<string, unknown>; timestamp?: string };

/** Conversation memory storage. */
export interface MemoryStore {
  /** Stores a message and resolves to its id. An unknown role is STORE_INVALID. */
  append(message: NewMessage): Promise<string>;
  /** A thread's messages in the order they were appended; `limit` keeps the most recent ones. */
  thread(threadId: string, options?: { limit?: number }): Promise<Message[]>;
  /**
   * Case-insensitive substring search, newest (last appended) first, in a thread or a user's
   * messages (or everywhere). The query is plain text, never a pattern. A backend may read only a
   * bounded window of the newest messages of the scope (the Redis backend does).
   */
  search(query: string, scope?: { thread_id?: string; user_id?: string; limit?: number }): Promise<Message[]>;
  /** Deletes a thread and every index entry that points at it; resolves to the messages deleted. */
  deleteThread(threadId: string): Promise<number>;
  /**
   * Expires a thread (all its messages and indexes) `seconds` from now, replacing an earlier
   * expiry; messages appended before then expire with it. An unknown thread is left alone; an
   * expired thread's id starts a new thread. A non-positive `seconds` is STORE_INVALID.
   */
  expireThread(threadId: string, seconds: number): Promise<void>;
}

/** A key-value store with time-to-live, for sessions, rate limits and locks. */
export interface KeyValueStore {
  get(key: string): Promise<string | undefined>;
  /** Sets `key`; with `ttl_seconds` (positive, else STORE_INVALID) it disappears after that long, without it never. */
  set(key: string, value: string, options?: { ttl_seconds?: number }): Promise<void>;
  /** Sets `key` only when absent (a lock); resolves to whether it did. */
  setIfAbsent(key: string, value: string, options?: { ttl_seconds?: number }): Promise<boolean>;
  delete(key: string): Promise<boolean>;
  /**
   * Sets `key` to `value` only while it holds `expected` (a live entry); resolves to whether it
   * did. The expiry is `ttl_seconds` from now, or none without it, as with `set` (a lease renewed).
   */
  replaceIf(key: string, expected: string, value: string, options?: { ttl_seconds?: number }): Promise<boolean>;
  /** Deletes `key` only while it holds `expected`; resolves to whether it did (a lease given back). */
  deleteIf(key: string, expected: string): Promise<boolean>;
  /**
   * Adds an integer `by` to an integer counter (created at 0) and resolves to the new value; a
   * value that is not an integer is STORE_INVALID. With `ttl_seconds`, a counter without an expiry
   * gets one and an existing expiry is kept (a fixed window, for rate limits).
   */
  increment(key: string, by?: number, options?: { ttl_seconds?: number }): Promise<number>;
}

/** A stored pipeline definition (the catalogue). */
export interface CatalogEntry {
  name: string;
  /** Catalogue revision: 1 for the first import, +1 each time the content changes. */
  revision: number;
  /** The pipeline's own `version` field. */
  version: string;
  /** SHA-256 of the canonical JSON of the definition. */
  hash: string;
  definition: Record<string, unknown>;
  /** Where it was imported from (a file path), when known. */
  source?: string;
  created_at: string;
}

/** Storage of pipeline definitions by name and revision. */
export interface CatalogStore {
  /**
   * Stores a definition: unchanged content (same hash as the latest revision) is a no-op; any
   * other hash, even one of an older revision, adds the next revision.
   */
  put(entry: { name: string; version: string; hash: string; definition: Record<string, unknown>; source?: string }): Promise<{ entry: CatalogEntry; action: 'imported' | 'updated' | 'unchanged' }>;
  /** A revision of a pipeline, the latest when `revision` is omitted. */
  get(name: string, revision?: number): Promise<CatalogEntry | undefined>;
  /** The latest revision of every pipeline, by name. */
  list(): Promise<CatalogEntry[]>;
}

/** One time-stamped record of some kind (reliability step and run records, measurements, cost entries …). */
export interface StoredRecord {
  /** What the record is (`step`, `run`, `mtte` …); records of different kinds never meet. */
  kind: string;
  /** Unique within its kind: storing another record with the same id replaces it. */
  id: string;
  /** When it happened: an integer number of milliseconds since the epoch. */
  at: number;
  /** The record itself, as JSON. */
  data: Record<string, unknown>;
  /** The pipeline it is about, indexed for {@link RecordQuery}. */
  pipeline?: string;
  /** The run it is about, indexed for {@link RecordQuery} and {@link RecordDeletion}. */
  run_id?: string;
}

/** Which records `RecordStore.list` returns: every filter given must match. */
export interface RecordQuery {
  kind: string;
  /** Only records at or after this time (ms since the epoch, inclusive). */
  since?: number;
  /** Only records before this time (ms since the epoch, exclusive). */
  until?: number;
  pipeline?: string;
  run_id?: string;
  /** Only the newest `limit` matching records (still returned oldest first). */
  limit?: number;
}

/** Which records `RecordStore.delete` removes: records of `kind` matching every filter given (all of the kind when none is). */
export interface RecordDeletion {
  kind: string;
  /** Only records before this time (ms since the epoch, exclusive). */
  before?: number;
  run_id?: string;
}

/**
 * Time-stamped records with retention. `kind` and `id`, and `pipeline` and `run_id` when given, are
 * non-empty strings; anything else, a non-integer `at`, `data` that is not an object, a
 * non-positive TTL, a negative or fractional `limit` or a non-finite time bound is STORE_INVALID,
 * and nothing is written. Expired records are invisible to every operation.
 */
export interface RecordStore {
  /**
   * Stores records atomically (all of them or none). A record with a stored (kind, id) replaces it
   * whole, expiry included, so projecting the same events again is idempotent; of two records of
   * one batch with the same (kind, id) the later wins. With `ttl_seconds` the records disappear
   * after that long, without it they are kept until deleted. An empty batch is a no-op.
   */
  put(records: readonly StoredRecord[], options?: { ttl_seconds?: number }): Promise<void>;
  /** Records of a kind matching the query, ascending by `at`, equal times by id in code-point order. */
  list(query: RecordQuery): Promise<StoredRecord[]>;
  /** Deletes the records of a kind the deletion selects; resolves to the number removed. */
  delete(deletion: RecordDeletion): Promise<number>;
}

/**
 * A storage backend plugin's service: it connects on first use. Backends register themselves
 * with the `storage` service, which picks one per store from configuration.
 */
export interface StoreBackend {
  /** `memory`, `pglite`, `postgres` or `redis`. */
  readonly kind: string;
  /** Where it keeps data, for `weft plugins list` (passwords masked). */
  describe(): string;
  runs(): Promise<RunStore>;
  memory(): Promise<MemoryStore>;
  kv(): Promise<KeyValueStore>;
  catalog(): Promise<CatalogStore>;
  records(): Promise<RecordStore>;
}

/** The stores a `storage` service hands out. */
export type StoreName = 'runs' | 'memory' | 'kv' | 'catalog' | 'records';

/** The `storage` service: backends register here; consumers ask for a store. */
export interface StorageService {
  /** Called by a backend plugin during its setup. */
  register(backend: StoreBackend): void;
  runs(): Promise<RunStore>;
  memory(): Promise<MemoryStore>;
  kv(): Promise<KeyValueStore>;
  catalog(): Promise<CatalogStore>;
  records(): Promise<RecordStore>;
  /** Which backend serves each store, e.g. `{ runs: 'pglite (.weft/db)' }`. */
  describe(): Record<StoreName, string>;
}

/** The `runHistory` service (the checkpoint plugin): stored runs as the engine can resume them. */
export interface RunHistoryService {
  /** A stored run's events, ready to resume or project; CHECKPOINT_RUN_NOT_FOUND when none are stored. */
  events(runId: string): Promise<RunEvent[]>;
}

/** The `pipelineCatalog` service: stored pipeline definitions by name (`weft run <name>[@version]`). */
export interface PipelineCatalogService {
  /**
   * `name` (the latest revision), `name@<revision>` or `name@<version>` (the latest revision whose
   * pipeline declares that `version`); digits name a revision when that revision is stored, else a
   * version. Undefined when the catalogue has no such pipeline.
   */
  find(reference: string): Promise<CatalogEntry | undefined>;
  /** As `find`, for a `weft run` argument that names no file: a missing pipeline is CATALOG_NOT_FOUND, naming the revisions stored under that name. */
  resolve(reference: string): Promise<CatalogEntry>;
  /** Exactly one stored revision (how a catalogue run is resumed); CATALOG_NOT_FOUND when it is not stored. */
  revision(name: string, revision: number): Promise<CatalogEntry>;
}
