import { randomUUID } from 'node:crypto';
import { checkRole, ttlMs, type MemoryStore, type Message, type NewMessage } from '#kernel';

interface StoredMessage {
  /** Append order across all threads: newest first means highest first. */
  seq: number;
  message: Message;
}

interface Thread {
  messages: StoredMessage[];
  /** Epoch milliseconds after which the thread is gone. */
  expiresAt?: number;
}

/**
 * Conversation memory in process memory. A thread's TTL is an expiry time checked on every read,
 * so nothing keeps a timer; an expired thread is dropped the first time it is looked at.
 */
export class MemoryMemoryStore implements MemoryStore {
  readonly #threads = new Map<string, Thread>();
  #seq = 0;

  async append(input: NewMessage): Promise<string> {
    checkRole(input.role);
    const message: Message = {
      message_id: `msg-${randomUUID()}`,
      thread_id: input.thread_id,
      ...(input.user_id === undefined ? {} : { user_id: input.user_id }),
      role: input.role,
      content: input.content,
      metadata: structuredClone(input.metadata ?? {}),
      timestamp: input.timestamp ?? new Date().toISOString(),
    };
    let thread = this.#live(input.thread_id);
    if (!thread) this.#threads.set(input.thread_id, (thread = { messages: [] }));
    thread.messages.push({ seq: ++this.#seq, message });
    return message.message_id;
  }

  async thread(threadId: string, options: { limit?: number } = {}): Promise<Message[]> {
    const messages = this.#live(threadId)?.messages ?? [];
    return structuredClone(messages.slice(options.limit === undefined ? 0 : Math.max(0, messages.length - options.limit)).map((m) => m.message));
  }

  async search(query: string, scope: { thread_id?: string; user_id?: string; limit?: number } = {}): Promise<Message[]> {
    const needle = query.toLowerCase();
    const threadIds = scope.thread_id === undefined ? [...this.#threads.keys()] : [scope.thread_id];
    const found = threadIds
      .flatMap((id) => this.#live(id)?.messages ?? [])
      .filter(({ message }) => (scope.user_id === undefined || message.user_id === scope.user_id) && message.content.toLowerCase().includes(needle))
      .sort((a, b) => b.seq - a.seq)
      .slice(0, scope.limit);
    return structuredClone(found.map((m) => m.message));
  }

  async deleteThread(threadId: string): Promise<number> {
    const count = this.#live(threadId)?.messages.length ?? 0;
    this.#threads.delete(threadId);
    return count;
  }

  async expireThread(threadId: string, seconds: number): Promise<void> {
    const ms = ttlMs(seconds);
    const thread = this.#live(threadId);
    if (thread) thread.expiresAt = Date.now() + ms;
  }

  /** The thread unless it is absent or expired (an expired one is dropped here). */
  #live(threadId: string): Thread | undefined {
    const thread = this.#threads.get(threadId);
    if (thread?.expiresAt !== undefined && Date.now() >= thread.expiresAt) {
      this.#threads.delete(threadId);
      return undefined;
    }
    return thread;
  }
}
