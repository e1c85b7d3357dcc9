// Durability check run by .ci/run: `weft run` a slow five-step pipeline against PostgreSQL, SIGKILL
// the process while its third step runs, `weft resume` the run, and check that every step's side
// effect happened exactly once except the interrupted step's, which happened twice.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';

const weft = new URL('../bin/weft.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'weft-kill-'));
const effects = join(dir, 'effects.log');
const ids = ['s1', 's2', 's3', 's4', 's5'];
writeFileSync(join(dir, 'steps.mjs'), `import { appendFileSync } from 'node:fs';
export async function Slow(input, ctx) {
  appendFileSync(${JSON.stringify(effects)}, ctx.step_id + '\\n');
  await new Promise((r) => setTimeout(r, 400));
  return { ...input, [ctx.step_id]: true };
}
`);
writeFileSync(join(dir, 'pipeline.json'), JSON.stringify({
  name: 'kill-resume',
  steps: ids.map((id) => ({ id, step_class: 'Slow', module: './steps.mjs' })),
  flow: { start_at: 's1', transitions: ids.slice(1).map((to, i) => ({ from: ids[i], to })) },
}));
const env = { ...process.env, DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' };
const runId = `kill-${randomUUID()}`;
const lines = () => (existsSync(effects) ? readFileSync(effects, 'utf8').trim().split('\n').filter(Boolean) : []);

const child = spawn(process.execPath, [weft, 'run', 'pipeline.json', '--run-id', runId], { cwd: dir, env, stdio: ['ignore', 'ignore', 'inherit'] });
const started = Date.now();
await new Promise((resolve, reject) => {
  const poll = setInterval(() => {
    if (lines().length >= 3) {
      clearInterval(poll);
      child.kill('SIGKILL');
      resolve();
    } else if (Date.now() - started > 30_000) {
      clearInterval(poll);
      child.kill('SIGKILL');
      reject(new Error('the run did not reach its third step within 30 s'));
    }
  }, 20);
});
await new Promise((resolve) => child.once('exit', resolve));
console.log(`killed the run ${runId} during step s3 (side effects so far: ${lines().join(', ')})`);

const resumed = spawnSync(process.execPath, [weft, 'resume', runId, '--json'], { cwd: dir, env, encoding: 'utf8' });
process.stderr.write(resumed.stderr);
const result = JSON.parse(resumed.stdout || '{}');
const counts = Object.fromEntries(ids.map((id) => [id, lines().filter((l) => l === id).length]));
const expected = { s1: 1, s2: 1, s3: 2, s4: 1, s5: 1 };
const ok = resumed.status === 0 && result.status === 'completed' && JSON.stringify(counts) === JSON.stringify(expected) && JSON.stringify(result.execution_path) === JSON.stringify(ids);
console.log(`resume exit ${resumed.status}, status ${result.status}, side effects per step ${JSON.stringify(counts)} (expected ${JSON.stringify(expected)})`);
rmSync(dir, { recursive: true, force: true });
console.log(ok ? '1 passed, 0 failed' : '0 passed, 1 failed');
process.exit(ok ? 0 : 1);
