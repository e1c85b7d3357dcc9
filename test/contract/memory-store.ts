// The MemoryStore contract (conversation memory, kernel/contracts/stores.ts), run unchanged against
// every backend.
import * as assert from 'uvu/assert';
import { StoreErrors, type MemoryStore, type Message, type MessageRole } from '../../kernel/index.js';
import { rejectsWith } from '../support/errors.js';
import { HOSTILE, pastOneSecond, storeSuite, type OpenStore } from './harness.js';

const contents = (messages: Message[]): string[] => messages.map((m) => m.content);

/** Appends `texts` to a thread, alternating user and assistant roles; resolves to their ids. */
async function say(store: MemoryStore, thread_id: string, texts: string[], user_id?: string): Promise<string[]> {
  const out: string[] = [];
  for (const [i, content] of texts.entries()) {
    const role: MessageRole = i % 2 === 0 ? 'user' : 'assistant';
    out.push(await store.append({ thread_id, role, content, ...(user_id === undefined ? {} : { user_id }) }));
  }
  return out;
}

/** Defines and runs the conversation memory store contract suite against one backend. */
export function memoryStoreContract(name: string, open: OpenStore<MemoryStore>): void {
  const { test, run } = storeSuite(`${name}: memory store contract`, open);

  test('append stores a message with an id, an ISO timestamp and empty metadata by default', async ({ store }) => {
    const before = Date.now();
    const id = await store.append({ thread_id: 't1', role: 'user', content: 'Hello' });
    const [message, ...rest] = await store.thread('t1');
    assert.equal(rest, []);
    assert.type(id, 'string');
    assert.ok(id.length > 0);
    assert.equal(message, { message_id: id, thread_id: 't1', role: 'user', content: 'Hello', metadata: {}, timestamp: message!.timestamp });
    assert.is(new Date(message!.timestamp).toISOString(), message!.timestamp);
    assert.ok(Date.parse(message!.timestamp) >= before - 1000 && Date.parse(message!.timestamp) <= Date.now() + 1000);
  });

  test('append keeps the user, metadata and a given timestamp; ids are unique', async ({ store }) => {
    const metadata = { tool: 'search', args: { q: 'x', n: [1, 2] }, ok: true, none: null };
    const a = await store.append({ thread_id: 't1', user_id: 'u1', role: 'function', content: '{"r":1}', metadata, timestamp: '2024-01-01T00:00:00.000Z' });
    const b = await store.append({ thread_id: 't1', role: 'system', content: 'Be brief.' });
    assert.is.not(a, b);
    const [first, second] = await store.thread('t1');
    assert.equal(first, { message_id: a, thread_id: 't1', user_id: 'u1', role: 'function', content: '{"r":1}', metadata, timestamp: '2024-01-01T00:00:00.000Z' });
    assert.is(second!.message_id, b);
    assert.is('user_id' in second!, false);
  });

  test('stored messages are copies: changing what went in or came out changes nothing stored', async ({ store }) => {
    const metadata: Record<string, unknown> = { tags: ['a'] };
    await store.append({ thread_id: 't1', role: 'user', content: 'x', metadata });
    (metadata['tags'] as string[]).push('b');
    const [read] = await store.thread('t1');
    (read!.metadata['tags'] as string[]).push('c');
    read!.content = 'changed';
    assert.equal((await store.thread('t1'))[0]!.metadata, { tags: ['a'] });
    assert.is((await store.thread('t1'))[0]!.content, 'x');
  });

  test('an unknown role is STORE_INVALID and stores nothing', async ({ store }) => {
    await rejectsWith(store.append({ thread_id: 't1', role: 'robot' as MessageRole, content: 'beep' }), StoreErrors.INVALID);
    assert.equal(await store.thread('t1'), []);
    assert.equal(await store.search('beep'), []);
  });

  test('thread: messages in append order; limit keeps the most recent ones', async ({ store }) => {
    await say(store, 't1', ['one', 'two', 'three', 'four', 'five']);
    await say(store, 't2', ['other']);
    assert.equal(contents(await store.thread('t1')), ['one', 'two', 'three', 'four', 'five']);
    assert.equal(contents(await store.thread('t1', { limit: 2 })), ['four', 'five']);
    assert.equal(contents(await store.thread('t1', { limit: 1 })), ['five']);
    assert.equal(contents(await store.thread('t1', { limit: 10 })), ['one', 'two', 'three', 'four', 'five']);
    assert.equal(contents(await store.thread('t1', {})), ['one', 'two', 'three', 'four', 'five']);
    assert.equal(await store.thread('t1', { limit: 0 }), []);
    assert.equal(await store.thread('nope'), []);
    assert.equal((await store.thread('t1')).map((m) => m.role), ['user', 'assistant', 'user', 'assistant', 'user']);
  });

  test('search: case-insensitive substring, newest first, in a thread, a user or everywhere', async ({ store }) => {
    await say(store, 't1', ['The Weather is nice', 'weather again', 'nothing here'], 'ann');
    await say(store, 't2', ['WEATHER in t2', 'unrelated'], 'bob');
    await say(store, 't3', ['weathered by ann'], 'ann');
    await say(store, 't4', ['anonymous weather']);
    assert.equal(contents(await store.search('weather')), ['anonymous weather', 'weathered by ann', 'WEATHER in t2', 'weather again', 'The Weather is nice']);
    assert.equal(contents(await store.search('WeAtHeR', { thread_id: 't1' })), ['weather again', 'The Weather is nice']);
    assert.equal(contents(await store.search('weather', { user_id: 'ann' })), ['weathered by ann', 'weather again', 'The Weather is nice']);
    assert.equal(contents(await store.search('weather', { user_id: 'bob' })), ['WEATHER in t2']);
    assert.equal(contents(await store.search('weather', { user_id: 'ann', thread_id: 't3' })), ['weathered by ann']);
    assert.equal(contents(await store.search('weather', { user_id: 'bob', thread_id: 't1' })), []);
    assert.equal(contents(await store.search('weather', { limit: 2 })), ['anonymous weather', 'weathered by ann']);
    assert.equal(contents(await store.search('weather', { user_id: 'ann', limit: 1 })), ['weathered by ann']);
    assert.equal(await store.search('weather', { limit: 0 }), []);
    assert.equal(contents(await store.search('is nice')), ['The Weather is nice']);
    assert.equal(await store.search('snow'), []);
    assert.equal(await store.search('weather', { thread_id: 'nope' }), []);
    assert.equal(await store.search('weather', { user_id: 'nobody' }), []);
    const [found] = await store.search('unrelated');
    assert.equal(found, (await store.thread('t2'))[1]);
  });

  test('deleteThread removes the thread and every index pointing at it', async ({ store }) => {
    await say(store, 't1', ['alpha one', 'alpha two', 'alpha three'], 'ann');
    await say(store, 't2', ['alpha elsewhere'], 'ann');
    await say(store, 't3', ['alpha bob'], 'bob');
    assert.is(await store.deleteThread('t1'), 3);
    assert.equal(await store.thread('t1'), []);
    assert.equal(contents(await store.search('alpha', { user_id: 'ann' })), ['alpha elsewhere']);
    assert.equal(await store.search('alpha', { thread_id: 't1' }), []);
    assert.equal(contents(await store.search('alpha')), ['alpha bob', 'alpha elsewhere']);
    assert.is(await store.deleteThread('t1'), 0);
    assert.is(await store.deleteThread('nope'), 0);
    // The thread id can be used again, from scratch.
    await say(store, 't1', ['alpha reborn'], 'bob');
    assert.equal(contents(await store.thread('t1')), ['alpha reborn']);
    assert.equal(contents(await store.search('alpha', { user_id: 'bob' })), ['alpha reborn', 'alpha bob']);
    assert.equal(contents(await store.search('alpha', { user_id: 'ann' })), ['alpha elsewhere']);
  });

  test('expireThread: after the TTL nothing of the thread is left, in any index', async ({ store }) => {
    await say(store, 'short', ['gamma short'], 'ann');
    await say(store, 'extended', ['gamma extended'], 'ann');
    await say(store, 'kept', ['gamma kept'], 'ann');
    await store.expireThread('short', 1);
    await store.expireThread('extended', 1);
    await store.expireThread('extended', 60);
    // A message appended to an expiring thread expires with it, whoever wrote it.
    await say(store, 'short', ['gamma late'], 'bob');
    await store.expireThread('nope', 1);
    assert.equal(contents(await store.thread('short')), ['gamma short', 'gamma late']);
    assert.equal(contents(await store.search('gamma', { user_id: 'ann' })), ['gamma kept', 'gamma extended', 'gamma short']);
    await pastOneSecond();
    assert.equal(await store.thread('short'), []);
    assert.equal(await store.search('gamma', { thread_id: 'short' }), []);
    assert.equal(contents(await store.search('gamma', { user_id: 'ann' })), ['gamma kept', 'gamma extended']);
    assert.equal(await store.search('gamma', { user_id: 'bob' }), []);
    assert.equal(contents(await store.search('gamma')), ['gamma kept', 'gamma extended']);
    assert.is(await store.deleteThread('short'), 0);
    assert.equal(contents(await store.thread('extended')), ['gamma extended']);
    // The expired id is a new, unexpiring thread when used again.
    await say(store, 'short', ['gamma again'], 'bob');
    assert.equal(contents(await store.search('gamma', { user_id: 'bob' })), ['gamma again']);
  });

  test('hostile thread ids, user ids and search text are matched literally', async ({ store }) => {
    for (const id of HOSTILE) await store.append({ thread_id: id, user_id: id, role: 'user', content: `text with ${id} inside` });
    await store.append({ thread_id: 'plain', user_id: 'plain', role: 'user', content: 'plain text' });
    for (const id of HOSTILE) {
      assert.equal(contents(await store.thread(id)), [`text with ${id} inside`], id);
      assert.equal(contents(await store.search('text', { thread_id: id })), [`text with ${id} inside`], id);
      assert.equal(contents(await store.search('text', { user_id: id })), [`text with ${id} inside`], id);
    }
    const found = async (query: string) => contents(await store.search(query)).sort();
    assert.equal(await found('*'), ['text with * inside', 'text with a* inside', 'text with weft:* inside']);
    assert.equal(await found('%'), ['text with % inside']);
    assert.equal(await found('_'), ['text with _ inside']);
    assert.equal(await found('?'), ['text with ? inside']);
    assert.equal(await found('[a]'), ['text with [a] inside']);
    assert.equal(await found('\\'), ['text with \\ inside']);
    assert.equal(await found("'; drop table"), ["text with x'; DROP TABLE runs; -- inside"]);
    assert.equal(await found('with % in'), ['text with % inside']);
    assert.equal(await found('h _ i'), ['text with _ inside']);
    assert.is(await store.deleteThread('*'), 1);
    assert.is(await store.deleteThread('%'), 1);
    assert.equal(contents(await store.thread('a*')), ['text with a* inside']);
    assert.is((await store.search('text')).length, HOSTILE.length - 1);
  });

  run();
}
