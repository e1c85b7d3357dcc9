import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { KernelErrors, importModule } from '../../kernel/index.js';
import { rejectsWith } from '../support/errors.js';
import { ESM_PACKAGE, tempDir } from '../support/temp.js';
import { writeFileSync } from 'node:fs';

const modules = suite('modules: importModule');

modules('a relative .ts file is compiled on the fly, with its own imports', async () => {
  const dir = tempDir({ ...ESM_PACKAGE,
    'steps/add.ts': "import { two } from './two.ts';\nexport default (n: number): number => n + two;\nexport const kind: string = 'ts';\n",
    'steps/two.ts': 'export const two: number = 2;\n',
  });
  const mod = await importModule('./steps/add.ts', dir);
  assert.is((mod['default'] as (n: number) => number)(1), 3);
  assert.is(mod['kind'], 'ts');
});

modules('.mts counts as TypeScript; one file loads once', async () => {
  const dir = tempDir({ ...ESM_PACKAGE, 'a.mts': 'export const at: number = Math.random();\n' });
  const first = await importModule('./a.mts', dir);
  const again = await importModule(join(dir, 'a.mts'), '/elsewhere');
  assert.is(first['at'], again['at']);
});

modules('compiled CommonJS (module.exports marked __esModule) reads like the ES module it was written as', async () => {
  const dir = tempDir({ 'lib.cjs': "Object.defineProperty(exports, '__esModule', { value: true });\nexports.default = 'the default';\nexports.named = 1;\n" });
  const mod = await importModule('./lib.cjs', dir);
  assert.is(mod['default'], 'the default');
  assert.is(mod['named'], 1);
});

modules('outside an ES-module package, .ts and .cts files load as CommonJS with the same exports', async () => {
  // In a subprocess without coverage: c8 cannot map the data: URLs tsx serves CommonJS from.
  const dir = tempDir({ 'plugin.ts': "export default { name: 'cjs' };\nexport const n: number = 1;\n", 'lib.cts': 'export const c: string = "cts";\n' });
  const modulesUrl = new URL('../../kernel/modules.js', import.meta.url).href;
  const script = `const { importModule } = await import(${JSON.stringify(modulesUrl)});
    const a = await importModule('./plugin.ts', ${JSON.stringify(dir)});
    const b = await importModule('./lib.cts', ${JSON.stringify(dir)});
    console.log(JSON.stringify([a.default, a.n, b.c]));`;
  // An empty value, not a deleted one: Node copies the parent's NODE_V8_COVERAGE into a child env that lacks it.
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, NODE_V8_COVERAGE: '' } });
  assert.equal(JSON.parse(stdout), [{ name: 'cjs' }, 1, 'cts']);
});

modules('.js and .mjs files are imported natively; absolute paths ignore fromDir', async () => {
  const dir = tempDir({ ...ESM_PACKAGE, 'cond.js': 'export default () => true;\n', 'other.mjs': 'export const x = 1;\n' });
  assert.is((await importModule('./cond.js', dir))['default'] instanceof Function, true);
  assert.is((await importModule(join(dir, 'other.mjs'), '/'))['x'], 1);
});

modules("a package resolves from the user's folder first", async () => {
  const dir = tempDir({ ...ESM_PACKAGE,
    'node_modules/user-pkg/package.json': '{"name":"user-pkg","main":"main.js"}',
    'node_modules/user-pkg/main.js': 'module.exports = { fromUser: true };\n',
  });
  const mod = await importModule('user-pkg', dir);
  assert.equal(mod['default'], { fromUser: true });
});

modules("a package the user's folder cannot resolve falls back to weft's own dependencies", async () => {
  const mod = await importModule('yaml', tempDir(ESM_PACKAGE));
  assert.type(mod['parse'], 'function');
});

modules('failures are KERNEL_MODULE_LOAD_FAILED naming the specifier and the reason', async () => {
  const dir = tempDir({ ...ESM_PACKAGE, 'broken.ts': 'export const = ;\n', 'throws.mjs': "throw 'plain text';\n" });
  const missing = await rejectsWith(importModule('./missing.ts', dir), KernelErrors.MODULE_LOAD_FAILED);
  assert.match(missing.message, `Cannot load "./missing.ts" from ${dir}:`);
  assert.equal(missing.data, { specifier: './missing.ts', from: dir });
  await rejectsWith(importModule('./broken.ts', dir), KernelErrors.MODULE_LOAD_FAILED);
  const text = await rejectsWith(importModule('./throws.mjs', dir), KernelErrors.MODULE_LOAD_FAILED);
  assert.match(text.message, ': plain text');
  await rejectsWith(importModule('no-such-package-anywhere', dir), KernelErrors.MODULE_LOAD_FAILED);
});

modules('a TypeScript file that failed to load is retried after it is fixed', async () => {
  const dir = tempDir({ ...ESM_PACKAGE, 'fix.ts': 'export const = ;\n' });
  await rejectsWith(importModule('./fix.ts', dir), KernelErrors.MODULE_LOAD_FAILED);
  writeFileSync(join(dir, 'fix.ts'), 'export const fixed: boolean = true;\n');
  assert.is((await importModule('./fix.ts', dir))['fixed'], true);
});

modules.run();
