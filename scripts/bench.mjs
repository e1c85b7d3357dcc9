// `npm run bench [filter] [--json <file>]`: builds, then runs every benchmark case found at
// dist/bench/<case>/index.bench.js (only cases whose name contains `filter`). A case
// default-exports a function returning a tinybench Bench, or an array of them; this runs them and
// prints one table. A case may also export `units` ({ [task name]: n }) when one task does n units
// of work (a run of n steps); those rows also get `per_unit_ns`. `--json` also writes
// { node, results: [{ suite, name, mean_ns, p50_ns, p99_ns, ops_per_sec, samples, per_unit_ns? }] }.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const root = new URL('..', import.meta.url);
const { values, positionals } = parseArgs({ options: { json: { type: 'string' } }, allowPositionals: true });
const filter = positionals[0] ?? '';

try {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit', cwd: root });
} catch {
  process.exit(1);
}

const benchDir = new URL('dist/bench/', root);
const cases = readdirSync(benchDir).filter((name) => existsSync(new URL(`${name}/index.bench.js`, benchDir)) && name.includes(filter)).sort();
if (cases.length === 0) {
  console.error(`No benchmark case matches "${filter}" (cases live in bench/<case>/index.bench.ts)`);
  process.exit(1);
}

const results = [];
let failed = false;
for (const name of cases) {
  const { default: make, units = {} } = await import(new URL(`${name}/index.bench.js`, benchDir).href);
  for (const bench of [await make()].flat()) {
    await bench.run();
    for (const task of bench.tasks) {
      const r = task.result;
      if (r.state !== 'completed') {
        failed = true;
        console.error(`${name} / ${task.name}: ${r.state}${r.error ? ` (${r.error.message})` : ''}`);
        continue;
      }
      results.push({
        suite: bench.name ?? name,
        name: task.name,
        mean_ns: r.latency.mean * 1e6,
        p50_ns: r.latency.p50 * 1e6,
        p99_ns: r.latency.p99 * 1e6,
        ops_per_sec: r.throughput.mean,
        samples: r.latency.samplesCount,
        ...(units[task.name] ? { per_unit_ns: (r.latency.mean * 1e6) / units[task.name] } : {}),
      });
    }
  }
}

const time = (ns) => (ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e3 ? `${(ns / 1e3).toFixed(2)} µs` : `${ns.toFixed(0)} ns`);
const rows = [['suite', 'task', 'mean', 'p50', 'p99', 'ops/s', 'samples', 'per unit'], ...results.map((r) => [r.suite, r.name, time(r.mean_ns), time(r.p50_ns), time(r.p99_ns), Math.round(r.ops_per_sec).toLocaleString('en'), String(r.samples), r.per_unit_ns === undefined ? '' : time(r.per_unit_ns)])];
const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
console.log(`node ${process.version}\n`);
for (const row of rows) console.log(row.map((cell, i) => (i >= 2 ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  '));

if (values.json) {
  writeFileSync(values.json, `${JSON.stringify({ node: process.version, results }, null, 2)}\n`);
  console.log(`\nwrote ${values.json}`);
}
process.exit(failed ? 1 : 0);
