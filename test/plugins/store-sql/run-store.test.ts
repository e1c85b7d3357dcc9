import { randomInt } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunEvent, WeftError } from '../../../kernel/index.js';
import type { SqlDatabase } from '../../../plugins/store-sql/database.js';
import { PART_BYTES, SqlRunStore, partBudget, splitUtf8 } from '../../../plugins/store-sql/run-store.js';
import { rejectsWith } from '../../support/errors.js';
import { kinds, reset, shared } from './support.js';

const started = (run_id: string, at: number, pipeline = 'p'): RunEvent => ({ type: 'run.started', run_id, seq: 1, at, pipeline, version: '1.0', input: { topic: 'x' }, parameters: {} });
const step = (run_id: string, seq: number, at = 2000 + seq): RunEvent[] => [
  { type: 'step.started', run_id, seq, at, step_id: 's', iteration: 1, attempt: 1, input: {} },
  { type: 'step.completed', run_id, seq: seq + 1, at: at + 1, step_id: 's', iteration: 1, attempt: 1, output: { text: 'ok' }, duration_ms: 1.25 },
  { type: 'route.decided', run_id, seq: seq + 2, at: at + 2, step_id: 's', iteration: 1, evaluated: [{ to: 'end', held: true }], taken: ['end'] },
];

/** `length` characters drawn at random from ASCII, accented letters, CJK and emoji (1 to 4 UTF-8 bytes, surrogate pairs). */
function mixedText(length: number): string {
  const alphabet = ['a', 'Z', '7', ' ', '"', '\\', 'é', 'ß', '✓', '中', '🙂', '🚀', '👍🏽'];
  let text = '';
  while (text.length < length) text += alphabet[randomInt(alphabet.length)]!;
  return text;
}

const split = suite('store-sql: splitting a payload into parts');

split('a text within the budget is one part; a longer one is cut at character boundaries, none over the budget', () => {
  assert.equal(splitUtf8('', 4), ['']);
  assert.equal(splitUtf8('abcd', 4), ['abcd']);
  assert.equal(splitUtf8('abcde', 4), ['abcd', 'e']);
  // é is 2 bytes, 🙂 4: a cut inside either backs off to its first byte.
  assert.equal(splitUtf8('aé🙂b', 4), ['aé', '🙂', 'b']);
  assert.equal(splitUtf8('🙂🙂', 5), ['🙂', '🙂']);
  for (const budget of [4, 5, 7, 100, 1000]) {
    const text = mixedText(3000);
    const parts = splitUtf8(text, budget);
    assert.is(parts.join(''), text);
    assert.ok(parts.every((p) => Buffer.byteLength(p) <= budget && Buffer.byteLength(p) > budget - 4 || p === parts.at(-1)));
    assert.ok(parts.every((p) => !p.includes('\ufffd')));
  }
});

split('a row’s budget is a page less its run id and type, and never below 1 kB', () => {
  assert.is(partBudget('run', 'step.completed'), PART_BYTES - 3 - 14);
  assert.is(partBudget('é'.repeat(10), 'x'), PART_BYTES - 20 - 1);
  assert.is(partBudget('x'.repeat(9000), 'step.completed'), 1024);
});

split.run();

