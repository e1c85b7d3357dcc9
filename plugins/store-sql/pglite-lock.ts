import { readFile, rm, writeFile } from 'node:fs/promises';
import { StoreErrors, WeftError } from '#kernel';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e: unknown) {
    // EPERM: the process exists but belongs to another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Takes the lock file beside a PGlite data directory (`<dir>.lock`, holding a pid) for this
 * process: PGlite has no postmaster to refuse a second process, and two writers corrupt the
 * directory. A lock whose process is gone (killed) or that cannot be read is taken over; this
 * process may open the directory again. Resolves to the function that releases it.
 */
export async function lockDataDir(dataDir: string, where: string): Promise<() => Promise<void>> {
  const path = `${dataDir}.lock`;
  const me = String(process.pid);
  const taken = await writeFile(path, me, { flag: 'wx' }).then(
    () => true,
    () => false,
  );
  if (!taken) {
    const pid = Number.parseInt(await readFile(path, 'utf8'), 10);
    if (pid === process.pid) return async () => undefined;
    if (pid > 0 && alive(pid)) {
      throw new WeftError(StoreErrors.LOCKED, `The embedded database at ${where} is open in process ${pid}; stop it, or share a PostgreSQL server through DATABASE_URL`, { data: { pid, lock: path } });
    }
    await writeFile(path, me);
  }
  return () => rm(path, { force: true });
}
