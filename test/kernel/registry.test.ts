import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { KERNEL_VERSION, KernelErrors, dependenciesOf, normaliseDependencies, resolvePlugins, type PluginDefinition } from '../../kernel/index.js';
import { rejectsWith } from '../support/errors.js';

const plugin = (name: string, extra: Partial<PluginDefinition> = {}): PluginDefinition => ({ name, version: '1.0.0', kernel: '^1', setup() {}, ...extra });
const names = (plugins: PluginDefinition[]) => plugins.map((p) => p.name);

const deps = suite('registry: dependency spellings');

deps('array entries with and without ranges, scoped names keep their @', () => {
  assert.equal(normaliseDependencies(['a', 'b@^2', '@acme/x', '@acme/y@~1.2'], false), [
    { name: 'a', range: '*', optional: false },
    { name: 'b', range: '^2', optional: false },
    { name: '@acme/x', range: '*', optional: false },
    { name: '@acme/y', range: '~1.2', optional: false },
  ]);
});

deps('a record maps names to ranges; nothing gives nothing', () => {
  assert.equal(normaliseDependencies({ a: '^1' }, true), [{ name: 'a', range: '^1', optional: true }]);
  assert.equal(normaliseDependencies(undefined, false), []);
});

deps('dependenciesOf lists required dependencies, then optional ones', () => {
  assert.equal(dependenciesOf({ dependsOn: ['a'], optionalDeps: { b: '^1' } }).map((d) => `${d.name}:${d.optional}`), ['a:false', 'b:true']);
});

deps.run();

const order = suite('registry: boot order');

order('dependencies boot first; otherwise the given order is kept', () => {
  const result = resolvePlugins([plugin('app', { dependsOn: ['db'] }), plugin('log'), plugin('db', { dependsOn: { log: '^1' } }), plugin('extra')]);
  assert.equal(names(result), ['log', 'db', 'app', 'extra']);
});

order('an optional dependency orders when present and is ignored when absent', () => {
  assert.equal(names(resolvePlugins([plugin('a', { optionalDeps: ['b', 'missing'] }), plugin('b')])), ['b', 'a']);
});

order('the kernel version is 1.0.0 and ranges are checked against it', () => {
  assert.is(KERNEL_VERSION, '1.0.0');
  assert.equal(names(resolvePlugins([plugin('a', { kernel: '>=1.0.0 <2' })])), ['a']);
});

order.run();

const failures = suite('registry: coded failures');

failures('a cycle is named, from where it closes', async () => {
  const error = await rejectsWith(async () => resolvePlugins([plugin('a', { dependsOn: ['b'] }), plugin('b', { dependsOn: ['c'] }), plugin('c', { dependsOn: ['b'] })]), KernelErrors.PLUGIN_CYCLE);
  assert.match(error.message, 'b → c → b');
  assert.equal(error.data['plugins'], ['b', 'c']);
});

failures('a two-plugin cycle', async () => {
  const error = await rejectsWith(async () => resolvePlugins([plugin('x', { dependsOn: ['y'] }), plugin('y', { dependsOn: ['x'] })]), KernelErrors.PLUGIN_CYCLE);
  assert.match(error.message, 'x → y → x');
});

failures('a missing dependency names both plugins', async () => {
  const error = await rejectsWith(async () => resolvePlugins([plugin('app', { dependsOn: ['db'] })]), KernelErrors.PLUGIN_MISSING_DEPENDENCY);
  assert.match(error.message, '"app" depends on "db", which is not loaded');
  assert.equal(error.data, { plugin: 'app', dependency: 'db' });
});

failures('a dependency on a disabled plugin says so', async () => {
  const error = await rejectsWith(async () => resolvePlugins([plugin('app', { dependsOn: ['db'] })], { disabled: ['db'] }), KernelErrors.PLUGIN_MISSING_DEPENDENCY);
  assert.match(error.message, 'is disabled; enable it');
});

failures('a dependency outside its range', async () => {
  const error = await rejectsWith(async () => resolvePlugins([plugin('app', { dependsOn: ['db@^2'] }), plugin('db')]), KernelErrors.PLUGIN_DEPENDENCY_VERSION);
  assert.match(error.message, '"app" needs "db" ^2, but version 1.0.0 is loaded');
});

failures('an optional dependency that is present must still match its range', async () => {
  await rejectsWith(async () => resolvePlugins([plugin('app', { optionalDeps: { db: '^3' } }), plugin('db')]), KernelErrors.PLUGIN_DEPENDENCY_VERSION);
});

failures('a kernel range that excludes this kernel', async () => {
  const error = await rejectsWith(async () => resolvePlugins([plugin('old', { kernel: '^0.9' })]), KernelErrors.PLUGIN_KERNEL_VERSION);
  assert.match(error.message, 'Plugin "old" supports kernel ^0.9, but this kernel is 1.0.0');
  await rejectsWith(async () => resolvePlugins([plugin('new')], { kernelVersion: '2.0.0' }), KernelErrors.PLUGIN_KERNEL_VERSION);
});

failures('two plugins with one name', async () => {
  const error = await rejectsWith(async () => resolvePlugins([plugin('twin'), plugin('twin')]), KernelErrors.PLUGIN_DUPLICATE);
  assert.match(error.message, '"twin"');
});

failures('malformed definitions say what is missing', async () => {
  const cases: Array<[Partial<PluginDefinition>, string]> = [
    [{ name: '' }, 'Plugin (unnamed) has no name'],
    [{ version: 'one' }, 'Plugin "p" has no valid semver version (got "one")'],
    [{ kernel: 'not a range' }, 'Plugin "p" has no valid kernel range'],
    [{ setup: undefined as never }, 'Plugin "p" has no setup function'],
  ];
  for (const [extra, message] of cases) {
    const error = await rejectsWith(async () => resolvePlugins([plugin('p', extra)]), KernelErrors.PLUGIN_INVALID);
    assert.match(error.message, message);
  }
});

failures.run();
