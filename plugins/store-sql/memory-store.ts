import { randomUUID } from 'node:crypto';
import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import { StoreErrors, WeftError, type MemoryStore, type Message, type MessageRole, type NewMessage } from '#kernel';
import { corrupt, guarded, isObject, type SqlDatabase } from './database.js';
import { messages, threads } from './schema.js';

const ROLES = new Set<string>(['user', 'assistant', 'system', 'function'] satisfies MessageRole[]);

/** Messages of threads that have not expired. */
const live = sql`not exists (select 1 from ${threads} t where t.thread_id = ${messages.thread_id} and t.expires_at <= now())`;

/** `%`, `_` and `\` match themselves in a LIKE pattern once escaped. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

type MessageRow = typeof messages.$inferSelect;

function toMessage(row: MessageRow): Message {
  if (!ROLES.has(row.role)) throw corrupt('weft_messages', `message_id ${row.message_id}`, `unknown role "${row.role}"`);
  if (!isObject(row.metadata)) throw corrupt('weft_messages', `message_id ${row.message_id}`, 'the metadata is not a JSON object');
  return {
    message_id: row.message_id,
    thread_id: row.thread_id,
    ...(row.user_id === null ? {} : { user_id: row.user_id }),
    role: row.role as MessageRole,
    content: row.content,
    metadata: row.metadata,
    timestamp: row.created_at.toISOString(),
  };
}

/**
 * Conversation memory on PGlite or PostgreSQL. A thread's expiry is one row in `weft_threads`:
 * reads skip expired threads, and appending to an expired thread first purges what it held.
 */
export class SqlMemoryStore implements MemoryStore {
  readonly #database: SqlDatabase;

  constructor(database: SqlDatabase) {
    this.#database = database;
  }

  async append(message: NewMessage): Promise<string> {
    if (!ROLES.has(message.role)) throw new WeftError(StoreErrors.INVALID, `Unknown message role "${String(message.role)}"; use user, assistant, system or function`, { path: 'role' });
    const id = randomUUID();
    const thread = message.thread_id;
    await guarded(this.#database, `Cannot append to thread "${thread}"`, () =>
      this.#database.rows(sql`with expired as (delete from ${threads} where thread_id = ${thread} and expires_at <= now() returning thread_id),
          purged as (delete from ${messages} where thread_id in (select thread_id from expired))
        insert into ${messages} (message_id, thread_id, user_id, role, content, metadata, created_at)
        values (${id}, ${thread}, ${message.user_id ?? null}, ${message.role}, ${message.content}, ${JSON.stringify(message.metadata ?? {})}::jsonb, ${message.timestamp ?? new Date().toISOString()}::timestamptz)`),
    );
    return id;
  }

  async thread(threadId: string, options: { limit?: number } = {}): Promise<Message[]> {
    const rows = await guarded(this.#database, `Cannot read thread "${threadId}"`, (db) => {
      const newest = db.select().from(messages).where(and(eq(messages.thread_id, threadId), live)).orderBy(desc(messages.seq));
      return options.limit === undefined ? newest : newest.limit(options.limit);
    });
    return rows.reverse().map(toMessage);
  }

  async search(query: string, scope: { thread_id?: string; user_id?: string; limit?: number } = {}): Promise<Message[]> {
    const where: SQL[] = [sql`${messages.content} ilike ${likePattern(query)}`, live];
    if (scope.thread_id !== undefined) where.push(eq(messages.thread_id, scope.thread_id));
    if (scope.user_id !== undefined) where.push(eq(messages.user_id, scope.user_id));
    const rows = await guarded(this.#database, 'Cannot search messages', (db) => {
      const newest = db.select().from(messages).where(and(...where)).orderBy(desc(messages.seq));
      return scope.limit === undefined ? newest : newest.limit(scope.limit);
    });
    return rows.map(toMessage);
  }

  async deleteThread(threadId: string): Promise<number> {
    // Every row goes; only the messages of a thread that had not expired yet count as deleted.
    const deleted = await guarded(this.#database, `Cannot delete thread "${threadId}"`, () =>
      this.#database.rows(sql`with expiry as (delete from ${threads} where thread_id = ${threadId})
        delete from ${messages} where thread_id = ${threadId} returning ${live} as live`),
    );
    return deleted.filter((row) => row['live'] === true).length;
  }

  async expireThread(threadId: string, seconds: number): Promise<void> {
    if (!(seconds > 0)) throw new WeftError(StoreErrors.INVALID, `A thread expires after a positive number of seconds, got ${seconds}`, { path: 'seconds' });
    // Only a thread with live messages gets an expiry. This also purges every thread that has
    // expired, this one included.
    await guarded(this.#database, `Cannot expire thread "${threadId}"`, () =>
      this.#database.rows(sql`with others as (delete from ${threads} where expires_at <= now() and thread_id <> ${threadId} returning thread_id),
          purged as (delete from ${messages} where thread_id in (select thread_id from others) or (thread_id = ${threadId} and not ${live}))
        insert into ${threads} (thread_id, expires_at)
        select ${threadId}, now() + make_interval(secs => ${seconds}::double precision)
        where exists (select 1 from ${messages} where thread_id = ${threadId} and ${live})
        on conflict (thread_id) do update set expires_at = excluded.expires_at`),
    );
  }
}
