import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli, type BuiltinPlugins, type PluginDefinition } from '../../../kernel/index.js';
import pluginsPlugin from '../../../plugins/plugin-cli/index.js';
import { ESM_PACKAGE, tempDir } from '../../support/temp.js';

const plugin = (name: string, extra: Partial<PluginDefinition> = {}): PluginDefinition => ({ name, version: '1.2.3', kernel: '^1', setup() {}, ...extra });
const builtins: BuiltinPlugins = {
  plugins: async () => ({ default: pluginsPlugin }),
  store: async () => ({ default: plugin('store', { description: 'Storage' }) }),
  api: async () => ({ default: plugin('api', { dependsOn: { store: '^1' }, optionalDeps: ['cache'] }) }),
  cache: async () => ({ default: plugin('cache') }),
};
const pluginFile = (name: string) => `export default { name: '${name}', version: '0.3.0', kernel: '^1', setup() {} };\n`;

async function weft(cwd: string, ...argv: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(argv, { builtins, io: { stdout: (t) => void (out += t), stderr: (t) => void (err += t), cwd, env: {} } });
  return { code, out, err };
}
const configIn = (cwd: string) => JSON.parse(readFileSync(join(cwd, 'weft.config.json'), 'utf8')) as Record<string, unknown>;

const list = suite('plugins: list');

list('a table of every plugin: version, enabled, source, dependencies, boot time; failures after', async () => {
  const cwd = tempDir({ ...ESM_PACKAGE, 'weft.config.json': JSON.stringify({ disabled: ['cache'], load: ['./local.ts', './broken.ts'] }), 'local.ts': pluginFile('local'), 'broken.ts': 'export default {};\n' });
  const { code, out } = await weft(cwd, 'plugins', 'list');
  assert.is(code, 0);
  const lines = out.split('\n');
  assert.match(lines[0]!, /^name +version +enabled +source +dependencies +boot$/);
  assert.match(lines[1]!, /^plugins +0\.1\.0 +yes +builtin +- +\d+\.\d ms$/);
  assert.match(lines[3]!, /^api +1\.2\.3 +yes +builtin +store@\^1, cache@\* \(optional\) +\d+\.\d ms$/);
  assert.match(lines[4]!, /^local +0\.3\.0 +yes +file \.\/local\.ts +- +\d+\.\d ms$/);
  assert.match(lines[5]!, /^cache +1\.2\.3 +no +builtin +- +-$/);
  assert.match(out, /\nfailed to load:\n {2}\.\/broken\.ts \(file\): "\.\/broken\.ts" is not a plugin/);
});

list('--json gives the same facts as data', async () => {
  const cwd = tempDir({ ...ESM_PACKAGE, 'weft.config.json': JSON.stringify({ disabled: ['cache'], load: ['./missing.ts'] }) });
  const { code, out } = await weft(cwd, 'plugins', 'list', '--json');
  assert.is(code, 0);
  const data = JSON.parse(out) as { plugins: Array<Record<string, unknown>>; failed: Array<Record<string, unknown>> };
  const api = data.plugins.find((p) => p['name'] === 'api')!;
  assert.equal(api['dependencies'], [{ name: 'store', range: '^1', optional: false }, { name: 'cache', range: '*', optional: true }]);
  assert.is(api['enabled'], true);
  assert.type(api['boot_ms'], 'number');
  assert.equal(data.plugins.find((p) => p['name'] === 'cache'), { name: 'cache', version: '1.2.3', enabled: false, source: 'builtin', specifier: 'cache', dependencies: [], boot_ms: null });
  assert.is(data.plugins.find((p) => p['name'] === 'store')!['description'], 'Storage');
  assert.equal(data.failed.map((f) => [f['specifier'], f['source']]), [['./missing.ts', 'file']]);
});

list('no failures, no failure section', async () => {
  const { out } = await weft(tempDir(ESM_PACKAGE), 'plugins', 'list');
  assert.not.match(out, 'failed to load');
});

list('with the storage plugin, the backend serving each store is shown', async () => {
  const withStorage: BuiltinPlugins = {
    plugins: async () => ({ default: pluginsPlugin }),
    storage: () => import('../../../plugins/storage/index.js'),
    'store-memory': () => import('../../../plugins/store-memory/index.js'),
  };
  let out = '';
  const io = { stdout: (t: string) => void (out += t), stderr: () => {}, cwd: tempDir(ESM_PACKAGE), env: {} };
  assert.is(await runCli(['plugins', 'list'], { builtins: withStorage, io }), 0);
  assert.match(out, /\nstorage: runs → memory \(in process memory, gone when the process exits\), memory → memory .*catalog → memory/);
  out = '';
  await runCli(['plugins', 'list', '--json'], { builtins: withStorage, io });
  assert.equal((JSON.parse(out) as { storage: Record<string, string> }).storage.runs, 'memory (in process memory, gone when the process exits)');
});

list.run();

const toggle = suite('plugins: enable and disable');

