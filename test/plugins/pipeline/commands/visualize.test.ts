import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { weft as run } from './cli.js';

const FIXTURES = fileURLToPath(new URL('../../../../../test/fixtures/pipelines/visualize/', import.meta.url));

/** `weft <args>` in-process with the pipeline plugin, in the fixtures folder. */
const weft = (...args: string[]) => run(args, FIXTURES);

const draw = suite('weft visualize');
let out: string;
draw.before(async () => {
  out = await mkdtemp(join(tmpdir(), 'weft-visualize-'));
});
draw.after(() => rm(out, { recursive: true, force: true }));

draw('prints Mermaid by default, without loading the step modules', async () => {
  // review-loop.json names Python modules that cannot be imported: drawing needs only the structure.
  const { code, stdout, stderr } = await weft('visualize', 'review-loop.json');
  assert.is(code, 0, stderr);
  assert.is(stderr, '');
  assert.ok(stdout.startsWith('---\ntitle: "review loop"\n---\nflowchart TD\n'), stdout);
  assert.ok(stdout.includes('  s_review -.->|"result.score < {{ parameters.threshold }}<br/>↺ loop (max 4 iterations)"| s_draft\n'), stdout);
  assert.ok(stdout.includes('  s_publish --> t_end\n'));
});

draw('--format dot prints a Graphviz digraph', async () => {
  const { code, stdout } = await weft('visualize', 'review-loop.json', '--format', 'dot');
  assert.is(code, 0);
  assert.ok(stdout.startsWith('digraph "review loop" {\n'), stdout);
  assert.ok(stdout.includes('s_review -> s_draft [label="result.score < {{ parameters.threshold }}\\n↺ loop (max 4 iterations)", style=dashed'), stdout);
});

draw('--format svg renders in-process with WASM Graphviz', async () => {
  const { code, stdout } = await weft('visualize', 'review-loop.json', '--format', 'svg');
  assert.is(code, 0);
  assert.match(stdout, /<svg[\s\S]*Write a draft[\s\S]*<\/svg>/);
});

draw('-o writes the drawing to a file and says where; its extension picks the format', async () => {
  const svgFile = join(out, 'graph.svg');
  const svg = await weft('visualize', 'review-loop.json', '-o', svgFile);
  assert.is(svg.code, 0, svg.stderr);
  assert.is(svg.stdout, `Wrote svg drawing of review-loop.json to ${svgFile}\n`);
  assert.match(await readFile(svgFile, 'utf8'), /^<\?xml[\s\S]*<svg/);

  const gv = await weft('visualize', 'review-loop.json', '--output', join(out, 'graph.gv'));
  assert.is(gv.code, 0);
  assert.ok((await readFile(join(out, 'graph.gv'), 'utf8')).startsWith('digraph'));

  const mmd = await weft('visualize', 'review-loop.json', '-o', join(out, 'graph.mmd'));
  assert.is(mmd.code, 0);
  assert.ok((await readFile(join(out, 'graph.mmd'), 'utf8')).includes('flowchart TD'));

  // An explicit --format wins over the extension.
  const forced = await weft('visualize', 'review-loop.json', '--format', 'mermaid', '-o', join(out, 'forced.svg'));
  assert.is(forced.code, 0);
  assert.ok((await readFile(join(out, 'forced.svg'), 'utf8')).includes('flowchart TD'));
});

draw('an -o file that cannot be written is a coded error, exit 1', async () => {
  const { code, stdout, stderr } = await weft('visualize', 'review-loop.json', '-o', join(out, 'no-such-dir', 'graph.svg'));
  assert.is(code, 1);
  assert.is(stdout, '');
  assert.match(stderr, /^error \[PIPELINE_OUTPUT_UNWRITABLE\]: Cannot write .*no-such-dir\/graph\.svg: ENOENT/);
});

draw('an unknown --format is a usage error with a code, exit 2', async () => {
  const { code, stdout, stderr } = await weft('visualize', 'review-loop.json', '--format', 'png');
  assert.is(code, 2);
  assert.is(stdout, '');
  assert.is(stderr, 'error [KERNEL_CLI_USAGE]: --format must be one of mermaid, dot, svg; got "png"\n');
});

draw('an invalid structure is reported with codes and paths, exit 1, nothing drawn', async () => {
  const { code, stdout, stderr } = await weft('visualize', 'unknown-step.json');
  assert.is(code, 1);
  assert.is(stdout, '');
  assert.match(stderr, /^unknown-step\.json: error flow\.transitions\[0\]\.to: .*"b".* \[PIPELINE_UNKNOWN_STEP\]\n/);
  assert.ok(stderr.endsWith('unknown-step.json cannot be drawn: 1 error(s)\n'), stderr);
});

draw('schema errors, a document that is not an object, and a missing file are reported the same way', async () => {
  const schema = await weft('visualize', 'no-steps.json');
  assert.is(schema.code, 1);
  assert.match(schema.stderr, /no-steps\.json: error steps: .*\[PIPELINE_SCHEMA\]/);

  const array = await weft('visualize', 'not-an-object.json');
  assert.is(array.code, 1);
  assert.match(array.stderr, /not-an-object\.json: error \(root\): .*must contain a pipeline object.*\[PIPELINE_SCHEMA\]/);

  const missing = await weft('visualize', 'missing.json');
  assert.is(missing.code, 1);
  assert.match(missing.stderr, /missing\.json: error \(root\): Cannot read pipeline file .*ENOENT \[PIPELINE_FILE_UNREADABLE\]/);
});

draw('warnings are printed on stderr and the drawing still made; unreachable steps are marked', async () => {
  const { code, stdout, stderr } = await weft('visualize', 'unreachable.yaml');
  assert.is(code, 0);
  assert.match(stderr, /^unreachable\.yaml: warning steps\[1\]: .*"orphan".* \[PIPELINE_UNREACHABLE_STEP\]\n$/);
  assert.ok(stdout.includes('  class s_orphan unreachable\n'), stdout);
});

draw('--steps is accepted like run and validate, and not loaded', async () => {
  const { code, stdout } = await weft('visualize', 'review-loop.json', '--steps', './not-there.mjs');
  assert.is(code, 0);
  assert.ok(stdout.includes('flowchart TD'));
});

draw.run();
