import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { WeftError } from '#kernel';
import { ReliabilityErrors } from './errors.js';

const isMissing = (e: unknown): boolean => (e as { code?: unknown }).code === 'ENOENT';
const KEY_FIELD = 'plugins.reliability.key_file';

/** Reads the Ed25519 signing key at `path`; undefined when there is no file. */
export async function readKey(path: string): Promise<KeyObject | undefined> {
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
  } catch (e: unknown) {
    if (isMissing(e)) return undefined;
    throw new WeftError(ReliabilityErrors.KEY_INVALID, `Cannot read the evidence key ${path}: ${(e as NodeJS.ErrnoException).code}`, { cause: e, path: KEY_FIELD });
  }
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType === 'ed25519') return key;
  } catch (e: unknown) {
    throw new WeftError(ReliabilityErrors.KEY_INVALID, `${path} is not a private key in PEM; set plugins.reliability.key_file to an Ed25519 key`, { cause: e, path: KEY_FIELD });
  }
  throw new WeftError(ReliabilityErrors.KEY_INVALID, `${path} is not an Ed25519 key; set plugins.reliability.key_file to an Ed25519 key`, { path: KEY_FIELD });
}

/** The signing key at `path`, generated there (mode 600) on first use. */
export async function signingKey(path: string): Promise<KeyObject> {
  const existing = await readKey(path);
  if (existing) return existing;
  const { privateKey } = generateKeyPairSync('ed25519');
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  } catch (e: unknown) {
    throw new WeftError(ReliabilityErrors.KEY_INVALID, `Cannot create the evidence key ${path}: ${(e as NodeJS.ErrnoException).code}; set plugins.reliability.key_file to a path in a writable folder`, { cause: e, path: KEY_FIELD });
  }
  return privateKey;
}
