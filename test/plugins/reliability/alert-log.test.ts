import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AlertLog } from '../../../plugins/reliability/alert-log.js';
import type { Alert } from '../../../plugins/reliability/alerts.js';
import { MemoryKeyValueStore } from '../../../plugins/store-memory/index.js';

const DAY = 864e5;
const T0 = 100 * DAY;
const alert = (id: string, at: number): Alert => ({ id, rule: null, type: 'cost_overrun', severity: 'info', title: id, message: id, at, source: 's', context: {}, acknowledged: false });
const open = (options = { retention_days: 90, max_alerts: 1000 }) => {
  const kv = new MemoryKeyValueStore();
  return { kv, log: new AlertLog(async () => kv, options) };
};

const log = suite('reliability: the alert log in a key-value store');

log('keeps the newest max_alerts within retention_days, oldest first', async () => {
  const { log: store } = open({ retention_days: 2, max_alerts: 3 });
  assert.equal(await store.read(), []);
  await store.write([alert('old', T0 - 2 * DAY - 1), alert('a', T0 - 2 * DAY), alert('b', T0), alert('c', T0), alert('d', T0)], T0);
  assert.equal((await store.read()).map((a) => a.id), ['b', 'c', 'd']);
});

log('a cooldown is a lock holding its end: taken, held, over by the alerts\' clock, vanished, or none', async () => {
  const { kv, log: store } = open();
  assert.ok(await store.claim('k', T0, 10));
  assert.not.ok(await store.claim('k', T0 + 10 * 60_000 - 1, 10));
  assert.ok(await store.claim('k', T0 + 10 * 60_000, 10));
  assert.is(await kv.get('reliability:alerts:cooldown:k'), String(T0 + 20 * 60_000));
  await kv.delete('reliability:alerts:cooldown:k');
  assert.ok(await store.claim('k', T0 + 11 * 60_000, 10));
  assert.ok(await store.claim('free', T0, 0));
  assert.ok(await store.claim('free', T0, 0));
  assert.is(await kv.get('reliability:alerts:cooldown:free'), undefined);
});

log('suppressed counters per key; a counter gone from the store is left out; clear forgets them and the log', async () => {
  const { kv, log: store } = open();
  await store.suppress('a');
  await store.suppress('b');
  await store.suppress('a');
  assert.equal(await store.suppressed(), { a: 2, b: 1 });
  await kv.delete('reliability:alerts:suppressed:b');
  assert.equal(await store.suppressed(), { a: 2 });
  await store.write([alert('x', T0)], T0);
  await store.clear();
  assert.equal([await store.suppressed(), await store.read()], [{}, []]);
  assert.is(await kv.get('reliability:alerts:suppressed:a'), undefined);
});

log.run();
