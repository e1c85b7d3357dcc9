// `npm test`: lint the plugin boundaries, compile, run every uvu suite under c8 with the 100% gate,
// and close with a plain `N passed, N failed` line. uvu exits 0 when no test ran; this does not.
//   node scripts/test.mjs            full run with the coverage gate
//   node scripts/test.mjs <pattern>  only test files matching the pattern, no gate (quick loop)
import { spawn, execFileSync } from 'node:child_process';

const root = new URL('..', import.meta.url);
const pattern = process.argv[2];

const step = (file) => execFileSync(process.execPath, [file], { stdio: 'inherit', cwd: root });
try {
  step('scripts/lint-boundaries.mjs');
  step('scripts/build.mjs');
} catch {
  process.exit(1);
}

const uvu = new URL('node_modules/uvu/bin.js', root).pathname;
const filter = pattern ? `${pattern}.*\\.test\\.js$` : '\\.test\\.js$';
// uvu's --no-color flag also hides failure details; NO_COLOR keeps them.
const uvuArgs = [uvu, 'dist/test', filter];
const args = pattern ? uvuArgs : [new URL('node_modules/c8/bin/c8.js', root).pathname, '--config', '.c8rc.json', process.execPath, ...uvuArgs];

const { FORCE_COLOR, ...env } = process.env;
const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...env, NO_COLOR: '1' } });
let out = '';
child.stdout.on('data', (chunk) => {
  out += chunk;
  process.stdout.write(chunk);
});
child.on('close', (code) => {
  const num = (label) => Number(out.match(new RegExp(`${label}:\\s+(\\d+)`))?.[1] ?? 0);
  const total = num('Total');
  const passed = num('Passed');
  const skipped = num('Skipped');
  const failed = total - passed - skipped;
  if (total === 0) console.log('\nNo test ran: every test file must call test.run().');
  console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exit(code !== 0 || total === 0 || failed > 0 ? 1 : 0);
});
