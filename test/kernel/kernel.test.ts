import { SyncHook } from 'tapable';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { KernelErrors, WeftError, createKernel, createLogger, definePlugin, type Kernel, type KernelOptions, type PluginDefinition } from '../../kernel/index.js';
import { rejectsWith } from '../support/errors.js';

declare module '../../kernel/index.js' {
  interface Services {
    'test.value': { n: number };
    'test.db': string;
  }
  interface Hooks {
    'test.kernel-event': SyncHook<[string]>;
  }
}

const quiet = createLogger(() => {});
const kernelWith = (plugins: PluginDefinition[], options: Partial<KernelOptions> = {}): Kernel => createKernel({ plugins, logger: quiet, ...options });
const plugin = (name: string, setup: PluginDefinition['setup'] = () => {}, extra: Partial<PluginDefinition> = {}): PluginDefinition =>
  definePlugin({ name, version: '1.0.0', kernel: '^1', setup, ...extra });

/** Plugins that record setup and teardown in `log`. */
const recording = (log: string[], ...names: string[]) =>
  names.map((name, i) =>
    plugin(name, (ctx) => {
      log.push(`setup ${name}`);
      ctx.onClose(() => void log.push(`close ${name}`));
    }, i === 0 ? {} : { dependsOn: [names[i - 1]!] }),
  );

const lifecycle = suite('kernel: lifecycle');

lifecycle('boots in dependency order, closes in reverse, and records boot timings', async () => {
  const log: string[] = [];
  const [a, b, c] = recording(log, 'a', 'b', 'c');
  const kernel = kernelWith([c!, a!, b!]);
  assert.is(kernel.state, 'created');
  await kernel.boot();
  assert.is(kernel.state, 'ready');
  assert.equal(log, ['setup a', 'setup b', 'setup c']);
  assert.equal(kernel.plugins.map((p) => p.name), ['a', 'b', 'c']);
  assert.equal(kernel.bootTimings.map((t) => [t.name, t.version]), [['a', '1.0.0'], ['b', '1.0.0'], ['c', '1.0.0']]);
  assert.ok(kernel.bootTimings.every((t) => t.ms >= 0));
  await kernel.close();
  assert.is(kernel.state, 'closed');
  assert.equal(log.slice(3), ['close c', 'close b', 'close a']);
});

lifecycle("a plugin's own teardowns run newest first", async () => {
  const log: string[] = [];
  const kernel = kernelWith([plugin('p', (ctx) => {
    ctx.onClose(() => void log.push('pool'));
    ctx.onClose(async () => void log.push('server'));
  })]);
  await kernel.boot();
  await kernel.close();
  assert.equal(log, ['server', 'pool']);
});

lifecycle('boot is idempotent and close is idempotent', async () => {
  let setups = 0;
  let closes = 0;
  const kernel = kernelWith([plugin('once', (ctx) => {
    setups++;
    ctx.onClose(() => void closes++);
  })]);
  await Promise.all([kernel.boot(), kernel.boot()]);
  await kernel.boot();
  await kernel.close();
  await kernel.close();
  assert.is(setups, 1);
  assert.is(closes, 1);
});

lifecycle('a closed kernel refuses to boot', async () => {
  const kernel = kernelWith([plugin('p')]);
  await kernel.close();
  const error = await rejectsWith(kernel.boot(), KernelErrors.STATE);
  assert.match(error.message, 'create a new one');
});

lifecycle('close while booting waits for boot, then closes what booted', async () => {
  const log: string[] = [];
  const kernel = kernelWith([plugin('slow', async (ctx) => {
    await new Promise((resolve) => setTimeout(resolve, 20));
    ctx.onClose(() => void log.push('closed slow'));
  })]);
  const booting = kernel.boot();
  await kernel.close();
  await booting;
  assert.equal(log, ['closed slow']);
});

lifecycle('await using disposes the kernel', async () => {
  const log: string[] = [];
  {
    await using kernel = kernelWith(recording(log, 'd'));
    await kernel.boot();
  }
  assert.equal(log, ['setup d', 'close d']);
});

lifecycle('the ready hook runs once every plugin booted; kernel.setup sees each plugin first', async () => {
  const log: string[] = [];
  const kernel = kernelWith([
    plugin('tracer', (ctx) => ctx.hooks.tapPromise('kernel.setup', async (info) => void log.push(`before ${info.name}@${info.version}`))),
    plugin('late', () => void log.push('setup late')),
  ]);
  kernel.ready.tap('test', () => void log.push('ready'));
  await kernel.boot();
  assert.equal(log, ['before late@1.0.0', 'setup late', 'ready']);
  assert.is(kernel.hooks.get('kernel.ready'), kernel.ready);
  await kernel.close();
});