toggle('disable persists in weft.config.json and the plugin stops booting; enable undoes it', async () => {
  const cwd = tempDir({ ...ESM_PACKAGE, 'weft.config.json': JSON.stringify({ plugins: { store: { keep: true } } }) });
  assert.equal(await weft(cwd, 'plugins', 'disable', 'cache'), { code: 0, out: 'disabled cache; it no longer boots\n', err: '' });
  assert.equal(configIn(cwd), { plugins: { store: { keep: true } }, disabled: ['cache'] });
  assert.match((await weft(cwd, 'plugins', 'list')).out, /\ncache +1\.2\.3 +no /);
  assert.equal(await weft(cwd, 'plugins', 'disable', 'cache'), { code: 0, out: 'cache is already disabled\n', err: '' });
  assert.equal(await weft(cwd, 'plugins', 'enable', 'cache'), { code: 0, out: 'enabled cache; it boots from the next command\n', err: '' });
  assert.equal(configIn(cwd), { plugins: { store: { keep: true } }, disabled: [] });
  assert.equal(await weft(cwd, 'plugins', 'enable', 'cache'), { code: 0, out: 'cache is already enabled\n', err: '' });
});

toggle('an unknown name is KERNEL_PLUGIN_UNKNOWN', async () => {
  const { code, err } = await weft(tempDir(ESM_PACKAGE), 'plugins', 'enable', 'ghost');
  assert.is(code, 1);
  assert.match(err, 'error [KERNEL_PLUGIN_UNKNOWN]: No plugin named "ghost" is loaded');
});

toggle('a plugin others need cannot be disabled; an optional dependency does not count', async () => {
  const cwd = tempDir(ESM_PACKAGE);
  const { code, err } = await weft(cwd, 'plugins', 'disable', 'store');
  assert.is(code, 1);
  assert.is(err, 'error [PLUGINS_HAS_DEPENDENTS]: Cannot disable store: api depend(s) on it; disable those first\n');
  assert.is((await weft(cwd, 'plugins', 'disable', 'cache')).code, 0);
});

toggle('the plugins plugin does not disable itself', async () => {
  const { code, err } = await weft(tempDir(ESM_PACKAGE), 'plugins', 'disable', 'plugins');
  assert.is(code, 1);
  assert.match(err, 'error [PLUGINS_DISABLE_SELF]');
});

toggle('a config that cannot be edited is reported', async () => {
  const cwd = tempDir({ ...ESM_PACKAGE, 'weft.config.ts': 'export default {};\n' });
  const { code, err } = await weft(cwd, 'plugins', 'disable', 'cache');
  assert.is(code, 1);
  assert.match(err, 'error [KERNEL_CONFIG_READONLY]');
});

toggle.run();

const add = suite('plugins: add');

add('a file that is a plugin is appended to load and boots next time', async () => {
  const cwd = tempDir({ ...ESM_PACKAGE, 'weft.config.json': '{"load": ["./one.ts"]}', 'one.ts': pluginFile('one'), 'two.ts': pluginFile('two') });
  assert.equal(await weft(cwd, 'plugins', 'add', './two.ts'), { code: 0, out: 'added two@0.3.0 from ./two.ts; it boots from the next command\n', err: '' });
  assert.equal(configIn(cwd), { load: ['./one.ts', './two.ts'] });
  assert.match((await weft(cwd, 'plugins', 'list')).out, /\ntwo +0\.3\.0 +yes +file \.\/two\.ts/);
  assert.equal(await weft(cwd, 'plugins', 'add', './two.ts'), { code: 0, out: 'two is already added\n', err: '' });
});

add('a package is added by name', async () => {
  const cwd = tempDir({ ...ESM_PACKAGE, 'node_modules/weft-extra/package.json': '{"name":"weft-extra","type":"module","main":"i.js"}', 'node_modules/weft-extra/i.js': pluginFile('extra') });
  assert.is((await weft(cwd, 'plugins', 'add', 'weft-extra')).code, 0);
  assert.equal(configIn(cwd), { load: ['weft-extra'] });
});

add('something that is not a plugin, or takes a loaded name, is refused and nothing is written', async () => {
  const cwd = tempDir({ ...ESM_PACKAGE, 'nope.ts': 'export default { name: 1 };\n', 'store.ts': pluginFile('store') });
  const nope = await weft(cwd, 'plugins', 'add', './nope.ts');
  assert.is(nope.code, 1);
  assert.match(nope.err, 'error [KERNEL_PLUGIN_LOAD_FAILED]: "./nope.ts" is not a plugin');
  const clash = await weft(cwd, 'plugins', 'add', './store.ts');
  assert.is(clash.code, 1);
  assert.match(clash.err, 'error [KERNEL_PLUGIN_DUPLICATE]: "./store.ts" is a plugin named "store", but store already provides a plugin of that name');
  assert.is((await weft(cwd, 'plugins', 'add')).code, 2);
});

add.run();
