// How a Redis value that does not parse is reported, and reading hashes that scripts return.
import { StoreErrors, WeftError } from '#kernel';

/** A STORE_CORRUPT error about a Redis key whose value weft cannot read. */
export function corrupt(key: string, problem: string): WeftError {
  return new WeftError(StoreErrors.CORRUPT, `The Redis key ${key} is corrupt: ${problem}; repair or delete it`, { data: { key } });
}

/** Parses stored JSON that must be an object; anything else is STORE_CORRUPT naming `key`. */
export function parseObject(key: string, text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw corrupt(key, 'the value is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw corrupt(key, 'the value is not a JSON object');
  return value as Record<string, unknown>;
}

/** `['a', '1', 'b', '2']` (a Redis hash as a script returns it) → `{ a: '1', b: '2' }`. */
export function fromPairs(flat: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
  return out;
}
