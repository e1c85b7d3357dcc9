import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { KernelErrors, isPluginDefinition, loadPlugin, loadPlugins, type BuiltinPlugins, type PluginDefinition } from '../../kernel/index.js';
import { rejectsWith } from '../support/errors.js';
import { ESM_PACKAGE, tempDir } from '../support/temp.js';

const plugin = (name: string): PluginDefinition => ({ name, version: '1.0.0', kernel: '^1', setup() {} });
const builtins: BuiltinPlugins = {
  alpha: async () => ({ default: plugin('alpha') }),
  beta: async () => ({ default: plugin('beta') }),
};
const pluginFile = (name: string) => `export default { name: '${name}', version: '2.0.0', kernel: '^1', setup() {} };\n`;

const loader = suite('loader: loadPlugins');

loader('loads built-ins, files and packages, and says where each came from', async () => {
  const cwd = tempDir({ ...ESM_PACKAGE,
    'local.ts': pluginFile('local'),
    'node_modules/weft-plugin-x/package.json': '{"name":"weft-plugin-x","type":"module","main":"index.js"}',
    'node_modules/weft-plugin-x/index.js': pluginFile('x'),
  });
  const result = await loadPlugins({ builtins, load: ['./local.ts', 'weft-plugin-x', 'alpha'], cwd });
  assert.equal(result.loaded.map((p) => [p.definition.name, p.source, p.specifier]), [
    ['alpha', 'builtin', 'alpha'],
    ['beta', 'builtin', 'beta'],
    ['local', 'file', './local.ts'],
    ['x', 'package', 'weft-plugin-x'],
  ]);
  assert.equal(result.failed, []);
  assert.equal(result.disabled, []);
});

loader('a plugin that fails to load is reported with the reason; the rest still load', async () => {
  const cwd = tempDir({ ...ESM_PACKAGE, 'broken.ts': "throw new Error('syntax is fine, runtime is not');\n", 'not-a-plugin.ts': 'export default 42;\n', 'good.ts': pluginFile('good') });
  const result = await loadPlugins({ builtins: { ...builtins, gamma: () => Promise.reject(new Error('gamma is gone')) }, load: ['./broken.ts', './not-a-plugin.ts', 'no-such-weft-plugin', './good.ts'], cwd });
  assert.equal(result.loaded.map((p) => p.definition.name), ['alpha', 'beta', 'good']);
  assert.equal(result.failed.map((f) => [f.specifier, f.source, f.error.code]), [
    ['gamma', 'builtin', KernelErrors.PLUGIN_LOAD_FAILED],
    ['./broken.ts', 'file', KernelErrors.PLUGIN_LOAD_FAILED],
    ['./not-a-plugin.ts', 'file', KernelErrors.PLUGIN_LOAD_FAILED],
    ['no-such-weft-plugin', 'package', KernelErrors.PLUGIN_LOAD_FAILED],
  ]);
  assert.match(result.failed[0]!.reason, 'Plugin "gamma" could not be loaded: gamma is gone');
  assert.match(result.failed[1]!.reason, 'runtime is not');
  assert.match(result.failed[2]!.reason, '"./not-a-plugin.ts" is not a plugin: its default export must be definePlugin(');
});

loader('disabled plugins are loaded and listed apart, not booted', async () => {
  const result = await loadPlugins({ builtins, disabled: ['beta'], cwd: tempDir(ESM_PACKAGE) });
  assert.equal(result.loaded.map((p) => p.definition.name), ['alpha']);
  assert.equal(result.disabled.map((p) => p.definition.name), ['beta']);
});

loader.run();

const one = suite('loader: loadPlugin');

one('a single specifier, and the plugin check', async () => {
  assert.is((await loadPlugin('alpha', { builtins, cwd: '/' })).source, 'builtin');
  await rejectsWith(loadPlugin('./nothing-here.ts', { builtins, cwd: tempDir(ESM_PACKAGE) }), KernelErrors.PLUGIN_LOAD_FAILED);
  assert.ok(isPluginDefinition(plugin('p')));
  assert.not.ok(isPluginDefinition(null));
  assert.not.ok(isPluginDefinition({ name: 'p', version: '1.0.0' }));
  assert.not.ok(isPluginDefinition({ name: 'p', setup() {} }));
});

one.run();
