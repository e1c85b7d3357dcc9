import { generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { JsonObject } from '../../../kernel/index.js';
import { bundleText, verifyBundle, type EvidenceBundle } from '../../../plugins/reliability/evidence.js';
import { boot, command, failure, runMix } from './helpers.js';

const evidence = suite('reliability: weft evidence export and verify');

async function exported(): Promise<{ dir: string; text: string; file: string; stdout: string; close(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'weft-evidence-'));
  const kernel = await boot({}, dir);
  const { results } = await runMix(kernel);
  const file = join(dir, 'bundle.json');
  const out = await command(kernel, 'evidence export', [results[4]!.run_id], { output: file });
  assert.match(out.stdout, /^10 records of run \S+ written to .*bundle\.json\n$/);
  const stdout = (await command(kernel, 'evidence export', [results[4]!.run_id])).stdout;
  return { dir, file, stdout, text: await readFile(file, 'utf8'), close: () => kernel.close() };
}

evidence('export signs with a key generated into data_dir on first use; verify accepts the bundle', async () => {
  const { dir, file, text, stdout, close } = await exported();
  assert.is(((await stat(join(dir, 'evidence-key.pem'))).mode & 0o777).toString(8), '600');
  const bundle = JSON.parse(text) as EvidenceBundle;
  assert.equal([bundle.format, bundle.pipeline, bundle.records.length, bundle.records[0]!.prev_hash], ['weft-evidence/1', 'mix', 10, '0'.repeat(64)]);
  assert.is(bundle.head, bundle.records[9]!.hash);
  await close();
  const again = await boot({}, dir);
  assert.match((await command(again, 'evidence verify', [file])).stdout, /^ok: 10 records, chain intact, signature valid \(signed with the configured key\)\n$/);
  assert.is((JSON.parse(stdout) as EvidenceBundle).public_key, bundle.public_key);
  await again.close();
  const elsewhere = await boot({}, await mkdtemp(join(tmpdir(), 'weft-evidence-')));
  assert.match((await command(elsewhere, 'evidence verify', [file])).stdout, /\(no local key: checked against the key in the bundle\)/);
  await elsewhere.close();
});

evidence('changing any byte of the bundle makes verify fail', async () => {
  const { text, close } = await exported();
  await close();
  assert.is(verifyBundle(text), 10);
  for (let i = 0; i < text.length; i++) {
    const altered = text.slice(0, i) + String.fromCharCode(text.charCodeAt(i) ^ 1) + text.slice(i + 1);
    assert.throws(() => verifyBundle(altered), (e: { code: string }) => /^RELIABILITY_(EVIDENCE_TAMPERED|BUNDLE_INVALID)$/.test(e.code), `byte ${i}`);
  }
});

evidence('verify names the first bad record and what is wrong', async () => {
  const { dir, file, text, close } = await exported();
  const original = JSON.parse(text) as EvidenceBundle & JsonObject;
  const edit = async (change: (b: EvidenceBundle) => void, asText?: (b: EvidenceBundle) => string) => {
    const b = structuredClone(original);
    change(b);
    await writeFile(file, asText ? asText(b) : bundleText(b));
    return failure(command(await (async () => kernelRef)(), 'evidence verify', [file]));
  };
  const kernelRef = await boot({}, dir);
  const altered = await edit((b) => void ((b.records[7]!.event as unknown as JsonObject)['output'] = { approved: false }));
  assert.is(altered.code, 'RELIABILITY_EVIDENCE_TAMPERED');
  assert.is(altered.message, 'record 7 (seq 8, step.completed) was altered: its hash does not match its content');
  assert.equal(altered.data, { record: 7 });
  assert.match((await edit((b) => void b.records.splice(3, 1))).message, /^record 3 \(seq 5, step.started\) is out of place in the chain/);
  assert.match((await edit((b) => void b.records.pop())).message, /head hash is not the last record/);
  assert.match((await edit((b) => void (b.signature = Buffer.alloc(64).toString('base64')))).message, /signature does not match/);
  assert.match((await edit((b) => void (b.signature = `${b.signature}=`))).message, /signature is not in its exported form/);
  assert.match((await edit((b) => void (b.public_key = `${b.public_key}\n`))).message, /public key is not in its exported form/);
  assert.match((await edit((b) => void (b.public_key = 'nope'))).message, /public key is not a key/);
  const other = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
  assert.match((await edit((b) => void (b.public_key = other))).message, /signed with a different key/);
  assert.match((await edit(() => undefined, (b) => JSON.stringify(b))).message, /differs from its exported form/);
  assert.match((await edit(() => undefined, () => '{')).message, /not JSON/);
  for (const bad of [null, { ...original, format: 'x' }, { ...original, records: {} }, { ...original, head: 1 }, { ...original, records: [null] }, { ...original, records: [{ event: 1 }] }]) {
    assert.is((await edit(() => undefined, () => JSON.stringify(bad))).code, 'RELIABILITY_BUNDLE_INVALID');
  }
  await kernelRef.close();
  await close();
});

