// The RunStore contract (kernel/contracts/stores.ts), run unchanged against every backend.
import * as assert from 'uvu/assert';
import { StoreErrors, type RunEvent, type RunStartedEvent, type RunStatus, type RunStore } from '../../kernel/index.js';
import { rejectsWith } from '../support/errors.js';
import { HOSTILE, storeSuite, type OpenStore } from './harness.js';

export const T0 = Date.UTC(2024, 0, 1, 12);
const minutes = (n: number): number => T0 + n * 60_000;
const iso = (at: number): string => new Date(at).toISOString();

/** `run.started` at `at`. */
export function started(run_id: string, at = T0, pipeline = 'p', seq = 1): RunStartedEvent {
  return { type: 'run.started', run_id, seq, at, pipeline, version: '1.0.0', input: { q: 'hi' }, parameters: {} };
}

/** A completed step with a nested output. */
export function stepDone(run_id: string, seq: number, at = T0 + seq): RunEvent {
  return { type: 'step.completed', run_id, seq, at, step_id: `s${seq}`, iteration: 1, attempt: 1, output: { n: seq, nested: { list: [1, 'two', null, true], text: 'héllo ✓' } }, duration_ms: 3 };
}

/** An event that changes the run's status. */
function statusEvent(type: 'run.suspended' | 'run.resumed' | 'run.completed' | 'run.failed' | 'run.cancelled', run_id: string, seq: number, at = T0 + seq): RunEvent {
  switch (type) {
    case 'run.suspended':
      return { type, run_id, seq, at, step_id: 'review', iteration: 1, request: { prompt: 'ok?' } };
    case 'run.resumed':
      return { type, run_id, seq, at, step_id: 'review', response: { ok: true }, actor: 'ann' };
    case 'run.completed':
      return { type, run_id, seq, at, output: { done: true } };
    case 'run.failed':
      return { type, run_id, seq, at, error: { code: 'PIPELINE_STEP_FAILED', message: 'boom', step_id: 's2' }, output: null };
    case 'run.cancelled':
      return { type, run_id, seq, at, reason: 'user' };
  }
}

/** A whole run: started at `at`, one step, then `end` (or still running). */
async function seedRun(store: RunStore, run_id: string, at: number, pipeline = 'p', end?: 'run.completed' | 'run.failed' | 'run.cancelled' | 'run.suspended'): Promise<void> {
  const events = [started(run_id, at, pipeline), stepDone(run_id, 2, at + 1)];
  if (end) events.push(statusEvent(end, run_id, 3, at + 2));
  await store.append(events);
}

const ids = (runs: { run_id: string }[]): string[] => runs.map((r) => r.run_id);

