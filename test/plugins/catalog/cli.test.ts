// What a user meets, through real `weft` processes on the default embedded storage: a folder with
// a test suite imports, a stored pipeline runs by its declared version, an unknown one is a coded
// error without a stack trace, and resume uses the revision a run started with, or refuses a
// pipeline file that changed since.
import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { tempDir } from '../../support/temp.js';
import { weftProcess } from '../../support/weft-process.js';

/** Runs `weft …` in `cwd` as its own process. */
const weft = (cwd: string, ...args: string[]) => weftProcess(cwd, args);

/** Both steps output their configured label; `send` fails while a file named `down` lies beside the steps. */
const STEPS = `import { existsSync } from 'node:fs';
export const Mark = async (input, ctx) => ({ label: ctx.config.label });
export const Send = async (input, ctx) => {
  if (existsSync(new URL('./down', import.meta.url))) throw new Error('downstream service unavailable');
  return { sent: input.label, by: ctx.config.label };
};
`;
const pipeline = (label: string) =>
  JSON.stringify({
    name: 'flaky',
    version: '1.0.0',
    steps: [{ id: 'mark', step_class: 'Mark', module: './steps.mjs', config: { label } }, { id: 'send', step_class: 'Send', module: './steps.mjs', config: { label } }],
    flow: { start_at: 'mark', transitions: [{ from: 'mark', to: 'send' }] },
    outputs: { sent: '{{ send.sent }}', by: '{{ send.by }}' },
  });

const cli = suite('catalog: weft processes');
// One working directory, so the embedded database is created once.
const cwd = tempDir({ 'flow/pipeline.json': pipeline('v1'), 'flow/steps.mjs': STEPS, 'flow/cases.json': '[]', 'flow/down': '', 'file/pipeline.json': pipeline('v1'), 'file/steps.mjs': STEPS, 'file/down': '' });

cli('import skips cases.json; run name@version; an unknown version is CATALOG_NOT_FOUND; resume ignores an edited, moved file', async () => {
  const imported = await weft(cwd, 'pipelines', 'import', 'flow');
  assert.is(imported.code, 0, imported.stderr);
  assert.match(imported.stdout, /✓ .*pipeline\.json: flaky@1 imported\n {2}- .*cases\.json: skipped \(weft test cases, not a pipeline\)\nimported 1, updated 0, unchanged 0, skipped 1, errors 0\n/);

  const failed = await weft(cwd, 'run', 'flaky@1.0.0', '--run-id', 'cat-1');
  assert.is(failed.code, 1);
  assert.match(failed.stdout, /^flaky: failed \(run cat-1/);

  const unknown = await weft(cwd, 'run', 'flaky@2.0.0');
  assert.is(unknown.code, 1);
  assert.is(unknown.stderr, 'error [CATALOG_NOT_FOUND]: "flaky@2.0.0" is not a file, and pipeline "flaky" has no revision or version "2.0.0" in the catalogue; stored: flaky@1 (version 1.0.0)\n');

  await writeFile(join(cwd, 'flow/pipeline.json'), pipeline('v2'));
  await rename(join(cwd, 'flow/pipeline.json'), join(cwd, 'flow/moved.json'));
  await rm(join(cwd, 'flow/down'));
  const resumed = await weft(cwd, 'resume', 'cat-1', '--json');
  assert.is(resumed.code, 0, resumed.stderr);
  assert.equal(JSON.parse(resumed.stdout).output, { sent: 'v1', by: 'v1' });
});

cli('resume refuses a pipeline file that changed since its run started; --pipeline resumes with it', async () => {
  const file = join(cwd, 'file/pipeline.json');
  assert.is((await weft(cwd, 'run', 'file/pipeline.json', '--run-id', 'file-1')).code, 1);
  await writeFile(file, pipeline('v2'));
  await rm(join(cwd, 'file/down'));
  const refused = await weft(cwd, 'resume', 'file-1');
  assert.is(refused.code, 1);
  assert.is(refused.stderr, `▸ resuming file-1\nerror [PIPELINE_RESUME_CHANGED]: The pipeline file ${file} changed since run file-1 started; restore it, or resume with its new content on purpose (weft resume file-1 --pipeline ${file})\n`);
  const resumed = await weft(cwd, 'resume', 'file-1', '--pipeline', 'file/pipeline.json', '--json');
  assert.is(resumed.code, 0, resumed.stderr);
  assert.equal(JSON.parse(resumed.stdout).output, { sent: 'v1', by: 'v2' });
});

cli('a --run-id already stored is refused before anything runs; a malformed one is a usage error', async () => {
  const taken = await weft(cwd, 'run', 'file/pipeline.json', '--run-id', 'file-1');
  assert.is(taken.code, 1);
  assert.is(taken.stderr, 'error [PIPELINE_RUN_ID_TAKEN]: A run with id "file-1" is already stored (pipeline flaky, completed); choose another --run-id (weft resume file-1 continues a failed or interrupted run)\n  at --run-id\n');
  const fresh = await weft(cwd, 'run', 'flaky@1', '--run-id', 'cat-2');
  assert.is(fresh.code, 0, fresh.stderr);
  for (const id of ['', ' padded', 'x'.repeat(201), 'tab\there']) {
    const bad = await weft(cwd, 'run', 'file/pipeline.json', '--run-id', id);
    assert.is(bad.code, 2, JSON.stringify(id));
    assert.match(bad.stderr, /^error \[PIPELINE_BAD_INPUT\]: --run-id must be 1 to 200 characters/);
  }
});

cli.run();
