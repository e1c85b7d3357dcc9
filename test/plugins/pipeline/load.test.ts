// Loading pipeline files: JSON and YAML parse to the same document; unreadable files, parse errors
// and non-object documents are coded errors naming the file (and the line, for YAML).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { WeftError } from '#kernel';
import { PipelineErrors } from '../../../plugins/pipeline/errors.js';
import { parseDocument, readDocument } from '../../../plugins/pipeline/load.js';

const units = fileURLToPath(new URL('../../../../test/fixtures/pipelines/units/', import.meta.url));
const file = (name: string): string => join(units, name);

const expected = {
  name: 'loaded',
  steps: [{ id: 'a', step_class: 'A' }],
  flow: { start_at: 'a', transitions: [{ from: 'a', to: 'end' }] },
};

async function failure(promise: Promise<unknown>): Promise<WeftError> {
  try {
    await promise;
  } catch (e: unknown) {
    assert.instance(e, WeftError);
    return e as WeftError;
  }
  throw new Error('expected a WeftError');
}

function thrown(fn: () => unknown): WeftError {
  try {
    fn();
  } catch (e: unknown) {
    assert.instance(e, WeftError);
    return e as WeftError;
  }
  throw new Error('expected a WeftError');
}

const load = suite('load');

load('a JSON file and the same pipeline in YAML read to the same document', async () => {
  assert.equal(await readDocument(file('pipeline.json')), expected);
  assert.equal(await readDocument(file('pipeline.yaml')), expected);
});

load('parseDocument: .yaml and .yml are YAML whatever they contain', () => {
  assert.equal(parseDocument('{"a": 1}', 'p.yaml'), { a: 1 });
  assert.equal(parseDocument('a: 1', 'p.YML'), { a: 1 });
});

load('parseDocument: other extensions try JSON first, then YAML', () => {
  assert.equal(parseDocument('{"a": [1, 2]}', 'pipeline.weft'), { a: [1, 2] });
  assert.equal(parseDocument('a: [1, 2]', 'pipeline'), { a: [1, 2] });
});

load('a file without a known extension that is neither JSON nor YAML is a YAML parse error', async () => {
  assert.equal((await readDocument(file('pipeline.weft')))['name'], 'no-extension-hint');
  const error = thrown(() => parseDocument('a: [1', 'pipeline.txt'));
  assert.is(error.code, PipelineErrors.PARSE);
  assert.ok(error.message.startsWith('pipeline.txt is not valid YAML (line 1'), error.message);
});

load('invalid JSON is PIPELINE_PARSE naming the file', async () => {
  const error = await failure(readDocument(file('broken.json')));
  assert.is(error.code, PipelineErrors.PARSE);
  assert.ok(error.message.startsWith(`${file('broken.json')} is not valid JSON: `), error.message);
  assert.equal(error.data, { file: file('broken.json') });
  assert.instance(error.cause, SyntaxError);
  assert.is(thrown(() => parseDocument('name: yaml in a json file', 'p.json')).code, PipelineErrors.PARSE);
});

load('invalid YAML is PIPELINE_PARSE naming the file, line and column', async () => {
  const error = await failure(readDocument(file('broken.yaml')));
  assert.is(error.code, PipelineErrors.PARSE);
  // The unclosed `[A` on line 4 is detected where the next mapping key starts.
  assert.ok(error.message.startsWith(`${file('broken.yaml')} is not valid YAML (line 5, column 1): `), error.message);
  assert.not.ok(error.message.includes('\n'), 'one line, without the code frame');
  assert.equal(error.data, { file: file('broken.yaml') });
});

load('a YAML error without a position still names the file', () => {
  const error = thrown(() => parseDocument('a: *undefined_anchor', 'p.yaml'));
  assert.is(error.code, PipelineErrors.PARSE);
  assert.ok(error.message.startsWith('p.yaml is not valid YAML: '), error.message);
  assert.ok(error.message.includes('undefined_anchor'), error.message);
});

load('a missing or unreadable file is PIPELINE_FILE_UNREADABLE naming it and the reason', async () => {
  const missing = await failure(readDocument(file('no-such-pipeline.json')));
  assert.is(missing.code, PipelineErrors.FILE_UNREADABLE);
  assert.is(missing.message, `Cannot read pipeline file ${file('no-such-pipeline.json')}: ENOENT`);
  assert.equal(missing.data, { file: file('no-such-pipeline.json') });
  const directory = await failure(readDocument(units));
  assert.is(directory.code, PipelineErrors.FILE_UNREADABLE);
  assert.ok(directory.message.endsWith(': EISDIR'), directory.message);
});

load('a document that is not an object is PIPELINE_SCHEMA naming the file', async () => {
  for (const name of ['list.json', 'empty.yaml']) {
    const error = await failure(readDocument(file(name)));
    assert.is(error.code, PipelineErrors.SCHEMA, name);
    assert.is(error.message, `${file(name)} must contain a pipeline object (with name, steps and flow)`);
    assert.is(error.path, '');
    assert.equal(error.data, { file: file(name) });
  }
});

load('a JSON file saved with a byte-order mark loads', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'weft-bom-'));
  const path = join(dir, 'bom.json');
  await writeFile(path, `\uFEFF${JSON.stringify({ name: 'bom', steps: [{ id: 'a' }], flow: { start_at: 'a' } })}`);
  assert.is((await readDocument(path))['name'], 'bom');
  await rm(dir, { recursive: true });
});

load.run();
