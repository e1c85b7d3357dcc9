// Runs the real `weft` command as its own process, with the embedded default storage (no
// DATABASE_URL or REDIS_URL from the environment), for tests of what a user meets.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const WEFT = fileURLToPath(new URL('../../../bin/weft.js', import.meta.url));
const { DATABASE_URL: _d, REDIS_URL: _r, ...env } = process.env;

/** Runs `weft …` in `cwd`, with `extra` environment; resolves to its exit code and output. */
export async function weftProcess(cwd: string, args: readonly string[], extra: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, [WEFT, ...args], { cwd, env: { ...env, NO_COLOR: '1', ...extra } }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}
