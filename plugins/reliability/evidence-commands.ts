import { randomUUID } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { WeftError, type Command } from '#kernel';
import { ReliabilityErrors } from './errors.js';
import { bundleText, exportBundle, verifyBundle } from './evidence.js';
import { readKey, signingKey } from './keys.js';

const errno = (e: unknown): string | undefined => (e as NodeJS.ErrnoException).code;

/**
 * Writes `text` to `target` through a temporary file beside it, renamed into place: a bundle that
 * cannot be written whole leaves nothing behind (and an existing file unchanged).
 */
async function writeWhole(target: string, text: string, shown: string): Promise<void> {
  const temporary = `${target}.${randomUUID()}.tmp`;
  try {
    await writeFile(temporary, text, { flag: 'wx' });
    await rename(temporary, target);
  } catch (e: unknown) {
    await rm(temporary, { force: true });
    throw new WeftError(ReliabilityErrors.OUTPUT_UNWRITABLE, `Cannot write the bundle to ${shown}: ${errno(e)}; give a file path in a folder that exists and is writable`, { cause: e, path: '--output', data: { file: target } });
  }
}

/** `weft evidence export|verify`, signing with the key at `keyPath`. */
export function evidenceCommands(keyPath: string): Command[] {
  const exportCommand: Command = {
    name: 'evidence export',
    summary: "Write a run's events as a hash-chained, Ed25519-signed evidence bundle",
    args: '<run-id>',
    positionals: { min: 1, max: 1 },
    options: { output: { type: 'string', short: 'o', value: '<file>', description: 'Where to write the bundle (default: stdout)' } },
    async run({ positionals, values, io, services }) {
      const key = await signingKey(keyPath);
      const events = await services.get('runHistory').events(positionals[0]!);
      const text = bundleText(exportBundle(events, key));
      const output = values['output'];
      if (typeof output !== 'string') io.stdout(text);
      else {
        await writeWhole(resolve(io.cwd, output), text, output);
        io.stdout(`${events.length} records of run ${positionals[0]} written to ${output}\n`);
      }
      return 0;
    },
  };
  const verifyCommand: Command = {
    name: 'evidence verify',
    summary: "Check an evidence bundle's hash chain and signature; fails naming the first bad record",
    args: '<bundle.json>',
    positionals: { min: 1, max: 1 },
    async run({ positionals, io }) {
      const file = resolve(io.cwd, positionals[0]!);
      const text = await readFile(file, 'utf8').catch((e: unknown) => {
        throw new WeftError(ReliabilityErrors.BUNDLE_INVALID, `Cannot read the bundle ${positionals[0]}: ${errno(e)}; give the file \`weft evidence export -o\` wrote`, { cause: e, path: '<bundle.json>', data: { file } });
      });
      const trusted = await readKey(keyPath);
      const count = verifyBundle(text, trusted);
      io.stdout(`ok: ${count} records, chain intact, signature valid${trusted ? ' (signed with the configured key)' : ' (no local key: checked against the key in the bundle)'}\n`);
      return 0;
    },
  };
  return [exportCommand, verifyCommand];
}
