// Case `storage`: what making a step durable costs on the SQL backends. For PostgreSQL (DATABASE_URL,
// default postgres://postgres@127.0.0.1:5432/test; skipped when it does not answer) and for
// file-backed PGlite in a temporary directory:
//  - baseline: one single-row INSERT, committed on its own, through the same driver;
//  - append: one step's events (step.started + step.completed + route.decided) through the run
//    store's append, which must be one commit: target at most 1.5× the baseline. Its p50/p99 are
//    the event append latency. The ratios go to stderr, measured in the same run: from tinybench's
//    tasks, and from interleaved pairs (robust to a machine that is busy part of the time).
// Before timing, each backend writes 1,000-step runs with 10 kB step outputs (incompressible, and
// text-like) and reports the bytes written per step (table growth; WAL too) against the events'
// JSON size — target at most 1.2× — for the first 100 and the last 100 steps, which must not
// differ (constant in run length).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { Bench } from 'tinybench';
import { databaseUrl, serverAvailable } from '../../kernel/testing.js';
import type { SqlDatabase } from '../../plugins/store-sql/database.js';
import { migrate, migrationsFolder } from '../../plugins/store-sql/migrations.js';
import { openPglite } from '../../plugins/store-sql/pglite.js';
import { openPostgres } from '../../plugins/store-sql/postgres.js';
import { SqlRunStore } from '../../plugins/store-sql/run-store.js';
import { started, stepEvents, tenKilobytes } from '../support/events.js';

// One fixed schema, emptied at the start: the runner may exit before a closing tap finishes.
const SCHEMA = 'weft_bench';


async function one(db: SqlDatabase, query: ReturnType<typeof sql>): Promise<number> {
  const [row] = await db.rows(query);
  return Number(row!['n']);
}

/** Table bytes (heap, TOAST, indexes) of the run tables and the WAL position. */
async function footprint(db: SqlDatabase): Promise<{ table: number; wal: number }> {
  const table = await one(db, sql`select (pg_total_relation_size('weft_run_events') + pg_total_relation_size('weft_runs'))::float8 as n`);
  const wal = await one(db, sql`select pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::float8 as n`);
  return { table, wal };
}

