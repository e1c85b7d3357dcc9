// Throw-away directories with files in them, for tests that read or write the file system.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * Files that make a directory an ES-module package. Tests that load .ts files in-process add it:
 * outside such a package tsx compiles .ts to CommonJS and serves it from `data:` URLs, which c8
 * cannot map (its report crashes). That case is tested in a subprocess without coverage.
 */
export const ESM_PACKAGE = { 'package.json': '{"type":"module"}' };

const created: string[] = [];
// Directories go when the test process exits; a test may still be reading one until its suite ends.
process.once('exit', () => {
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
});

/** Creates a fresh directory holding `files` (path → contents) and returns its path; it is removed when the process exits. */
export function tempDir(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'weft-t-'));
  created.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}