lifecycle('plugins get their name, cwd, kernel config, a prefixed logger and the worker pool', async () => {
  const lines: string[] = [];
  let seen: Record<string, unknown> = {};
  const kernel = createKernel({
    plugins: [plugin('ctx', (ctx) => {
      ctx.log.warn('hello', { n: 1 });
      seen = { name: ctx.name, cwd: ctx.cwd, dataDir: ctx.kernelConfig.data_dir, workers: ctx.workers === kernel.workers };
    })],
    cwd: '/somewhere',
    logger: createLogger((line) => void lines.push(line)),
  });
  await kernel.boot();
  await kernel.close();
  assert.equal(seen, { name: 'ctx', cwd: '/somewhere', dataDir: '.weft', workers: true });
  assert.equal(lines, ['warn [ctx] hello {"n":1}\n']);
});

lifecycle('defaults: cwd is the process cwd and warnings go to stderr', async () => {
  const written: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((text: string) => written.push(text) > 0) as typeof process.stderr.write;
  try {
    const kernel = createKernel({ plugins: [plugin('loud', (ctx) => ctx.log.warn('careful'))] });
    assert.is(kernel.cwd, process.cwd());
    await kernel.boot();
    await kernel.close();
  } finally {
    process.stderr.write = write;
  }
  assert.equal(written, ['warn [loud] careful\n']);
});

lifecycle.run();

const failed = suite('kernel: failed boots');

failed('a hanging setup fails boot naming the plugin, and the plugins before it are closed', async () => {
  const log: string[] = [];
  const [first] = recording(log, 'first');
  const kernel = kernelWith([first!, plugin('hangs', () => new Promise(() => {}), { dependsOn: ['first'] })], { config: { boot_timeout_ms: 30 } });
  const error = await rejectsWith(kernel.boot(), KernelErrors.PLUGIN_BOOT_TIMEOUT);
  assert.match(error.message, 'Plugin "hangs" did not finish setup within 30 ms');
  assert.is(kernel.state, 'closed');
  assert.equal(log, ['setup first', 'close first']);
  await kernel.close();
  assert.equal(log, ['setup first', 'close first']);
});

failed('a throwing setup fails boot with the cause; later plugins never start; earlier ones close in reverse', async () => {
  const log: string[] = [];
  const [a, b] = recording(log, 'a', 'b');
  const cause = new Error('port in use');
  const kernel = kernelWith([a!, b!, plugin('bad', () => { throw cause; }, { dependsOn: ['b'] }), plugin('never', () => void log.push('setup never'), { dependsOn: ['bad'] })]);
  const error = await rejectsWith(kernel.boot(), KernelErrors.PLUGIN_BOOT_FAILED);
  assert.is(error.message, 'Plugin "bad" failed to boot: port in use');
  assert.is(error.cause, cause);
  assert.equal(error.data, { plugin: 'bad' });
  assert.equal(log, ['setup a', 'setup b', 'close b', 'close a']);
  assert.equal(kernel.plugins.map((p) => p.name), ['a', 'b']);
});

failed('teardowns the failing plugin registered before it failed also run', async () => {
  const log: string[] = [];
  const kernel = kernelWith([plugin('half', (ctx) => {
    ctx.onClose(() => void log.push('released'));
    throw new Error('then failed');
  })]);
  await rejectsWith(kernel.boot(), KernelErrors.PLUGIN_BOOT_FAILED);
  assert.equal(log, ['released']);
});

failed("a coded error from setup keeps its code in the message; a thrown non-Error is shown as text", async () => {
  const coded = kernelWith([plugin('coded', () => { throw new WeftError('TEST_CODE', 'coded failure'); })]);
  const error = await rejectsWith(coded.boot(), KernelErrors.PLUGIN_BOOT_FAILED);
  assert.is(error.message, 'Plugin "coded" failed to boot: TEST_CODE: coded failure');
  const text = kernelWith([plugin('text', () => Promise.reject('just text'))]);
  assert.match((await rejectsWith(text.boot(), KernelErrors.PLUGIN_BOOT_FAILED)).message, 'failed to boot: just text');
});

failed('a failing ready hook fails boot and closes every plugin', async () => {
  const log: string[] = [];
  const kernel = kernelWith(recording(log, 'r'));
  kernel.ready.tap('broken', () => { throw new Error('ready broke'); });
  const error = await rejectsWith(kernel.boot(), KernelErrors.PLUGIN_BOOT_FAILED);
  assert.is(error.message, 'Boot failed: ready broke');
  assert.equal(log, ['setup r', 'close r']);
});

