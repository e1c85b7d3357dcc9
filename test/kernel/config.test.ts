import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { KernelErrors, loadConfig, readConfigFile, saveConfig, validateKernelConfig } from '../../kernel/index.js';
import { rejectsWith } from '../support/errors.js';
import { ESM_PACKAGE, tempDir } from '../support/temp.js';

const DEFAULTS = { data_dir: '.weft', plugins: {}, load: [], disabled: [], boot_timeout_ms: 10000 };

const files = suite('config: files');

files('no file gives the defaults', async () => {
  assert.equal(await loadConfig({ cwd: tempDir(ESM_PACKAGE), env: {} }), DEFAULTS);
});

files('weft.config.json is read and completed with defaults', async () => {
  const cwd = tempDir({ ...ESM_PACKAGE, 'weft.config.json': JSON.stringify({ $schema: './schema.json', disabled: ['pipeline'], plugins: { http: { port: 80 } } }) });
  assert.equal(await loadConfig({ cwd, env: {} }), { ...DEFAULTS, $schema: './schema.json', disabled: ['pipeline'], plugins: { http: { port: 80 } } });
});

files('weft.config.ts is loaded as code; values that are not JSON stay as they are', async () => {
  const cwd = tempDir({ ...ESM_PACKAGE, 'weft.config.ts': "const timeout: number = 500;\nexport default { boot_timeout_ms: timeout, plugins: { steps: { make: () => 'made' } } };\n" });
  const config = await loadConfig({ cwd, env: {} });
  assert.is(config.boot_timeout_ms, 500);
  assert.is((config.plugins['steps']!['make'] as () => string)(), 'made');
});

files('both files at once is refused', async () => {
  const cwd = tempDir({ ...ESM_PACKAGE, 'weft.config.json': '{}', 'weft.config.ts': 'export default {};' });
  const error = await rejectsWith(loadConfig({ cwd, env: {} }), KernelErrors.CONFIG_UNREADABLE);
  assert.match(error.message, 'Both weft.config.json and weft.config.ts exist');
});

files('JSON that does not parse names the file', async () => {
  const cwd = tempDir({ ...ESM_PACKAGE, 'weft.config.json': '{ "plugins": ' });
  const error = await rejectsWith(loadConfig({ cwd, env: {} }), KernelErrors.CONFIG_UNREADABLE);
  assert.is(error.path, join(cwd, 'weft.config.json'));
  assert.match(error.message, `Cannot read ${join(cwd, 'weft.config.json')}:`);
});

files('a weft.config.ts that fails to load names the file', async () => {
  const cwd = tempDir({ ...ESM_PACKAGE, 'weft.config.ts': "throw new Error('config exploded');\nexport default {};\n" });
  const error = await rejectsWith(loadConfig({ cwd, env: {} }), KernelErrors.CONFIG_UNREADABLE);
  assert.match(error.message, 'config exploded');
  assert.is(error.path, join(cwd, 'weft.config.ts'));
});

files('a file whose content is not an object', async () => {
  const json = await rejectsWith(loadConfig({ cwd: tempDir({ ...ESM_PACKAGE, 'weft.config.json': '[1, 2]' }), env: {} }), KernelErrors.CONFIG_INVALID);
  assert.match(json.message, 'weft.config.json must contain an object');
  await rejectsWith(loadConfig({ cwd: tempDir({ ...ESM_PACKAGE, 'weft.config.ts': 'export const notDefault = 1;' }), env: {} }), KernelErrors.CONFIG_INVALID);
});

files('a bad value is KERNEL_CONFIG_INVALID naming the dotted path', async () => {
  const cwd = tempDir({ ...ESM_PACKAGE, 'weft.config.json': JSON.stringify({ boot_timeout_ms: 'soon', plugins: { http: 3 }, disabel: [] }) });
  const error = await rejectsWith(loadConfig({ cwd, env: {} }), KernelErrors.CONFIG_INVALID);
  assert.match(error.message, 'boot_timeout_ms must be an integer');
  assert.match(error.message, 'plugins.http must be an object');
  assert.match(error.message, 'disabel is not a known option');
  assert.is(error.path, 'disabel');
});

files.run();

const env = suite('config: environment');

env('DATABASE_URL, REDIS_URL and WEFT_DATA_DIR override the file, as strings', async () => {
  const cwd = tempDir({ ...ESM_PACKAGE, 'weft.config.json': JSON.stringify({ data_dir: 'file-dir' }) });
  const config = await loadConfig({ cwd, env: { DATABASE_URL: 'postgres://x/1', REDIS_URL: 'redis://y', WEFT_DATA_DIR: '123' } });
  assert.is(config.database_url, 'postgres://x/1');
  assert.is(config.redis_url, 'redis://y');
  assert.is(config.data_dir, '123');
});

