import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { WeftError } from '../../../kernel/index.js';
import { ModeEnforcer, type Mode } from '../../../plugins/reliability/modes.js';

const at = () => 1000;
const md = suite('reliability: mode enforcer');

md('no mode set: allowed, with the reason', async () => {
  const m = new ModeEnforcer({ now: at });
  assert.is(m.modeOf('a'), undefined);
  assert.equal(await m.canExecute('a', 'delete_everything'), { allowed: true, reason: 'no mode set' });
  assert.is(m.count(), 0);
});

// [mode, action, tool, allowed]
const table: Array<[Mode, string, string | undefined, boolean]> = [
  ['explore', 'search docs', undefined, true],
  ['explore', 'think', undefined, true],
  ['explore', 'delete_file', undefined, false],
  ['explore', 'search', 'search_and_delete', false],
  ['explore', 'delete records', 'search', false],
  ['explore', 'truncate', undefined, true],
  ['explore', 'get_runner_status', undefined, true],
  ['execute', 'delete_file', 'fs', true],
];
for (const [mode, action, tool, allowed] of table) {
  md(`${mode}: ${action}${tool === undefined ? '' : ` with ${tool}`} is ${allowed ? 'allowed' : 'denied'}`, async () => {
    const m = new ModeEnforcer({ now: at });
    m.setMode('a', mode);
    const d = await m.canExecute('a', action, tool);
    assert.is(d.allowed, allowed);
    assert.is(m.count('a'), allowed ? 0 : 1);
    assert.is(d.violation?.violation_type, allowed ? undefined : 'write_in_explore');
  });
}

md('reasons and the recorded write_in_explore violation', async () => {
  const m = new ModeEnforcer({ now: at });
  m.setMode('a', 'explore');
  assert.is((await m.canExecute('a', 'fetch page')).reason, 'explore mode allows reads ("fetch")');
  assert.is((await m.canExecute('a', 'think')).reason, 'explore mode: no write word in the action or tool');
  const d = await m.canExecute('a', 'cleanup', 'drop_table');
  const v = { agent: 'a', declared_mode: 'explore', attempted_action: 'cleanup', tool: 'drop_table', violation_type: 'write_in_explore', details: '"drop" is a write; explore mode is read-only', at: 1000 };
  assert.equal(d, { allowed: false, reason: v.details, violation: v });
  assert.equal(m.violations('a'), [v]);
  const noTool = await m.canExecute('a', 'post message');
  assert.not.ok('tool' in noTool.violation!);
  m.setMode('a', 'execute');
  assert.is(m.modeOf('a'), 'execute');
  assert.equal(await m.canExecute('a', 'post message'), { allowed: true, reason: 'execute mode allows reads and writes' });
});

md('escalate: the approver decides; it sees the request; async and truthy results count', async () => {
  const m = new ModeEnforcer({ now: at });
  const seen: unknown[] = [];
  m.requireApproval('a', 'ask ops', async (request) => {
    seen.push(request);
    return request.action === 'deploy' ? 'yes' : 0;
  });
  assert.is(m.modeOf('a'), 'escalate');
  assert.equal(await m.canExecute('a', 'deploy', 'k8s'), { allowed: true, reason: 'approved' });
  const denied = await m.canExecute('a', 'read logs');
  assert.is(denied.allowed, false);
  assert.equal([denied.reason, denied.violation?.violation_type, denied.violation?.declared_mode], ['not approved: ask ops', 'no_approval', 'escalate']);
  assert.equal(seen, [
    { agent: 'a', action: 'deploy', tool: 'k8s', message: 'ask ops' },
    { agent: 'a', action: 'read logs', message: 'ask ops' },
  ]);
});

md('escalate: a throwing or rejecting approver counts as not approved', async () => {
  const m = new ModeEnforcer({ now: at });
  m.requireApproval('a', 'x', () => {
    throw new Error('pager down');
  });
  const thrown = await m.canExecute('a', 'deploy');
  assert.equal([thrown.allowed, thrown.reason], [false, 'the approver failed: pager down']);
  m.requireApproval('a', 'x', () => Promise.reject('timeout'));
  assert.is((await m.canExecute('a', 'deploy')).reason, 'the approver failed: timeout');
  assert.is(m.count('a'), 2);
});

md('escalate without an approver is denied; grant and revoke', async () => {
  const m = new ModeEnforcer({ now: at });
  m.requireApproval('a', 'wait for a human');
  assert.is((await m.canExecute('a', 'deploy')).reason, 'no approver: wait for a human');
  m.grantApproval('a');
  assert.is(m.modeOf('a'), 'escalate');
  assert.ok((await m.canExecute('a', 'deploy')).allowed);
  m.revokeApproval('a');
  assert.is((await m.canExecute('a', 'deploy')).reason, 'no approver: wait for a human');
  // setMode alone gives no approver and no message; revoking nothing is harmless.
  m.setMode('b', 'escalate');
  m.revokeApproval('b');
  assert.is((await m.canExecute('b', 'deploy')).reason, 'no approver');
  m.grantApproval('b');
  assert.ok((await m.canExecute('b', 'deploy')).allowed);
  m.revokeApproval('b');
  assert.is((await m.canExecute('b', 'deploy')).reason, 'no approver');
  m.grantApproval('c');
  m.setMode('c', 'escalate');
  m.requireApproval('d', '', () => false);
  assert.is((await m.canExecute('d', 'x')).reason, 'not approved');
  assert.ok((await m.canExecute('c', 'deploy')).allowed);
});

md('validateMode records a mismatch', () => {
  const m = new ModeEnforcer({ now: at });
  assert.ok(m.validateMode('a', 'explore', 'explore'));
  assert.not.ok(m.validateMode('a', 'explore', 'execute'));
  assert.equal(m.violations(), [{ agent: 'a', declared_mode: 'explore', attempted_action: 'mode_declaration', violation_type: 'mode_mismatch', details: 'declared explore but acted in execute', at: 1000 }]);
});

md('an unknown mode throws RELIABILITY_MODE_INVALID', () => {
  const m = new ModeEnforcer();
  for (const call of [() => m.setMode('a', 'admin' as Mode), () => m.validateMode('a', 'explore', 'god' as Mode)]) {
    try {
      call();
      assert.unreachable();
    } catch (e: unknown) {
      assert.instance(e, WeftError);
      assert.is((e as WeftError).code, 'RELIABILITY_MODE_INVALID');
    }
  }
  assert.is(m.modeOf('a'), undefined);
});

md('violations per agent, count, clear; the oldest go past max_violations; the default clock', async () => {
  const m = new ModeEnforcer({ max_violations: 3 });
  m.setMode('a', 'explore');
  m.setMode('b', 'explore');
  const before = Date.now();
  for (const action of ['write 1', 'write 2', 'write 3']) await m.canExecute('a', action);
  await m.canExecute('b', 'write 4');
  assert.equal(m.violations().map((v) => v.attempted_action), ['write 2', 'write 3', 'write 4']);
  assert.ok(m.violations()[0]!.at >= before);
  assert.equal([m.count(), m.count('a'), m.count('b'), m.count('z')], [3, 2, 1, 0]);
  m.clear('a');
  assert.equal(m.violations().map((v) => v.agent), ['b']);
  m.clear();
  assert.is(m.count(), 0);
});

md.run();