for (const kind of await kinds()) {
  const database = shared(kind);
  const test = suite(`store-sql (${kind}): run store`);
  let db: SqlDatabase;
  let store: SqlRunStore;
  test.before(async () => {
    db = await database.hold();
    store = new SqlRunStore(db);
  });
  test.before.each(() => reset(db));
  test.after(() => database.release());

  test('one append stores a step’s events and keeps the summary current', async () => {
    await store.append([started('r1', 1000)]);
    await store.append(step('r1', 2));
    const events = await store.events('r1');
    assert.equal(events, [started('r1', 1000), ...step('r1', 2)]);
    assert.equal(await store.events('r1', 3), step('r1', 2).slice(2));
    assert.equal(await store.get('r1'), { run_id: 'r1', pipeline: 'p', version: '1.0', status: 'running', started_at: new Date(1000).toISOString(), updated_at: new Date(2004).toISOString(), events: 4 });
    await store.append([{ type: 'run.suspended', run_id: 'r1', seq: 5, at: 3000, step_id: 's', iteration: 1, request: {} }]);
    assert.is((await store.get('r1'))!.status, 'waiting_for_input');
    await store.append([{ type: 'run.resumed', run_id: 'r1', seq: 6, at: 3001 }, { type: 'run.completed', run_id: 'r1', seq: 7, at: 3002, output: null }]);
    assert.equal(await store.get('r1'), { run_id: 'r1', pipeline: 'p', version: '1.0', status: 'completed', started_at: new Date(1000).toISOString(), updated_at: new Date(3002).toISOString(), events: 7 });
    assert.is(await store.get('nope'), undefined);
    assert.equal(await store.events('nope'), []);
    await store.append([]);
  });

  test('a whole run in one append; a run started again keeps one summary', async () => {
    await store.append([started('r2', 10), ...step('r2', 2), { type: 'run.failed', run_id: 'r2', seq: 5, at: 20, error: { code: 'X', message: 'boom' }, output: {} }]);
    assert.equal(await store.get('r2'), { run_id: 'r2', pipeline: 'p', version: '1.0', status: 'failed', started_at: new Date(10).toISOString(), updated_at: new Date(2004).toISOString(), events: 5 });
    await store.append([{ ...started('r2', 30), seq: 6 }]);
    assert.is((await store.get('r2'))!.status, 'running');
    assert.is((await store.get('r2'))!.events, 6);
  });

  test('a stored seq is a conflict and nothing of the append is written', async () => {
    await store.append([started('r1', 1000), ...step('r1', 2)]);
    const error = await rejectsWith(store.append([{ type: 'run.cancelled', run_id: 'r1', seq: 5, at: 5000, reason: 'x' }, { type: 'run.cancelled', run_id: 'r1', seq: 4, at: 5000, reason: 'x' }]), 'STORE_INVALID');
    assert.match(error.message, /increasing/);
    await rejectsWith(store.append([...step('r1', 4)]), 'STORE_CONFLICT');
    assert.is((await store.events('r1')).length, 4);
    assert.equal(await store.get('r1').then((s) => [s!.events, s!.status]), [4, 'running']);
  });

  test('bad batches are refused before anything is sent', async () => {
    await rejectsWith(store.append([started('a', 1), { ...step('b', 2)[0]! }]), 'STORE_INVALID');
    await rejectsWith(store.append([{ ...started('a', 1), seq: 0 }]), 'STORE_INVALID');
    await rejectsWith(store.append([{ ...started('a', 1), seq: 1.5 }]), 'STORE_INVALID');
    await rejectsWith(store.append([{ ...started('a', Number.NaN) }]), 'STORE_INVALID');
    assert.equal(await store.list(), []);
  });

  test('events of a run that was never started are refused', async () => {
    const error = await rejectsWith(store.append(step('ghost', 1)), 'STORE_INVALID');
    assert.match(error.message, /run\.started/);
    assert.equal(await store.events('ghost'), []);
  });

  test('the payload is JSON text: a NUL in a string, key order and number forms come back as given', async () => {
    const event = { ...(started('r1', 1) as Extract<RunEvent, { type: 'run.started' }>), input: { text: 'a\u0000b', z: 1, a: 2, big: 1e300, tiny: 5e-324 } };
    await store.append([event]);
    const [back] = await store.events('r1');
    assert.equal(back, event);
    assert.equal(Object.keys((back as typeof event).input), ['text', 'z', 'a', 'big', 'tiny']);
  });

  test('a value PostgreSQL cannot store is STORE_INVALID (a time that is not an integer)', async () => {
    await store.append([started('r1', 1)]);
    await rejectsWith(store.append([{ ...step('r1', 2)[0]!, at: 1.5 }]), 'STORE_INVALID');
    assert.is((await store.get('r1'))!.events, 1);
  });

  test('a large multi-byte payload is split into parts that stay inline, and round-trips exactly', async () => {
    const text = mixedText(15_000);
    const output = { text, more: mixedText(3000) };
    assert.ok(Buffer.byteLength(JSON.stringify(output)) > 30_000);
    const big: RunEvent = { type: 'step.completed', run_id: 'r1', seq: 2, at: 5, step_id: 's', iteration: 1, attempt: 1, output, duration_ms: 1 };
    const toast = async () => Number((await db.rows(sql`select pg_relation_size(reltoastrelid)::float8 as n from pg_class where oid = 'weft_run_events'::regclass`))[0]!['n']);
    const toastBefore = await toast();
    await store.append([started('r1', 1), big, ...step('r1', 3)]);
    assert.equal(await store.events('r1'), [started('r1', 1), big, ...step('r1', 3)]);
    assert.equal(await store.events('r1', 1), [big, ...step('r1', 3)]);
    assert.equal(await store.events('r1', 2), step('r1', 3));
    assert.is((await store.get('r1'))!.events, 5);
    assert.is((await store.stats()).events, 5);
    const rows = await db.rows(sql`select seq, part, octet_length(payload) as bytes, pg_column_size(payload) as stored from weft_run_events where run_id = 'r1' order by seq, part`);
    const parts = rows.filter((r) => r['seq'] === 2);
    assert.ok(parts.length >= 4, `${parts.length} parts`);
    assert.equal(parts.map((r) => r['part']), parts.map((_, i) => i));
    assert.ok(parts.every((r) => (r['bytes'] as number) <= partBudget('r1', 'step.completed') && (r['stored'] as number) < 8160), JSON.stringify(parts));
    assert.equal(rows.filter((r) => r['seq'] !== 2).map((r) => r['part']), [0, 0, 0, 0]);
    assert.is(await toast(), toastBefore);
    await rejectsWith(store.append([{ ...big, seq: 2 }, { ...big, seq: 6 }]), 'STORE_CONFLICT');
    assert.is((await store.events('r1')).length, 5);
    assert.is((await store.get('r1'))!.events, 5);
  });

  test('list: newest first, filters, paging; stats', async () => {
    await store.append([started('a', 1000, 'p1')]);
    await store.append([started('b', 2000, 'p2'), { type: 'run.completed', run_id: 'b', seq: 2, at: 2500, output: 1 }]);
    await store.append([started('c', 3000, 'p1'), { type: 'run.cancelled', run_id: 'c', seq: 2, at: 3500, reason: 'stop' }]);
    assert.equal((await store.list()).map((r) => r.run_id), ['c', 'b', 'a']);
    assert.equal((await store.list({ pipeline: 'p1' })).map((r) => r.run_id), ['c', 'a']);
    assert.equal((await store.list({ status: 'completed' })).map((r) => r.run_id), ['b']);
    assert.equal((await store.list({ status: 'running', pipeline: 'p2' })).map((r) => r.run_id), []);
    assert.equal((await store.list({ limit: 1, offset: 1 })).map((r) => r.run_id), ['b']);
    assert.equal((await store.list({ offset: 2 })).map((r) => r.run_id), ['a']);
    assert.equal(await store.stats(), { runs: 3, events: 5, by_status: { running: 1, completed: 1, cancelled: 1 }, oldest: new Date(1000).toISOString(), newest: new Date(3000).toISOString() });
  });

  test('stats of an empty store', async () => {
    assert.equal(await store.stats(), { runs: 0, events: 0, by_status: {} });
  });

  test('delete: keep_latest beats before beats all; pipeline narrows each', async () => {
    const fill = async () => {
      await reset(db);
      for (const [id, at, pipeline] of [['a', 1000, 'p1'], ['b', 2000, 'p2'], ['c', 3000, 'p1'], ['d', 4000, 'p1']] as const) await store.append([started(id, at, pipeline), ...step(id, 2)]);
    };
    const ids = async () => (await store.list()).map((r) => r.run_id);
    await fill();
    assert.is(await store.delete({ keep_latest: 2, before: new Date(0) }), 2);
    assert.equal(await ids(), ['d', 'c']);
    assert.equal(await store.events('a'), []);
    await fill();
    assert.is(await store.delete({ keep_latest: 1, pipeline: 'p1' }), 2);
    assert.equal(await ids(), ['d', 'b']);
    await fill();
    assert.is(await store.delete({ before: new Date(3000) }), 2);
    assert.equal(await ids(), ['d', 'c']);
    await fill();
    assert.is(await store.delete({ before: new Date(5000), pipeline: 'p2' }), 1);
    assert.equal(await ids(), ['d', 'c', 'a']);
    assert.is(await store.delete({ keep_latest: 0, pipeline: 'p1' }), 3);
    assert.equal(await ids(), []);
    await fill();
    assert.is(await store.delete(), 4);
    const [{ n }] = (await db.rows(sql`select count(*)::integer as n from weft_run_events`)) as [{ n: number }];
    assert.is(n, 0);
  });

  test('ids and text with SQL in them are data', async () => {
    const id = `x'); drop table weft_runs; --`;
    await store.append([started(id, 1, `p' or '1'='1`)]);
    assert.is((await store.get(id))!.pipeline, `p' or '1'='1`);
    assert.equal((await store.list({ pipeline: `' or 1=1 --` })).length, 0);
  });

  test('corrupt or foreign rows are reported as STORE_CORRUPT', async () => {
    await store.append([started('r1', 1)]);
    await db.rows(sql`insert into weft_run_events (run_id, seq, type, at, payload) values ('r1', 2, 'step.started', 5, '[1, 2]')`);
    const error = await rejectsWith(store.events('r1'), 'STORE_CORRUPT');
    assert.match(error.message, /weft_run_events \(run_id r1, seq 2\).*not a JSON object/);
    await db.rows(sql`update weft_run_events set payload = '{"step_id":' where seq = 2`);
    assert.match((await rejectsWith(store.events('r1'), 'STORE_CORRUPT')).message, /seq 2\).*\(1 part joined\) is not valid JSON/);
    await db.rows(sql`update weft_run_events set type = 'mystery', payload = '{}' where seq = 2`);
    assert.match((await rejectsWith(store.events('r1'), 'STORE_CORRUPT')).message, /unknown event type "mystery"/);
    await store.append([started('r2', 2)]);
    await db.rows(sql`update weft_runs set status = 'exploded' where run_id = 'r1'`);
    await rejectsWith(store.get('r1'), 'STORE_CORRUPT');
    await rejectsWith(store.list(), 'STORE_CORRUPT');
    // Given a report, the damaged run is passed there and the others are still listed.
    const problems: WeftError[] = [];
    assert.equal((await store.list({}, (p) => void problems.push(p))).map((r) => r.run_id), ['r2']);
    assert.equal(problems.map((p) => [p.code, p.data['key']]), [['STORE_CORRUPT', 'run_id r1']]);
    assert.match(problems[0]!.message, /weft_runs \(run_id r1\) is corrupt: unknown status "exploded"/);
  });

  test('an event whose parts are missing or misnumbered is STORE_CORRUPT, not a crash', async () => {
    const big: RunEvent = { type: 'step.completed', run_id: 'r1', seq: 2, at: 5, step_id: 's', iteration: 1, attempt: 1, output: { text: mixedText(20_000) }, duration_ms: 1 };
    await store.append([started('r1', 1), big, ...step('r1', 3)]);
    const parts = Number((await db.rows(sql`select count(*)::integer as n from weft_run_events where seq = 2`))[0]!['n']);
    assert.ok(parts >= 4, `${parts} parts`);
    await db.rows(sql`delete from weft_run_events where seq = 2 and part = ${parts - 1}`);
    let error = await rejectsWith(store.events('r1'), 'STORE_CORRUPT');
    assert.match(error.message, new RegExp(`seq 2\\).*\\(${parts - 1} parts joined\\) is not valid JSON`));
    await db.rows(sql`delete from weft_run_events where seq = 2 and part = 1`);
    error = await rejectsWith(store.events('r1'), 'STORE_CORRUPT');
    assert.match(error.message, /seq 2\).*part 2 where part 1 belongs/, error.message);
    await db.rows(sql`delete from weft_run_events where seq = 2 and part = 0`);
    assert.match((await rejectsWith(store.events('r1'), 'STORE_CORRUPT')).message, /seq 2\).*part 2 where part 0 belongs/);
    // The later events are still readable past the damaged one.
    assert.equal(await store.events('r1', 2), step('r1', 3));
  });

  test('a batch of thousands of events is one statement', async () => {
    const many: RunEvent[] = [started('big', 1)];
    for (let seq = 2; seq <= 15_000; seq += 3) many.push(...step('big', seq));
    await store.append(many);
    assert.is((await store.get('big'))!.events, many.length);
    assert.is((await store.events('big', many.length - 2)).length, 2);
  });

  test.run();
}
