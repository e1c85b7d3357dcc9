import { AsyncSeriesWaterfallHook } from 'tapable';
import { definePlugin, type Message, type MessageRole } from '#kernel';

/** The `memory` service: conversation memory for steps and agents (`ctx.service('memory')`). */
export interface ConversationMemory {
  /** Appends a message to a thread; resolves to its id. Threads expire after the configured TTL. */
  append(threadId: string, message: { role: MessageRole; content: string; user_id?: string; metadata?: Record<string, unknown> }): Promise<string>;
  /** A thread's messages in order; `limit` keeps the most recent. */
  history(threadId: string, options?: { limit?: number }): Promise<Message[]>;
  /** Case-insensitive text search in a thread, a user's messages, or everywhere. Newest first. */
  search(query: string, scope?: { thread_id?: string; user_id?: string; limit?: number }): Promise<Message[]>;
  /** A thread condensed by the `memory.summarise` hook (by default: the messages as `role: content` lines). */
  summarise(threadId: string, options?: { limit?: number }): Promise<string>;
  /** Deletes a thread with every index pointing at it; resolves to the number of messages deleted. */
  delete(threadId: string): Promise<number>;
}

declare module '#kernel' {
  interface Services {
    memory: ConversationMemory;
  }
  interface Hooks {
    /** Turns a thread into a summary; taps receive the text so far and the messages (an LLM plugin can replace it). */
    'memory.summarise': AsyncSeriesWaterfallHook<[string, Message[]]>;
  }
}

/** Conversation memory over the configured memory store, with a per-thread time to live. */
export default definePlugin<{ ttl_seconds: number }>({
  name: 'memory',
  version: '1.0.0',
  kernel: '^1',
  dependsOn: ['storage'],
  description: 'Conversation memory for steps and agents (the memory service)',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: { ttl_seconds: { type: 'integer', minimum: 0, default: 604800, description: 'A thread expires this long after its last message; 0 keeps it forever' } },
  },
  setup(ctx) {
    const store = () => ctx.services.get('storage').memory();
    const summarise = ctx.hooks.declare('memory.summarise', new AsyncSeriesWaterfallHook<[string, Message[]]>(['summary', 'messages']));
    const ttl = ctx.config.ttl_seconds;
    ctx.services.provide('memory', {
      async append(threadId, message) {
        const memory = await store();
        const id = await memory.append({ ...message, thread_id: threadId });
        if (ttl > 0) await memory.expireThread(threadId, ttl);
        return id;
      },
      history: async (threadId, options) => (await store()).thread(threadId, options),
      search: async (query, scope) => (await store()).search(query, scope),
      async summarise(threadId, options) {
        const messages = await (await store()).thread(threadId, options);
        return summarise.promise(messages.map((m) => `${m.role}: ${m.content}`).join('\n'), messages);
      },
      delete: async (threadId) => (await store()).deleteThread(threadId),
    });
  },
});