evidence('plugins.reliability.key_file names the key; a bad key is KEY_INVALID', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'weft-evidence-'));
  const keyFile = join(dir, 'mine.pem');
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  await writeFile(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const kernel = await boot({ key_file: keyFile }, dir);
  const { results } = await runMix(kernel);
  const bundle = JSON.parse((await command(kernel, 'evidence export', [results[0]!.run_id])).stdout) as EvidenceBundle;
  assert.is(bundle.public_key, publicKey.export({ type: 'spki', format: 'pem' }).toString());
  await kernel.close();
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
  for (const [content, message] of [[ec, /is not an Ed25519 key/], ['garbage', /is not a private key in PEM/]] as const) {
    await writeFile(keyFile, content);
    const k = await boot({ key_file: keyFile }, dir);
    const e = await failure(command(k, 'evidence export', [results[0]!.run_id]));
    assert.equal([e.code, message.test(e.message)], ['RELIABILITY_KEY_INVALID', true]);
    await k.close();
  }
  const k = await boot({ key_file: dir }, dir);
  const unreadable = await failure(command(k, 'evidence verify', [keyFile]));
  assert.equal([unreadable.code, unreadable.message, (unreadable as { path?: string }).path], ['RELIABILITY_KEY_INVALID', `Cannot read the evidence key ${dir}: EISDIR`, 'plugins.reliability.key_file']);
  await k.close();
  // A dangling link reads as no key, and the key is never written through a link.
  const link = join(dir, 'link.pem');
  await symlink(join(dir, 'gone', 'key.pem'), link);
  const nowhere = await boot({ key_file: link }, dir);
  const uncreatable = await failure(command(nowhere, 'evidence export', [results[0]!.run_id]));
  assert.equal([uncreatable.code, (uncreatable as { path?: string }).path], ['RELIABILITY_KEY_INVALID', 'plugins.reliability.key_file']);
  assert.match(uncreatable.message, /^Cannot create the evidence key .*link\.pem: EEXIST; set plugins\.reliability\.key_file to a path in a writable folder$/);
  await nowhere.close();
});

const files = suite('reliability: evidence files that cannot be written or read');

files('export -o into a missing folder or onto a folder is OUTPUT_UNWRITABLE at --output, and leaves nothing behind', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'weft-evidence-'));
  const kernel = await boot({}, dir);
  const { results } = await runMix(kernel);
  const missing = await failure(command(kernel, 'evidence export', [results[0]!.run_id], { output: join(dir, 'no', 'such', 'b.json') }));
  assert.equal([missing.code, (missing as { path?: string }).path, missing.data], ['RELIABILITY_OUTPUT_UNWRITABLE', '--output', { file: join(dir, 'no', 'such', 'b.json') }]);
  assert.is(missing.message, `Cannot write the bundle to ${join(dir, 'no', 'such', 'b.json')}: ENOENT; give a file path in a folder that exists and is writable`);
  // The bundle is written beside the target first: renaming it onto a folder fails, and it is removed.
  const folder = join(dir, 'out');
  await mkdir(folder);
  const before = await readdir(dir);
  const onto = await failure(command(kernel, 'evidence export', [results[0]!.run_id], { output: 'out' }, dir));
  assert.equal([onto.code, onto.message], ['RELIABILITY_OUTPUT_UNWRITABLE', 'Cannot write the bundle to out: EISDIR; give a file path in a folder that exists and is writable']);
  assert.equal([await readdir(dir), await readdir(folder)], [before, []]);
  await kernel.close();
});

files('verify of a missing file or a folder is BUNDLE_INVALID naming the file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'weft-evidence-'));
  const kernel = await boot({}, dir);
  for (const [file, code] of [['missing.json', 'ENOENT'], ['.', 'EISDIR']] as const) {
    const e = await failure(command(kernel, 'evidence verify', [file], {}, dir));
    assert.equal([e.code, e.message, (e as { path?: string }).path, e.data], ['RELIABILITY_BUNDLE_INVALID', `Cannot read the bundle ${file}: ${code}; give the file \`weft evidence export -o\` wrote`, '<bundle.json>', { file: join(dir, file) }]);
  }
  await kernel.close();
});

evidence.run();
files.run();
