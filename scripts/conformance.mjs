// `npm run conformance`: runs the ia_modules conformance suites (../shared/conformance/ia_modules,
// beside the repository) through `weft test`, with the TypeScript fixtures of the original step
// classes registered by `--steps`. Skips (exit 0) when that folder is absent. Prints each suite's
// output and a closing `N passed, N failed` line over all suites; exits 1 on any failure.
//   node scripts/conformance.mjs              every suite
//   node scripts/conformance.mjs loop hitl    only suites whose folder name contains a word
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const suitesDir = resolve(root, '../shared/conformance/ia_modules');
// WEFT_CLI points at another weft entry point (e.g. an installed build) instead of bin/weft.js.
const cli = process.env.WEFT_CLI ? resolve(process.env.WEFT_CLI) : join(root, 'bin/weft.js');
const fixtures = join(root, 'dist/test/fixtures/ia_modules/steps.js');

if (!existsSync(suitesDir)) {
  console.log(`conformance: ${suitesDir} does not exist, skipped`);
  process.exit(0);
}

// bin/weft.js runs the compiled kernel and plugins, so dist/ must exist and be newer than the sources.
const compiled = [fixtures, join(root, 'dist/kernel/cli.js'), join(root, 'dist/plugins/builtins.js')];

function newestSource(dir) {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') || entry.name.endsWith('.json')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

const stale = () => {
  if (!compiled.every((file) => existsSync(file))) return true;
  const built = Math.min(...compiled.map((file) => statSync(file).mtimeMs));
  return ['kernel', 'plugins', 'test/fixtures/ia_modules'].some((dir) => newestSource(join(root, dir)) > built);
};

if (stale()) {
  console.log('conformance: dist/ is missing or older than the sources, building');
  const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
  const missing = compiled.filter((file) => !existsSync(file));
  if (missing.length > 0) {
    console.error(`conformance: the build did not produce ${missing.map((file) => relative(root, file)).join(', ')}`);
    process.exit(1);
  }
  if (build.status !== 0) console.log('conformance: the build reported errors; running with what it emitted');
}
if (!existsSync(cli)) {
  console.error(`conformance: ${relative(root, cli)} does not exist`);
  process.exit(1);
}

const filters = process.argv.slice(2);
const suites = readdirSync(suitesDir)
  .filter((name) => statSync(join(suitesDir, name)).isDirectory() && existsSync(join(suitesDir, name, 'cases.json')))
  .filter((name) => filters.length === 0 || filters.some((f) => name.includes(f)))
  .sort();

/** How many cases a suite declares, so a suite whose run crashed still counts its cases as failed. */
function caseCount(dir) {
  try {
    const cases = JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8'));
    return Array.isArray(cases) ? cases.length : 1;
  } catch {
    return 1;
  }
}

/** Runs `weft test <dir> --steps <fixtures>`, echoing its output; resolves to its counts. */
function runSuite(dir) {
  return new Promise((done) => {
    const child = spawn(process.execPath, [cli, 'test', dir, '--steps', fixtures], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FORCE_COLOR: '0' },
    });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk) => process.stderr.write(chunk));
    child.on('close', (code) => {
      const summary = [...out.matchAll(/(\d+) passed, (\d+) failed/g)].at(-1);
      if (!summary) {
        console.log(`conformance: ${relative(root, dir)} printed no "N passed, N failed" line (exit ${code}); counting its cases as failed`);
        done({ passed: 0, failed: caseCount(dir) });
        return;
      }
      const passed = Number(summary[1]);
      const failed = Number(summary[2]);
      // A non-zero exit with no failed case reported is still a failure.
      done({ passed, failed: code !== 0 && failed === 0 ? 1 : failed });
    });
  });
}

let passed = 0;
let failed = 0;
for (const name of suites) {
  console.log(`\n== ${name}`);
  const counts = await runSuite(join(suitesDir, name));
  passed += counts.passed;
  failed += counts.failed;
}
if (suites.length === 0) console.log('conformance: no suite matched');
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed > 0 || suites.length === 0 ? 1 : 0);