/** Defines and runs the run store contract suite against one backend. */
export function runStoreContract(name: string, open: OpenStore<RunStore>): void {
  const { test, run } = storeSuite(`${name}: run store contract`, open);

  test('events come back in seq order, as appended; afterSeq reads only later ones', async ({ store }) => {
    const first = [started('r1'), stepDone('r1', 2), stepDone('r1', 3)];
    await store.append(first);
    await store.append([stepDone('r1', 4)]);
    assert.equal(await store.events('r1'), [...first, stepDone('r1', 4)]);
    assert.equal(await store.events('r1', 2), [stepDone('r1', 3), stepDone('r1', 4)]);
    assert.equal(await store.events('r1', 4), []);
    assert.equal(await store.events('r1', 0), await store.events('r1'));
    assert.equal(await store.events('nope'), []);
  });

  test('every event type round-trips', async ({ store }) => {
    const events: RunEvent[] = [
      { ...started('r1'), file: 'pipelines/p.json', parameters: { k: 1 } },
      { type: 'step.started', run_id: 'r1', seq: 2, at: T0 + 2, step_id: 'a', iteration: 1, attempt: 1, input: { x: 1 } },
      { type: 'step.failed', run_id: 'r1', seq: 3, at: T0 + 3, step_id: 'a', iteration: 1, attempt: 1, error: { code: 'E', message: 'm', retryable: true }, duration_ms: 1, will_retry: true, delay_ms: 10 },
      { type: 'step.completed', run_id: 'r1', seq: 4, at: T0 + 4, step_id: 'a', iteration: 1, attempt: 2, output: {}, duration_ms: 2, recovered: 'fallback', replayed: true },
      { type: 'route.decided', run_id: 'r1', seq: 5, at: T0 + 5, step_id: 'a', iteration: 1, evaluated: [{ to: 'b', held: true, values: { v: 1 }, back_edge: false }], taken: ['b'] },
      statusEvent('run.suspended', 'r1', 6),
      statusEvent('run.resumed', 'r1', 7),
      statusEvent('run.failed', 'r1', 8),
    ];
    await store.append(events);
    assert.equal(await store.events('r1'), events);
  });

  test('append is atomic: a batch holding a stored seq writes nothing (STORE_CONFLICT)', async ({ store }) => {
    await store.append([started('r1'), stepDone('r1', 2)]);
    // seq need not be contiguous: 4 before 3 leaves a gap a later batch may fill.
    await store.append([stepDone('r1', 4, T0 + 40), statusEvent('run.completed', 'r1', 5, T0 + 50)]);
    const before = await store.get('r1');
    assert.equal(before, { run_id: 'r1', pipeline: 'p', version: '1.0.0', status: 'completed', started_at: iso(T0), updated_at: iso(T0 + 50), events: 4 });
    // The conflict is the batch's last event: 3 and the failure before it must not be written either.
    await rejectsWith(store.append([stepDone('r1', 3, T0 + 90), statusEvent('run.failed', 'r1', 4, T0 + 99)]), StoreErrors.CONFLICT);
    await rejectsWith(store.append([{ ...started('r1', T0 + 100), seq: 1 }]), StoreErrors.CONFLICT);
    await rejectsWith(store.append([statusEvent('run.cancelled', 'r1', 5, T0 + 100), stepDone('r1', 6, T0 + 101)]), StoreErrors.CONFLICT);
    assert.equal(await store.events('r1'), [started('r1'), stepDone('r1', 2), stepDone('r1', 4, T0 + 40), statusEvent('run.completed', 'r1', 5, T0 + 50)]);
    assert.equal(await store.get('r1'), before);
    await store.append([stepDone('r1', 3, T0 + 30), stepDone('r1', 6, T0 + 60)]);
    assert.equal((await store.events('r1', 2)).map((e) => e.seq), [3, 4, 5, 6]);
    assert.equal(await store.get('r1'), { ...before!, updated_at: iso(T0 + 60), events: 6 });
  });

  test('a batch of thousands of events (durability "exit") is stored whole and in order, after and below other events', async ({ store }) => {
    const steps = (from: number, n: number, step = 1) => Array.from({ length: n }, (_, i) => stepDone('r1', from + i * step));
    await store.append([started('r1'), ...steps(2, 2500)]);
    await store.append(steps(2502, 1500));
    // Odd seqs above 4001 first, then the even ones below them: every batch fills gaps.
    await store.append(steps(4003, 1200, 2));
    await store.append(steps(4002, 1200, 2));
    const events = await store.events('r1');
    assert.is(events.length, 6401);
    assert.ok(events.every((e, i) => e.seq === i + 1), 'in seq order, none missing');
    assert.equal(events[4001], stepDone('r1', 4002));
    assert.is((await store.get('r1'))!.events, 6401);
    await rejectsWith(store.append([stepDone('r1', 6402), ...steps(5000, 1)]), StoreErrors.INVALID);
    await rejectsWith(store.append(steps(6000, 1100)), StoreErrors.CONFLICT);
    assert.is((await store.events('r1', 6000)).length, 401);
  });

  test('concurrent appends of one seq: exactly one wins', async ({ store }) => {
    await store.append([started('r1')]);
    const outcomes = await Promise.allSettled([1, 2, 3, 4].map((n) => store.append([{ ...stepDone('r1', 2), at: T0 + n }])));
    assert.is(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
    for (const o of outcomes) if (o.status === 'rejected') assert.is((o.reason as { code?: string }).code, StoreErrors.CONFLICT);
    assert.is((await store.events('r1')).length, 2);
    assert.is((await store.get('r1'))!.events, 2);
  });

  test('malformed batches are STORE_INVALID and write nothing; an empty batch is a no-op', async ({ store }) => {
    await store.append([]);
    await rejectsWith(store.append([started('r1'), started('r2', T0, 'p', 2)]), StoreErrors.INVALID);
    await rejectsWith(store.append([started('r1'), stepDone('r1', 3), stepDone('r1', 2)]), StoreErrors.INVALID);
    await rejectsWith(store.append([started('r1'), stepDone('r1', 1)]), StoreErrors.INVALID);
    await rejectsWith(store.append([started('r1', T0, 'p', 0)]), StoreErrors.INVALID);
    await rejectsWith(store.append([started('r1', T0, 'p', 1.5)]), StoreErrors.INVALID);
    // A run is stored from its run.started on: its summary needs the pipeline and start time.
    await rejectsWith(store.append([stepDone('r1', 2)]), StoreErrors.INVALID);
    assert.equal(await store.events('r1'), []);
    assert.equal(await store.events('r2'), []);
    assert.is(await store.get('r1'), undefined);
    assert.equal(await store.list(), []);
  });

  test('the summary: status follows run events; times are ISO; events are counted', async ({ store }) => {
    assert.is(await store.get('r1'), undefined);
    await store.append([started('r1', T0, 'greet')]);
    assert.equal(await store.get('r1'), { run_id: 'r1', pipeline: 'greet', version: '1.0.0', status: 'running', started_at: iso(T0), updated_at: iso(T0), events: 1 });
    const expect = async (status: RunStatus, events: number, updated: number) => {
      assert.equal(await store.get('r1'), { run_id: 'r1', pipeline: 'greet', version: '1.0.0', status, started_at: iso(T0), updated_at: iso(updated), events });
    };
    await store.append([stepDone('r1', 2, T0 + 1000)]);
    await expect('running', 2, T0 + 1000);
    await store.append([statusEvent('run.suspended', 'r1', 3, T0 + 2000)]);
    await expect('waiting_for_input', 3, T0 + 2000);
    await store.append([statusEvent('run.resumed', 'r1', 4, T0 + 3000), stepDone('r1', 5, T0 + 4000)]);
    await expect('running', 5, T0 + 4000);
    await store.append([statusEvent('run.completed', 'r1', 6, T0 + 5000)]);
    await expect('completed', 6, T0 + 5000);
    // A run resumed after it ended is running again.
    await store.append([statusEvent('run.resumed', 'r1', 7, T0 + 6000)]);
    await expect('running', 7, T0 + 6000);
    for (const [id, end, status] of [['r2', 'run.failed', 'failed'], ['r3', 'run.cancelled', 'cancelled'], ['r4', 'run.completed', 'completed']] as const) {
      await store.append([started(id, T0), statusEvent(end, id, 2, T0 + 10)]);
      assert.equal(await store.get(id), { run_id: id, pipeline: 'p', version: '1.0.0', status, started_at: iso(T0), updated_at: iso(T0 + 10), events: 2 });
    }
  });

  test('list: newest first by start time, filtered by status and pipeline, paged by limit and offset', async ({ store }) => {
    await seedRun(store, 'a', minutes(1), 'p', 'run.completed');
    await seedRun(store, 'b', minutes(2), 'q', 'run.failed');
    await seedRun(store, 'c', minutes(3), 'p');
    await seedRun(store, 'd', minutes(4), 'q', 'run.completed');
    await seedRun(store, 'e', minutes(5), 'p', 'run.suspended');
    assert.equal(ids(await store.list()), ['e', 'd', 'c', 'b', 'a']);
    assert.equal(await store.list({}), await store.list());
    assert.equal((await store.list())[4], await store.get('a'));
    assert.equal(ids(await store.list({ status: 'completed' })), ['d', 'a']);
    assert.equal(ids(await store.list({ status: 'waiting_for_input' })), ['e']);
    assert.equal(ids(await store.list({ status: 'cancelled' })), []);
    assert.equal(ids(await store.list({ pipeline: 'p' })), ['e', 'c', 'a']);
    assert.equal(ids(await store.list({ pipeline: 'nope' })), []);
    assert.equal(ids(await store.list({ pipeline: 'q', status: 'completed' })), ['d']);
    assert.equal(ids(await store.list({ pipeline: 'p', status: 'failed' })), []);
    assert.equal(ids(await store.list({ limit: 2 })), ['e', 'd']);
    assert.equal(ids(await store.list({ limit: 2, offset: 2 })), ['c', 'b']);
    assert.equal(ids(await store.list({ offset: 4 })), ['a']);
    assert.equal(ids(await store.list({ offset: 5 })), []);
    assert.equal(ids(await store.list({ limit: 0 })), []);
    assert.equal(ids(await store.list({ pipeline: 'p', limit: 1, offset: 1 })), ['c']);
    assert.equal(ids(await store.list({ status: 'completed', pipeline: 'p', limit: 5, offset: 0 })), ['a']);
    // Filters follow status changes: c completes, e resumes.
    await store.append([statusEvent('run.completed', 'c', 3, minutes(6))]);
    await store.append([statusEvent('run.resumed', 'e', 4, minutes(6))]);
    assert.equal(ids(await store.list({ status: 'completed' })), ['d', 'c', 'a']);
    assert.equal(ids(await store.list({ status: 'running' })), ['e']);
    assert.equal(ids(await store.list({ status: 'waiting_for_input' })), []);
  });

  /** Runs p1..p4 of pipeline p (minutes 1..4) and q1, q2 of pipeline q (minutes 5, 6). */
  async function seedForDelete(store: RunStore): Promise<void> {
    for (const [id, at, pipeline] of [['p1', 1, 'p'], ['p2', 2, 'p'], ['p3', 3, 'p'], ['p4', 4, 'p'], ['q1', 5, 'q'], ['q2', 6, 'q']] as const) await seedRun(store, id, minutes(at), pipeline, 'run.completed');
  }

  test('delete: keep_latest keeps the N newest and ignores before', async ({ store }) => {
    await seedForDelete(store);
    assert.is(await store.delete({ keep_latest: 2, before: new Date(minutes(100)) }), 4);
    assert.equal(ids(await store.list()), ['q2', 'q1']);
    assert.equal(await store.events('p4'), []);
    assert.is(await store.get('p1'), undefined);
    assert.is(await store.delete({ keep_latest: 5 }), 0);
    assert.equal(ids(await store.list()), ['q2', 'q1']);
  });

  test('delete: keep_latest narrowed to a pipeline', async ({ store }) => {
    await seedForDelete(store);
    assert.is(await store.delete({ pipeline: 'p', keep_latest: 1, before: new Date(minutes(0)) }), 3);
    assert.equal(ids(await store.list()), ['q2', 'q1', 'p4']);
  });

  test('delete: before removes runs started strictly earlier (a keep_latest of 0 is not set)', async ({ store }) => {
    await seedForDelete(store);
    assert.is(await store.delete({ before: new Date(minutes(3)) }), 2);
    assert.equal(ids(await store.list()), ['q2', 'q1', 'p4', 'p3']);
    assert.is(await store.delete({ before: new Date(minutes(6)), keep_latest: 0, pipeline: 'q' }), 1);
    assert.equal(ids(await store.list()), ['q2', 'p4', 'p3']);
    assert.is(await store.delete({ before: new Date(minutes(0)) }), 0);
  });

  test('delete: a pipeline alone removes all its runs; nothing removes everything', async ({ store }) => {
    await seedForDelete(store);
    assert.is(await store.delete({ pipeline: 'q' }), 2);
    assert.equal(ids(await store.list()), ['p4', 'p3', 'p2', 'p1']);
    assert.is(await store.delete({ pipeline: 'nope' }), 0);
    assert.is(await store.delete(), 4);
    assert.equal(await store.list(), []);
    assert.equal(await store.list({ status: 'completed' }), []);
    assert.equal(await store.list({ pipeline: 'p' }), []);
    assert.equal(await store.events('p1'), []);
    assert.equal(await store.stats(), { runs: 0, events: 0, by_status: {} });
    assert.is(await store.delete({}), 0);
  });

  test('a deleted run id starts afresh', async ({ store }) => {
    await seedRun(store, 'r1', minutes(1), 'p', 'run.failed');
    assert.is(await store.delete({ pipeline: 'p' }), 1);
    await store.append([started('r1', minutes(9), 'q')]);
    assert.equal(await store.get('r1'), { run_id: 'r1', pipeline: 'q', version: '1.0.0', status: 'running', started_at: iso(minutes(9)), updated_at: iso(minutes(9)), events: 1 });
    assert.equal(ids(await store.list({ status: 'failed' })), []);
    assert.equal(ids(await store.list({ pipeline: 'p' })), []);
    assert.equal(ids(await store.list({ pipeline: 'q', status: 'running' })), ['r1']);
  });

  test('stats count runs, events and statuses; oldest and newest start times', async ({ store }) => {
    assert.equal(await store.stats(), { runs: 0, events: 0, by_status: {} });
    await seedRun(store, 'a', minutes(3), 'p', 'run.completed');
    await seedRun(store, 'b', minutes(1), 'q', 'run.completed');
    await seedRun(store, 'c', minutes(2), 'p', 'run.failed');
    await seedRun(store, 'd', minutes(5), 'p');
    assert.equal(await store.stats(), { runs: 4, events: 11, by_status: { completed: 2, failed: 1, running: 1 }, oldest: iso(minutes(1)), newest: iso(minutes(5)) });
  });

  test('hostile run ids and pipeline names are stored and matched literally', async ({ store }) => {
    for (const [i, id] of HOSTILE.entries()) await seedRun(store, id, minutes(i), id, 'run.completed');
    for (const [i, id] of HOSTILE.entries()) {
      assert.equal(await store.events(id), [started(id, minutes(i), id), stepDone(id, 2, minutes(i) + 1), statusEvent('run.completed', id, 3, minutes(i) + 2)], id);
      assert.equal(ids(await store.list({ pipeline: id })), [id], id);
      assert.is((await store.get(id))!.pipeline, id);
    }
    assert.is((await store.list()).length, HOSTILE.length);
    assert.is(await store.delete({ pipeline: '*' }), 1);
    assert.is(await store.delete({ pipeline: '%', keep_latest: 0 }), 1);
    assert.is(await store.delete({ pipeline: '_', before: new Date(minutes(100)) }), 1);
    assert.is(await store.delete({ pipeline: "x'; DROP TABLE runs; --" }), 1);
    assert.is((await store.list()).length, HOSTILE.length - 4);
    assert.equal(await store.events('*'), []);
    assert.is((await store.events('a*')).length, 3);
    assert.is((await store.stats()).runs, HOSTILE.length - 4);
  });

  run();
}
