import { AsyncSeriesHook, SyncHook } from 'tapable';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { HookRegistry, createKernelHooks } from '../../kernel/hooks.js';
import { KernelErrors, type WeftError } from '../../kernel/index.js';

declare module '../../kernel/index.js' {
  interface Hooks {
    'test.sync': SyncHook<[string[]]>;
    'test.async': AsyncSeriesHook<[string[]]>;
  }
}

const registry = () => new HookRegistry(createKernelHooks());

const hooks = suite('hooks: registry');

hooks('the kernel declares its lifecycle hooks', () => {
  assert.equal(registry().list().map((h) => `${h.owner}:${h.name}`), ['kernel:kernel.setup', 'kernel:kernel.ready', 'kernel:kernel.close', 'kernel:kernel.commands']);
});

hooks('a declared hook is returned by name, with its owner recorded', () => {
  const r = registry();
  const hook = new SyncHook<[string[]]>(['log']);
  assert.is(r.for('owner').declare('test.sync', hook), hook);
  assert.is(r.for('other').get('test.sync'), hook);
  assert.equal(r.list().at(-1), { name: 'test.sync', owner: 'owner', taps: 0 });
});

hooks('declaring a name twice is KERNEL_HOOK_DUPLICATE naming both plugins', () => {
  const r = registry();
  r.for('first').declare('test.sync', new SyncHook<[string[]]>(['log']));
  assert.throws(() => r.for('second').declare('test.sync', new SyncHook<[string[]]>(['log'])), (e: WeftError) =>
    e.code === KernelErrors.HOOK_DUPLICATE && e.message === 'Hook "test.sync" is already declared by first; second must use another name');
  assert.throws(() => r.for('second').declare('kernel.ready' as 'test.sync', new SyncHook<[string[]]>(['log'])), (e: WeftError) => e.code === KernelErrors.HOOK_DUPLICATE);
});

hooks('tapping or getting an unknown hook is KERNEL_HOOK_UNKNOWN listing the known ones', () => {
  const r = registry();
  assert.throws(() => r.for('p').tap('test.sync', () => {}), (e: WeftError) =>
    e.code === KernelErrors.HOOK_UNKNOWN && /No hook named "test.sync" is declared \(known: kernel.setup, kernel.ready, kernel.close, kernel.commands\)/.test(e.message));
  assert.throws(() => r.get('nope'), (e: WeftError) => e.code === KernelErrors.HOOK_UNKNOWN);
});

hooks.run();

const ordering = suite('hooks: tap order');

ordering('stage orders taps regardless of registration order; every tap carries its plugin name', () => {
  const r = registry();
  const hook = r.for('owner').declare('test.sync', new SyncHook<[string[]]>(['log']));
  r.for('late').tap('test.sync', (log) => void log.push('late'), { stage: 10 });
  r.for('early').tap('test.sync', (log) => void log.push('early'), { stage: -10 });
  r.for('middle').tap('test.sync', (log) => void log.push('middle'));
  const log: string[] = [];
  hook.call(log);
  assert.equal(log, ['early', 'middle', 'late']);
  assert.equal(hook.taps.map((t) => t.name), ['early', 'middle', 'late']);
});

ordering('before puts a tap ahead of the named plugins', () => {
  const r = registry();
  const hook = r.for('owner').declare('test.sync', new SyncHook<[string[]]>(['log']));
  r.for('a').tap('test.sync', (log) => void log.push('a'));
  r.for('b').tap('test.sync', (log) => void log.push('b'));
  r.for('c').tap('test.sync', (log) => void log.push('c'), { before: ['a', 'b'] });
  r.for('d').tap('test.sync', (log) => void log.push('d'), { before: 'b' });
  const log: string[] = [];
  hook.call(log);
  assert.equal(log, ['c', 'a', 'd', 'b']);
});

ordering('promise taps on async hooks run in series in stage order', async () => {
  const r = registry();
  const hook = r.for('owner').declare('test.async', new AsyncSeriesHook<[string[]]>(['log']));
  r.for('slow').tapPromise('test.async', async (log) => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    log.push('slow');
  });
  r.for('first').tapPromise('test.async', async (log) => void log.push('first'), { stage: -1 });
  const log: string[] = [];
  await hook.promise(log);
  assert.equal(log, ['first', 'slow']);
});

ordering.run();
