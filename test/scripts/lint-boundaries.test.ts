import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { tempDir } from '../support/temp.js';

const script = fileURLToPath(new URL('../../../scripts/lint-boundaries.mjs', import.meta.url));
const { findViolations } = (await import(script)) as { findViolations(dir: string): string[] };
const lint = (dir: string) => promisify(execFile)(process.execPath, [script, dir]).then(() => ({ code: 0, stderr: '' }), (e: { code: number; stderr: string }) => e);

const clean = {
  'builtins.ts': "export const builtins = { a: () => import('./a/index.js'), b: () => import('./b/index.js') };\n",
  'a/index.ts': "import { definePlugin } from '#kernel';\nimport { helper } from './helper.js';\nimport { readFile } from 'node:fs';\nimport { parse } from 'yaml';\nexport default definePlugin(helper);\n",
  'a/helper.ts': "export { x } from './sub/x.js';\n",
  'a/sub/x.ts': "const lazy = () => import('../helper.js');\n",
  'b/index.ts': "import '#kernel';\n",
};

const boundaries = suite('lint: plugin boundaries');

boundaries('a plugin importing only #kernel, its own folder and packages passes', async () => {
  const dir = tempDir(clean);
  assert.equal(findViolations(dir), []);
  assert.equal(await lint(dir), { code: 0, stderr: '' });
});

boundaries("reaching into another plugin's files, or into the kernel directly, is caught", async () => {
  const dir = tempDir({
    ...clean,
    'b/index.ts': "import { helper } from '../a/helper.js';\nexport const k = await import('../../kernel/registry.js');\nimport '#internal';\n",
  });
  const problems = findViolations(dir);
  assert.is(problems.length, 3);
  assert.match(problems[0]!, "plugins/b/index.ts: imports ../a/helper.js; a plugin imports only '#kernel' and files in its own folder");
  assert.match(problems[1]!, 'imports ../../kernel/registry.js');
  assert.match(problems[2]!, "imports #internal; plugins may import only '#kernel'");
  const { code, stderr } = await lint(dir);
  assert.is(code, 1);
  assert.match(stderr, '3 plugin boundary violation(s)');
});

boundaries('the repository itself is clean', () => {
  assert.equal(findViolations(fileURLToPath(new URL('../../../plugins', import.meta.url))), []);
});

boundaries.run();
