import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { KernelErrors, type WeftError } from '../../kernel/index.js';
import { ServiceContainer } from '../../kernel/services.js';

declare module '../../kernel/index.js' {
  interface Services {
    'test.clock': { now(): number };
  }
}

const clock = { now: () => 42 };
const services = suite('services: container');

services('a provided service is read back by key, typed', () => {
  const container = new ServiceContainer();
  container.for('time').provide('test.clock', clock);
  assert.is(container.get('test.clock').now(), 42);
  assert.is(container.for('reader').get('test.clock'), clock);
  assert.ok(container.has('test.clock'));
  assert.ok(container.for('reader').has('test.clock'));
  assert.is(container.for('reader').find('test.clock'), clock);
  assert.equal(container.entries(), [{ key: 'test.clock', owner: 'time' }]);
});

services('reading a missing key is KERNEL_SERVICE_MISSING; find gives undefined', () => {
  const container = new ServiceContainer();
  assert.throws(() => container.get('test.clock'), (e: WeftError) => e.code === KernelErrors.SERVICE_MISSING && /No service "test.clock" is registered/.test(e.message));
  assert.is(container.find('test.clock'), undefined);
  assert.not.ok(container.has('test.clock'));
});

services('registering a key twice is KERNEL_SERVICE_DUPLICATE naming the owner', () => {
  const container = new ServiceContainer();
  container.provide('test.clock', clock);
  assert.throws(() => container.for('usurper').provide('test.clock', clock), (e: WeftError) =>
    e.code === KernelErrors.SERVICE_DUPLICATE && e.message === 'Service "test.clock" is already registered by kernel; usurper cannot register it again');
});

services('registering after seal is KERNEL_SERVICE_LATE', () => {
  const container = new ServiceContainer();
  container.seal();
  assert.throws(() => container.for('slow').provide('test.clock', clock), (e: WeftError) => e.code === KernelErrors.SERVICE_LATE);
});

services.run();
