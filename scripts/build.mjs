// Compiles kernel, plugins, tests and benchmarks into dist/ (tsc does not delete stale outputs),
// then copies the JSON assets plugins read at run time (schemas) beside their compiled modules.
import { rmSync, cpSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
const root = new URL('..', import.meta.url);
rmSync(new URL('dist', root), { recursive: true, force: true });
const tsc = new URL('node_modules/typescript/bin/tsc', root);
let failed = false;
try {
  execFileSync(process.execPath, [tsc.pathname, '-p', 'tsconfig.json'], { stdio: 'inherit', cwd: root });
} catch {
  failed = true;
}
for (const dir of ['kernel', 'plugins']) {
  cpSync(new URL(dir, root), new URL(`dist/${dir}`, root), { recursive: true, filter: (src) => !/\.[^/]+$/.test(src) || src.endsWith('.json') });
}
process.exit(failed ? 1 : 0);
