// Runs `weft …` in-process with the pipeline plugin and captures what it prints.
import { fileURLToPath } from 'node:url';
import { runCli } from '../../../../kernel/cli.js';

/** Absolute path of a file under test/fixtures/pipelines/. */
export const fixture = (path: string): string => fileURLToPath(new URL(`../../../../../test/fixtures/pipelines/${path}`, import.meta.url));

/** `weft <argv>` with the pipeline plugin, in `cwd`; resolves to the exit code and output. */
export async function weft(argv: string[], cwd = fixture('engine')): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    builtins: { pipeline: () => import('../../../../plugins/pipeline/index.js') },
    io: { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), cwd, env: {} },
  });
  return { code, stdout, stderr };
}
