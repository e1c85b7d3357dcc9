// Runs one command of a booted kernel in-process, as the CLI would after collecting commands.
import type { CommandIO, JsonObject } from '../../kernel/index.js';
import type { Kernel } from '../../kernel/kernel.js';

/** Runs the command `name` with captured output; resolves to its exit code and what it printed. */
export async function command(kernel: Kernel, name: string, positionals: string[], values: JsonObject = {}, cwd = process.cwd()): Promise<{ code: number; stdout: string; stderr: string }> {
  let found: { run: (i: never) => Promise<number> | number } | undefined;
  kernel.hooks.get('kernel.commands').call({ add: (c) => void (c.name === name && (found = c as never)) });
  let stdout = '';
  let stderr = '';
  const io: CommandIO = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), cwd, env: {} };
  const code = await found!.run({ positionals, values, io, services: kernel.services } as never);
  return { code, stdout, stderr };
}
