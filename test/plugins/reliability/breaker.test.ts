import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CircuitBreaker } from '../../../plugins/reliability/breaker.js';

const br = suite('reliability: circuit breaker');
const clock = () => {
  const c = { t: 0, now: () => c.t };
  return c;
};

br('failure_threshold failures within the window open it; it then rejects', () => {
  const c = clock();
  const b = new CircuitBreaker({ failure_threshold: 3 }, c.now);
  for (let i = 0; i < 3; i++) {
    assert.ok(b.tryAcquire());
    b.failure();
  }
  assert.is(b.state, 'open');
  assert.not.ok(b.tryAcquire());
  assert.equal(b.stats, { total: 3, successful: 0, failed: 3, rejected: 1, transitions: 1 });
});

br('failures older than the window do not count', () => {
  const c = clock();
  const b = new CircuitBreaker({ failure_threshold: 2, window_ms: 1000 }, c.now);
  b.failure();
  c.t = 1000;
  b.failure();
  assert.is(b.state, 'closed');
  b.failure();
  assert.is(b.state, 'open');
});

br('a success while closed clears the failure window', () => {
  const b = new CircuitBreaker({ failure_threshold: 2 }, clock().now);
  b.failure();
  b.success();
  b.failure();
  assert.is(b.state, 'closed');
});

br('after the timeout half-open admits one probe at a time; success_threshold successes close it', () => {
  const c = clock();
  const b = new CircuitBreaker({ failure_threshold: 1, timeout_ms: 100 }, c.now);
  b.failure();
  c.t = 99;
  assert.is(b.state, 'open');
  c.t = 100;
  assert.ok(b.tryAcquire());
  assert.is(b.state, 'half_open');
  assert.not.ok(b.tryAcquire());
  b.success();
  assert.is(b.state, 'half_open');
  assert.ok(b.tryAcquire());
  b.success();
  assert.is(b.state, 'closed');
  assert.ok(b.tryAcquire());
  assert.ok(b.tryAcquire());
});

br('a failed probe opens it again at once', () => {
  const c = clock();
  const b = new CircuitBreaker({ failure_threshold: 5, timeout_ms: 10 }, c.now);
  b.forceOpen();
  c.t = 10;
  assert.ok(b.tryAcquire());
  b.failure();
  assert.is(b.state, 'open');
  c.t = 15;
  assert.not.ok(b.tryAcquire());
});

br('reset and forceOpen; transitions into the same state are not counted', () => {
  const b = new CircuitBreaker();
  b.reset();
  assert.is(b.stats.transitions, 0);
  b.forceOpen();
  b.forceOpen();
  assert.equal([b.state, b.stats.transitions], ['open', 1]);
  b.reset();
  assert.equal([b.state, b.stats.transitions], ['closed', 2]);
  b.success();
  assert.is(b.stats.successful, 1);
});

br.run();