failed('registry failures reach boot unchanged and nothing starts', async () => {
  let started = false;
  const kernel = kernelWith([plugin('a', () => void (started = true), { dependsOn: ['ghost'] })]);
  await rejectsWith(kernel.boot(), KernelErrors.PLUGIN_MISSING_DEPENDENCY);
  assert.is(started, false);
  assert.is(kernel.state, 'closed');
});

failed('a teardown failing during a failed boot is logged and the boot error is kept', async () => {
  const lines: string[] = [];
  const kernel = createKernel({
    logger: createLogger((line) => void lines.push(line)),
    plugins: [
      plugin('leaky', (ctx) => ctx.onClose(() => { throw new Error('cannot release'); })),
      plugin('bad', () => { throw new Error('boom'); }, { dependsOn: ['leaky'] }),
    ],
  });
  await rejectsWith(kernel.boot(), KernelErrors.PLUGIN_BOOT_FAILED);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, 'closing after a failed boot also failed: 1 teardown(s) failed while closing: leaky (cannot release)');
  await rejectsWith(kernel.close(), KernelErrors.CLOSE_FAILED);
});

failed.run();

const closing = suite('kernel: close failures');

closing('every teardown runs even when some throw; then KERNEL_CLOSE_FAILED lists them with causes', async () => {
  const log: string[] = [];
  const kernel = kernelWith([
    plugin('a', (ctx) => ctx.onClose(() => void log.push('a'))),
    plugin('b', (ctx) => ctx.onClose(() => { throw new Error('b broke'); })),
    plugin('c', (ctx) => ctx.onClose(() => Promise.reject('c text'))),
  ]);
  await kernel.boot();
  const error = await rejectsWith(kernel.close(), KernelErrors.CLOSE_FAILED);
  assert.equal(log, ['a']);
  assert.is(error.message, '2 teardown(s) failed while closing: c (c text), b (b broke)');
  assert.equal(error.data['plugins'], ['c', 'b']);
  assert.equal((error.cause as AggregateError).errors.length, 2);
  assert.is(kernel.state, 'closed');
});

closing('a throwing tap on kernel.close still stops the worker pool', async () => {
  const kernel = kernelWith([plugin('direct', (ctx) => ctx.hooks.tap('kernel.close', () => { throw new Error('direct tap'); }))]);
  await kernel.boot();
  try {
    await kernel.close();
    assert.unreachable('close should reject');
  } catch (e: unknown) {
    assert.is((e as Error).message, 'direct tap');
  }
  assert.is(kernel.state, 'closed');
  await rejectsWith(kernel.workers.run(new URL('file:///nowhere.js'), {}), KernelErrors.STATE);
});

closing.run();

const config = suite('kernel: configuration');

config('every plugin config is validated before any setup runs, naming the path', async () => {
  let setups = 0;
  const kernel = kernelWith([
    plugin('first', () => void setups++),
    plugin('http', () => void setups++, { configSchema: { type: 'object', properties: { port: { type: 'integer' } } } }),
  ], { config: { plugins: { http: { port: 'eighty' } } } });
  const error = await rejectsWith(kernel.boot(), KernelErrors.CONFIG_INVALID);
  assert.match(error.message, 'plugins.http.port must be an integer');
  assert.is(error.path, 'plugins.http.port');
  assert.is(setups, 0);
});

config("defaults from a plugin's schema reach its setup and kernel.config", async () => {
  let received: unknown;
  const kernel = kernelWith([plugin('http', (ctx) => void (received = ctx.config), {
    configSchema: { type: 'object', properties: { port: { type: 'integer', default: 8080 }, host: { type: 'string' } } },
  })], { config: { plugins: { http: { host: 'localhost' } } } });
  await kernel.boot();
  await kernel.close();
  assert.equal(received, { host: 'localhost', port: 8080 });
  assert.equal(kernel.config.plugins['http'], { host: 'localhost', port: 8080 });
});

config('config naming a plugin nobody installed (a typo) is warned about, not silently ignored', async () => {
  const lines: string[] = [];
  const kernel = kernelWith([plugin('checkpoint', () => undefined), plugin('http', () => undefined)], {
    config: { plugins: { checkpointt: { durability: 'exit' }, http: {} }, disabled: ['htp'] },
    logger: createLogger((line) => void lines.push(line)),
  });
  await kernel.boot();
  await kernel.close();
  assert.equal(lines, [
    'warn config plugins.checkpointt names no installed plugin "checkpointt"; it is ignored (installed: checkpoint, http)\n',
    'warn config disabled[0] names no installed plugin "htp"; it is ignored (installed: checkpoint, http)\n',
  ]);
});

