import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { WeftError, type RunEvent } from '#kernel';
import { ReliabilityErrors } from './errors.js';

/** Format tag of an evidence bundle. */
export const BUNDLE_FORMAT = 'weft-evidence/1';
const GENESIS = '0'.repeat(64);

/** One run event in the chain: its hash covers the previous hash and the event. */
export interface EvidenceRecord {
  index: number;
  prev_hash: string;
  hash: string;
  event: RunEvent;
}

/** A run's events, hash-chained and signed with Ed25519. */
export interface EvidenceBundle {
  format: string;
  run_id: string;
  pipeline: string;
  exported_at: string;
  records: EvidenceRecord[];
  /** Hash of the last record: what the signature covers, with the header fields. */
  head: string;
  /** SPKI PEM of the key that signed. */
  public_key: string;
  /** Base64 Ed25519 signature over `signedPart(bundle)`. */
  signature: string;
}

/** JSON with object keys sorted, so a value hashes the same however it was built. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const recordHash = (prev: string, event: unknown): string => sha256(`${prev}\n${canonical(event)}`);
const signedPart = (b: Pick<EvidenceBundle, 'format' | 'run_id' | 'pipeline' | 'exported_at' | 'head' | 'records'>): Buffer =>
  Buffer.from(canonical({ format: b.format, run_id: b.run_id, pipeline: b.pipeline, exported_at: b.exported_at, count: b.records.length, head: b.head }));

/** The file text of a bundle: the only form `verifyBundle` accepts, so no byte can change unnoticed. */
export const bundleText = (bundle: EvidenceBundle): string => `${JSON.stringify(JSON.parse(canonical(bundle)), null, 2)}\n`;

/** Chains and signs a run's events. */
export function exportBundle(events: readonly RunEvent[], key: KeyObject, now = new Date()): EvidenceBundle {
  const started = events[0] as Extract<RunEvent, { type: 'run.started' }>;
  let prev = GENESIS;
  const records = events.map((event, index) => {
    const hash = recordHash(prev, event);
    const record = { index, prev_hash: prev, hash, event };
    prev = hash;
    return record;
  });
  const unsigned = { format: BUNDLE_FORMAT, run_id: started.run_id, pipeline: started.pipeline, exported_at: now.toISOString(), records, head: prev };
  return { ...unsigned, public_key: createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString(), signature: sign(null, signedPart(unsigned), key).toString('base64') };
}

const tampered = (message: string, index?: number): WeftError =>
  new WeftError(ReliabilityErrors.EVIDENCE_TAMPERED, message, { data: index === undefined ? {} : { record: index } });

/** Parses a bundle file's text; BUNDLE_INVALID when it is not one. */
export function parseBundle(text: string): EvidenceBundle {
  let bundle: EvidenceBundle;
  try {
    bundle = JSON.parse(text) as EvidenceBundle;
  } catch (e: unknown) {
    throw new WeftError(ReliabilityErrors.BUNDLE_INVALID, 'The bundle is not JSON; export it again with `weft evidence export`', { cause: e });
  }
  const fields = ['format', 'run_id', 'pipeline', 'exported_at', 'head', 'public_key', 'signature'] as const;
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
  if (!isObject(bundle) || bundle.format !== BUNDLE_FORMAT || !Array.isArray(bundle.records) || fields.some((f) => typeof bundle[f] !== 'string') || !bundle.records.every((r) => isObject(r) && isObject(r.event)))
    throw new WeftError(ReliabilityErrors.BUNDLE_INVALID, `The file is not a ${BUNDLE_FORMAT} bundle; export one with \`weft evidence export\``);
  return bundle;
}

/**
 * Checks a bundle file: each record's hash and link, the head, the signature (with `trusted`, the
 * key it must be signed with) and that the file is byte for byte its exported form. Throws
 * EVIDENCE_TAMPERED naming the first bad record; resolves to the number of records.
 */
export function verifyBundle(text: string, trusted?: KeyObject): number {
  const bundle = parseBundle(text);
  let prev = GENESIS;
  for (const [i, record] of bundle.records.entries()) {
    const where = `record ${i} (seq ${record.event.seq}, ${record.event.type})`;
    if (record.index !== i || record.prev_hash !== prev) throw tampered(`${where} is out of place in the chain: a record was removed, added or moved`, i);
    if (recordHash(prev, record.event) !== record.hash) throw tampered(`${where} was altered: its hash does not match its content`, i);
    prev = record.hash;
  }
  if (bundle.head !== prev) throw tampered('The head hash is not the last record’s hash: records were removed from the end');
  let key: KeyObject;
  try {
    key = createPublicKey(bundle.public_key);
  } catch (e: unknown) {
    throw tampered(`The bundle's public key is not a key: ${(e as Error).message}`);
  }
  // Base64 and PEM have spare bits: a re-encoding check keeps every byte of them significant.
  if (key.export({ type: 'spki', format: 'pem' }) !== bundle.public_key) throw tampered("The bundle's public key is not in its exported form");
  const signature = Buffer.from(bundle.signature, 'base64');
  if (signature.toString('base64') !== bundle.signature) throw tampered('The signature is not in its exported form');
  if (trusted && !key.equals(createPublicKey(trusted))) throw tampered('The bundle was signed with a different key than the one configured');
  if (!verify(null, signedPart(bundle), key, signature)) throw tampered('The signature does not match the header and head hash');
  if (bundleText(bundle) !== text) throw tampered('The file differs from its exported form (bytes outside the records were changed)');
  return bundle.records.length;
}