/** Writes a 1,000-step run of 10 kB outputs; reports bytes per step for steps 1–100 and 901–1000. */
async function amplification(kind: string, db: SqlDatabase, store: SqlRunStore, content: 'random' | 'text'): Promise<void> {
  const run = `amplification-${kind}-${content}`;
  await store.append([started(run)]);
  const text = tenKilobytes(content);
  const window = async (from: number) => {
    let payload = 0;
    await db.rows(sql`checkpoint`).catch(() => undefined); // the first write of a page after a checkpoint is a full-page image in WAL; start both windows alike
    const before = await footprint(db);
    for (let step = from; step < from + 100; step++) {
      const events = stepEvents(run, 2 + step * 3, { text });
      payload += JSON.stringify(events).length;
      await store.append(events);
    }
    const after = await footprint(db);
    return { table: (after.table - before.table) / payload, wal: (after.wal - before.wal) / payload, perStep: payload / 100 };
  };
  const first = await window(0);
  for (let step = 100; step < 900; step++) await store.append(stepEvents(run, 2 + step * 3, { text }));
  const last = await window(900);
  const fmt = (w: { table: number; wal: number }) => `table ${w.table.toFixed(2)}×, WAL ${w.wal.toFixed(2)}×`;
  process.stderr.write(`storage ${kind}: bytes written per step of ${Math.round(first.perStep)} B of events (${content} 10 kB output) — steps 1–100: ${fmt(first)}; steps 901–1000: ${fmt(last)}\n`);
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
const micros = (ms: number): string => `${(ms * 1000).toFixed(0)} µs`;

/**
 * The baseline and append tasks of one backend. Besides tinybench's tasks (one after the other),
 * the ratio is also measured on 2,000 interleaved pairs, which a busy machine skews far less.
 */
async function backendBench(kind: string, db: SqlDatabase, close: () => Promise<void>): Promise<Bench> {
  await db.rows(sql`create table if not exists bench_baseline (id bigint primary key, at bigint not null, payload jsonb not null)`);
  const store = new SqlRunStore(db);
  await amplification(kind, db, store, 'random');
  await amplification(kind, db, store, 'text');

  const run = `bench-${kind}`;
  await store.append([started(run)]);
  let seq = 2;
  let id = 0;
  const insertOne = async () => {
    id++;
    await db.rows(sql`insert into bench_baseline (id, at, payload) values (${id}, ${Date.now()}, ${JSON.stringify({ step: id })}::jsonb)`);
  };
  const appendStep = async () => {
    const events = stepEvents(run, seq, { text: 'ok' });
    seq += 3;
    await store.append(events);
  };

  const paired: [number[], number[]] = [[], []];
  for (let i = 0; i < 2300; i++) {
    for (const [slot, work] of [insertOne, appendStep].entries()) {
      const t0 = performance.now();
      await work();
      if (i >= 300) paired[slot]!.push(performance.now() - t0);
    }
  }
  const [b, a] = paired.map((t) => t.sort((x, y) => x - y)) as [number[], number[]];
  process.stderr.write(
    `storage ${kind}: interleaved pairs: append/baseline p50 ${(percentile(a, 0.5) / percentile(b, 0.5)).toFixed(2)}× (target ≤ 1.5×); ` +
      `append p50 ${micros(percentile(a, 0.5))} p99 ${micros(percentile(a, 0.99))}; baseline p50 ${micros(percentile(b, 0.5))} p99 ${micros(percentile(b, 0.99))}\n`,
  );

  const bench = new Bench({ name: `storage ${kind}`, time: 2000, warmupTime: 300 });
  const baseline = `${kind}: single-row INSERT commit (baseline)`;
  const append = `${kind}: append one step (3 events, one call)`;
  bench.add(baseline, insertOne).add(append, appendStep);
  bench.addEventListener('complete', () => {
    const stats = (name: string) => {
      const result = bench.getTask(name)!.result;
      return result.state === 'completed' ? result.latency : undefined;
    };
    const [base, app] = [stats(baseline), stats(append)];
    if (base && app) process.stderr.write(`storage ${kind}: tinybench tasks: append/baseline ${(app.mean / base.mean).toFixed(2)}× mean, ${(app.p50! / base.p50!).toFixed(2)}× p50\n`);
    void close();
  });
  return bench;
}

export default async function storageBench(): Promise<Bench[]> {
  const benches: Bench[] = [];
  if (await serverAvailable('postgres')) {
    const db = await openPostgres(databaseUrl(), { schema: SCHEMA, connectTimeoutMs: 5000 });
    await db.rows(sql`drop schema if exists ${sql.identifier(SCHEMA)} cascade`);
    await migrate(db, { folder: migrationsFolder(), migrationsSchema: SCHEMA });
    const setting = await db.rows(sql`select current_setting('synchronous_commit') as s`);
    process.stderr.write(`storage postgres: ${databaseUrl()} (synchronous_commit=${String(setting[0]!['s'])})\n`);
    benches.push(
      await backendBench('postgres', db, async () => {
        await db.rows(sql`drop schema if exists ${sql.identifier(SCHEMA)} cascade`);
        await db.close();
      }),
    );
  } else {
    process.stderr.write(`storage: PostgreSQL is not reachable at ${databaseUrl()}; its tasks are skipped\n`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'weft-bench-'));
  // The runner exits without waiting for closing taps; the directory goes when the process does.
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const db = await openPglite(join(dir, 'pglite'), 'bench');
  await migrate(db, { folder: migrationsFolder() });
  benches.push(
    await backendBench('pglite', db, () => db.close()),
  );
  return benches;
}