env('WEFT_A__B__C sets a.b.c, JSON-parsed when it parses', async () => {
  const cwd = tempDir({ ...ESM_PACKAGE, 'weft.config.json': JSON.stringify({ plugins: { http: { host: 'h' }, other: 5 } }) });
  const config = await loadConfig({
    cwd,
    env: { WEFT_PLUGINS__HTTP__PORT: '8080', WEFT_PLUGINS__HTTP__NAME: 'not json', WEFT_PLUGINS__OTHER__ON: 'true', WEFT_BOOT_TIMEOUT_MS: '250', WEFT_DISABLED: '["x"]' },
  });
  assert.equal(config.plugins, { http: { host: 'h', port: 8080, name: 'not json' }, other: { on: true } });
  assert.is(config.boot_timeout_ms, 250);
  assert.equal(config.disabled, ['x']);
});

env('empty, unset, malformed and unrelated variables are ignored', async () => {
  const config = await loadConfig({ cwd: tempDir(ESM_PACKAGE), env: { DATABASE_URL: '', REDIS_URL: undefined, WEFT___X: '1', WEFT_A____B: '2', HOME: '/root' } });
  assert.equal(config, DEFAULTS);
});

env('a variable that produces a bad value is reported by its config path', async () => {
  const error = await rejectsWith(loadConfig({ cwd: tempDir(ESM_PACKAGE), env: { WEFT_BOOT_TIMEOUT_MS: 'later' } }), KernelErrors.CONFIG_INVALID);
  assert.is(error.message, 'Invalid configuration: boot_timeout_ms must be an integer');
});

env.run();

const save = suite('config: saveConfig');

save('creates weft.config.json when there is none', async () => {
  const cwd = tempDir(ESM_PACKAGE);
  await saveConfig(cwd, (raw) => void (raw['disabled'] = ['pipeline']));
  assert.equal(JSON.parse(readFileSync(join(cwd, 'weft.config.json'), 'utf8')), { disabled: ['pipeline'] });
  assert.equal(await readConfigFile(cwd), { disabled: ['pipeline'] });
});

save('edits in place, keeps what it did not touch, and leaves no temporary file', async () => {
  const original = { $schema: 'x.json', plugins: { http: { port: 1, custom: { deep: true } } }, load: ['./a.ts'] };
  const cwd = tempDir({ ...ESM_PACKAGE, 'weft.config.json': JSON.stringify(original) });
  await saveConfig(cwd, (raw) => void (raw['load'] = [...(raw['load'] as string[]), './b.ts']));
  const text = readFileSync(join(cwd, 'weft.config.json'), 'utf8');
  assert.equal(JSON.parse(text), { ...original, load: ['./a.ts', './b.ts'] });
  assert.ok(text.endsWith('}\n'));
  assert.equal(readdirSync(cwd).sort(), ['package.json', 'weft.config.json']);
});

save('refuses to write an invalid configuration and leaves the file as it was', async () => {
  const cwd = tempDir({ ...ESM_PACKAGE, 'weft.config.json': '{"load":[]}' });
  await rejectsWith(saveConfig(cwd, (raw) => void (raw['load'] = 'not a list')), KernelErrors.CONFIG_INVALID);
  assert.is(readFileSync(join(cwd, 'weft.config.json'), 'utf8'), '{"load":[]}');
});

save('refuses to edit a weft.config.ts', async () => {
  const cwd = tempDir({ ...ESM_PACKAGE, 'weft.config.ts': 'export default {};' });
  const error = await rejectsWith(saveConfig(cwd, () => {}), KernelErrors.CONFIG_READONLY);
  assert.match(error.message, 'weft.config.ts is code');
});

save('an unreadable existing file is reported, not overwritten', async () => {
  const cwd = tempDir({ ...ESM_PACKAGE, 'weft.config.json': 'nope' });
  await rejectsWith(saveConfig(cwd, () => {}), KernelErrors.CONFIG_UNREADABLE);
  writeFileSync(join(cwd, 'weft.config.json'), '{}');
  await saveConfig(cwd, () => {});
});

save.run();

const validate = suite('config: validateKernelConfig');

validate('fills defaults into a copy; the input is not touched', () => {
  const input = { plugins: { a: { list: [1] } } };
  const config = validateKernelConfig(input);
  assert.equal(config, { ...DEFAULTS, plugins: { a: { list: [1] } } });
  assert.is.not(config.plugins['a'], input.plugins.a);
  assert.equal(input, { plugins: { a: { list: [1] } } });
});

validate('a configuration that is not an object is named "config"', () => {
  assert.throws(() => validateKernelConfig(null), /config must be an object/);
});

validate.run();