config('a plugin without config gets an empty object', async () => {
  let received: unknown;
  const kernel = kernelWith([plugin('plain', (ctx) => void (received = ctx.config))]);
  await kernel.boot();
  await kernel.close();
  assert.equal(received, {});
});

config('a configSchema that does not compile is the plugin’s fault', async () => {
  const kernel = kernelWith([plugin('sloppy', () => {}, { configSchema: { type: 'object', propertiez: {} } })]);
  const error = await rejectsWith(kernel.boot(), KernelErrors.PLUGIN_INVALID);
  assert.match(error.message, 'Plugin "sloppy" has a configSchema that does not compile');
});

config('the kernel config is validated when the kernel is created, with env applied over it', () => {
  assert.throws(() => kernelWith([], { config: { boot_timeout_ms: -5 } }), (e: WeftError) => e.code === KernelErrors.CONFIG_INVALID && e.path === 'boot_timeout_ms');
  const kernel = kernelWith([], { config: { data_dir: 'from-config' }, env: { WEFT_DATA_DIR: 'from-env', DATABASE_URL: 'postgres://db' } });
  assert.is(kernel.config.data_dir, 'from-env');
  assert.is(kernel.config.database_url, 'postgres://db');
  assert.equal(kernel.config.disabled, []);
});

config('disabled plugins are not booted', async () => {
  const log: string[] = [];
  const kernel = kernelWith(recording(log, 'on').concat(plugin('off', () => void log.push('setup off'))), { config: { disabled: ['off'] } });
  await kernel.boot();
  await kernel.close();
  assert.equal(log, ['setup on', 'close on']);
});

config.run();

const services = suite('kernel: services and hooks through plugins');

services('services a plugin provides are readable after boot; host services before any plugin', async () => {
  const kernel = kernelWith([plugin('svc', (ctx) => {
    assert.is(ctx.services.get('test.db'), 'host-db');
    ctx.services.provide('test.value', { n: 42 });
  })], { services: { 'test.db': 'host-db' } });
  await kernel.boot();
  assert.equal(kernel.services.get('test.value'), { n: 42 });
  await kernel.close();
});

services('registering a key twice fails boot naming both plugins', async () => {
  const kernel = kernelWith([
    plugin('one', (ctx) => ctx.services.provide('test.value', { n: 1 })),
    plugin('two', (ctx) => ctx.services.provide('test.value', { n: 2 })),
  ]);
  const error = await rejectsWith(kernel.boot(), KernelErrors.PLUGIN_BOOT_FAILED);
  assert.is((error.cause as WeftError).code, KernelErrors.SERVICE_DUPLICATE);
  assert.match(error.message, 'KERNEL_SERVICE_DUPLICATE: Service "test.value" is already registered by one; two cannot register it again');
});

services('registering after boot is refused', async () => {
  let late: (() => void) | undefined;
  const kernel = kernelWith([plugin('late', (ctx) => void (late = () => ctx.services.provide('test.value', { n: 3 })))]);
  await kernel.boot();
  assert.throws(late!, (e: WeftError) => e.code === KernelErrors.SERVICE_LATE && /registered by late after boot/.test(e.message));
  await kernel.close();
});

services('a plugin declares a hook and a later plugin taps it by name', async () => {
  const heard: string[] = [];
  const kernel = kernelWith([
    plugin('owner', (ctx) => void ctx.hooks.declare('test.kernel-event', new SyncHook<[string]>(['what']))),
    plugin('listener', (ctx) => ctx.hooks.tap('test.kernel-event', (what) => void heard.push(what)), { dependsOn: ['owner'] }),
  ]);
  await kernel.boot();
  kernel.hooks.get('test.kernel-event').call('hello');
  assert.equal(heard, ['hello']);
  assert.equal(kernel.hooks.list().find((h) => h.name === 'test.kernel-event'), { name: 'test.kernel-event', owner: 'owner', taps: 1 });
  await kernel.close();
});

services('tapping an unknown hook fails boot with KERNEL_HOOK_UNKNOWN as the cause', async () => {
  const kernel = kernelWith([plugin('eager', (ctx) => ctx.hooks.tap('test.kernel-event', () => {}))]);
  const error = await rejectsWith(kernel.boot(), KernelErrors.PLUGIN_BOOT_FAILED);
  assert.is((error.cause as WeftError).code, KernelErrors.HOOK_UNKNOWN);
});

services.run();
