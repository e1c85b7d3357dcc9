// The one SQL schema behind PGlite and PostgreSQL. drizzle-kit reads it (drizzle.config.ts) to
// generate the migrations in drizzle/; tables are unqualified, so they live in the connection's
// search_path (`public` unless plugins.store-sql.schema says otherwise).
import { bigint, index, integer, jsonb, pgTable, primaryKey, smallint, text, timestamp } from 'drizzle-orm/pg-core';

const time = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** One row per run: the summary `RunStore.list` pages through, kept current by every append. */
export const runs = pgTable(
  'weft_runs',
  {
    run_id: text('run_id').primaryKey(),
    pipeline: text('pipeline').notNull(),
    version: text('version').notNull(),
    status: text('status').notNull(),
    started_at: time('started_at').notNull(),
    updated_at: time('updated_at').notNull(),
    events: integer('events').notNull(),
  },
  // Only columns an append never changes are indexed, so the summary update stays a HOT update.
  (t) => [index('weft_runs_started_idx').on(t.started_at), index('weft_runs_pipeline_idx').on(t.pipeline, t.started_at)],
);

/**
 * The event log: the event's own fields beside its other fields as JSON text. An event whose JSON
 * is longer than fits in one heap page is split into parts 0..n-1 (rows of one seq), each part
 * small enough to stay inline: `payload` is stored MAIN (compressed in place, moved out of line
 * only past a page), which migration 0002 sets as drizzle cannot express it. A page-sized part
 * writes less than the ~2 kB TOAST chunks a large value would otherwise become.
 */
export const runEvents = pgTable(
  'weft_run_events',
  {
    run_id: text('run_id').notNull(),
    seq: integer('seq').notNull(),
    type: text('type').notNull(),
    /** The event's `at`: milliseconds since the epoch. */
    at: bigint('at', { mode: 'number' }).notNull(),
    /** A part of the JSON of the event without run_id, seq, type and at; the parts joined in order are the whole. */
    payload: text('payload').notNull(),
    /** Which part of the event's payload this row holds, from 0. */
    part: smallint('part').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.run_id, t.seq, t.part] })],
);

/** Conversation messages; `seq` orders them as appended. */
export const messages = pgTable(
  'weft_messages',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    message_id: text('message_id').notNull().unique(),
    thread_id: text('thread_id').notNull(),
    user_id: text('user_id'),
    role: text('role').notNull(),
    content: text('content').notNull(),
    metadata: jsonb('metadata').notNull(),
    created_at: time('created_at').notNull(),
  },
  (t) => [index('weft_messages_thread_idx').on(t.thread_id, t.seq), index('weft_messages_user_idx').on(t.user_id, t.seq)],
);

/** Per-thread expiry: a thread past `expires_at` is invisible to reads and purged. */
export const threads = pgTable('weft_threads', {
  thread_id: text('thread_id').primaryKey(),
  expires_at: time('expires_at').notNull(),
});

/** Key-value entries; a past `expires_at` means absent. */
export const kv = pgTable(
  'weft_kv',
  {
    key: text('key').primaryKey(),
    value: text('value').notNull(),
    expires_at: time('expires_at'),
  },
  (t) => [index('weft_kv_expires_idx').on(t.expires_at)],
);

/** The pipeline catalogue: every revision of every stored pipeline definition. */
export const catalog = pgTable(
  'weft_catalog',
  {
    name: text('name').notNull(),
    revision: integer('revision').notNull(),
    version: text('version').notNull(),
    hash: text('hash').notNull(),
    definition: jsonb('definition').notNull(),
    source: text('source'),
    created_at: time('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.name, t.revision] })],
);

/**
 * Time-stamped records by kind and id. `at` is milliseconds since the epoch as a bigint, like
 * `weft_run_events.at`, so any integer a caller gives comes back exactly; a past `expires_at`
 * means absent.
 */
export const records = pgTable(
  'weft_records',
  {
    kind: text('kind').notNull(),
    id: text('id').notNull(),
    at: bigint('at', { mode: 'number' }).notNull(),
    pipeline: text('pipeline'),
    run_id: text('run_id'),
    data: jsonb('data').notNull(),
    expires_at: time('expires_at'),
  },
  (t) => [
    primaryKey({ columns: [t.kind, t.id] }),
    index('weft_records_at_idx').on(t.kind, t.at),
    index('weft_records_pipeline_idx').on(t.kind, t.pipeline, t.at),
    index('weft_records_run_idx').on(t.kind, t.run_id, t.at),
    index('weft_records_expires_idx').on(t.expires_at),
  ],
);
