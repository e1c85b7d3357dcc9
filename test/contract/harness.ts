// What every contract suite shares: how a backend hands a store to the suite, and the hostile
// strings that must be stored and found literally by every backend.
import { setTimeout as sleep } from 'node:timers/promises';
import { suite, type Test } from 'uvu';

/**
 * A store opened for a contract suite: `reset` empties it between tests (it may replace `store`,
 * which is read again after each reset), `close` ends it.
 */
export interface OpenedStore<S> {
  store: S;
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** Opens a backend's store once per suite. */
export type OpenStore<S> = () => Promise<OpenedStore<S>>;

/**
 * Ids and text users may send: SQL injection, SQL LIKE wildcards, Redis glob patterns and
 * key-separator characters. Every backend stores and finds them literally.
 */
export const HOSTILE = ["x'; DROP TABLE runs; --", '*', '?', '[a]', '\\', '%', '_', 'a:b', 'a*', 'weft:*', '"quoted"'] as const;

/** Sleeps past a 1-second TTL (with a margin for timer and server clock resolution). */
export const pastOneSecond = (): Promise<void> => sleep(1150);

/**
 * A uvu suite whose tests receive the store: opened once before the first test, reset before each
 * test, closed after the last.
 */
export function storeSuite<S>(title: string, open: OpenStore<S>): { test: Test<{ store: S }>; run: () => void } {
  let opened: OpenedStore<S> | undefined;
  const context = { store: undefined as unknown as S };
  const test = suite<{ store: S }>(title, context);
  test.before(async () => {
    opened = await open();
    context.store = opened.store;
  });
  test.before.each(async () => {
    await opened!.reset();
    context.store = opened!.store;
  });
  test.after(async () => {
    await opened?.close();
  });
  return { test, run: () => test.run() };
}
