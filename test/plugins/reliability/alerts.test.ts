import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { definePlugin } from '../../../kernel/index.js';
import { createTestKernel } from '../../../kernel/testing.js';
import { callbackChannel } from '../../../plugins/reliability/alert-channels.js';
import { ALERT_CONFIG_SCHEMA, AlertManager, alertRule, type Alert, type AlertRuleInput, type AlertsConfig, type Comparison } from '../../../plugins/reliability/alerts.js';
import storage from '../../../plugins/storage/index.js';
import storeMemory, { MemoryKeyValueStore } from '../../../plugins/store-memory/index.js';
import { boot, failure } from './helpers.js';
import { recorder } from './logs.js';

const T0 = Date.UTC(2025, 0, 1);
const MIN = 60_000;

/** A manager over a fresh memory kv with one channel, `cb`, that keeps what it receives. */
function setup(rules: AlertRuleInput[] = [], kv = new MemoryKeyValueStore()) {
  const { logger, lines } = recorder();
  const clock = { t: T0 };
  const manager = new AlertManager({ kv: async () => kv, logger, rules, now: () => clock.t });
  const sent: Alert[] = [];
  manager.addChannel(callbackChannel('cb', (a) => void sent.push(a)));
  return { manager, sent, lines, kv, clock };
}

const rule = (over: Partial<AlertRuleInput> = {}): AlertRuleInput => ({ name: 'svr-low', metric: 'svr', op: '<', threshold: 0.9, cooldown_minutes: 0, ...over });

const ops = suite('reliability: alert rules compare strictly or inclusively');
const cases: Array<[Comparison, number, number, boolean]> = [
  ['<', 0.9, 0.89, true], ['<', 0.9, 0.9, false],
  ['<=', 0.9, 0.9, true], ['<=', 0.9, 0.91, false],
  ['>', 5, 5, false], ['>', 5, 5.01, true],
  ['>=', 5, 5, true], ['>=', 5, 4.99, false],
  ['==', 0, 0, true], ['==', 0, 0.1, false],
  ['!=', 0, 0, false], ['!=', 0, 1, true],
  ['>', 100, Infinity, true],
];
for (const [op, threshold, value, fires] of cases) {
  ops(`${value} ${op} ${threshold} ${fires ? 'fires' : 'does not fire'}`, async () => {
    const { manager, sent } = setup([rule({ op, threshold })]);
    const raised = await manager.evaluate({ at: T0, values: { svr: value } });
    assert.is(raised.length, fires ? 1 : 0);
    assert.equal(sent, raised);
  });
}

const evaluate = suite('reliability: alert rules are evaluated on each snapshot');

evaluate('a missing, null or NaN metric skips its rule; disabled rules are not evaluated', async () => {
  const { manager, sent } = setup([rule(), rule({ name: 'cr-high', metric: 'cr', op: '>', threshold: 0.1 }), rule({ name: 'off', metric: 'cr', op: '>', threshold: 0, enabled: false })]);
  assert.equal(await manager.evaluate({ at: T0, values: {} }), []);
  assert.equal(await manager.evaluate({ at: T0, values: { svr: null, cr: Number.NaN } }), []);
  await manager.evaluate({ at: T0, values: { svr: null, cr: 0.5 } });
  assert.equal(sent.map((a) => a.rule), ['cr-high']);
});

evaluate('a rule with a pipeline sees only that pipeline; without one, every pipeline, each with its own cooldown', async () => {
  const { manager, sent } = setup([rule({ name: 'only-a', pipeline: 'a', cooldown_minutes: 60 }), rule({ name: 'any', cooldown_minutes: 60 })]);
  await manager.evaluate({ pipeline: 'b', at: T0, values: { svr: 0.5 } });
  await manager.evaluate({ at: T0, values: { svr: 0.5 } });
  await manager.evaluate({ pipeline: 'a', at: T0, values: { svr: 0.5 } });
  await manager.evaluate({ pipeline: 'a', at: T0 + MIN, values: { svr: 0.5 } });
  assert.equal(sent.map((a) => [a.rule, a.source]), [['any', 'b'], ['any', 'metrics'], ['only-a', 'a'], ['any', 'a']]);
  assert.equal((await manager.counts()).suppressed, { 'only-a:a': 1, 'any:a': 1 });
});

evaluate('titles and messages: defaults, templates, values to 4 decimals; context names the breach', async () => {
  const { manager } = setup([rule({ severity: 'critical', type: 'slo_breach' }), rule({ name: 'custom', title: '{{rule}} on {{pipeline}}', message: '{{metric}}={{value}} {{op}} {{threshold}} {{unknown}}' })]);
  const [plain, custom] = await manager.evaluate({ pipeline: 'p', at: T0, values: { svr: 0.123456 } });
  assert.equal({ ...plain!, id: '' }, {
    id: '', rule: 'svr-low', type: 'slo_breach', severity: 'critical', title: 'svr-low: svr < 0.9', message: 'svr is 0.1235 for p (< 0.9)',
    at: T0, source: 'p', context: { metric: 'svr', value: 0.123456, op: '<', threshold: 0.9, pipeline: 'p' }, acknowledged: false,
  });
  assert.equal([custom!.title, custom!.message], ['custom on p', 'svr=0.1235 < 0.9 {{unknown}}']);
  const [all] = await manager.evaluate({ at: T0, values: { svr: 0.5 } });
  assert.equal([all!.message, all!.context], ['svr is 0.5 for all pipelines (< 0.9)', { metric: 'svr', value: 0.5, op: '<', threshold: 0.9 }]);
});

const cooldown = suite('reliability: alert cooldowns are per rule, and what they hold back is counted');
const windows: Array<[string, number, boolean]> = [['inside', 60 * MIN - 1, false], ['exactly at its end', 60 * MIN, true], ['after', 61 * MIN, true]];
for (const [name, offset, sends] of windows) {
  cooldown(`a breach ${name} the cooldown is ${sends ? 'sent' : 'held back and counted'}`, async () => {
    const { manager, sent } = setup([rule({ cooldown_minutes: 60 })]);
    await manager.evaluate({ at: T0, values: { svr: 0.5 } });
    await manager.evaluate({ at: T0 + offset, values: { svr: 0.5 } });
    assert.is(sent.length, sends ? 2 : 1);
    assert.equal((await manager.list()).length, sent.length);
    const counts = await manager.counts();
    assert.equal([counts.suppressed, counts.suppressed_total], sends ? [{}, 0] : [{ 'svr-low': 1 }, 1]);
  });
}

cooldown('each rule keeps its own cooldown', async () => {
  const { manager, sent } = setup([rule({ name: 'ten', cooldown_minutes: 10 }), rule({ name: 'hour', cooldown_minutes: 60 }), rule({ name: 'none', cooldown_minutes: 0 })]);
  for (const minutes of [0, 5, 10, 30, 60]) await manager.evaluate({ at: T0 + minutes * MIN, values: { svr: 0.5 } });
  assert.equal(sent.map((a) => `${a.rule}@${(a.at - T0) / MIN}`), ['ten@0', 'hour@0', 'none@0', 'none@5', 'ten@10', 'none@10', 'ten@30', 'none@30', 'ten@60', 'hour@60', 'none@60']);
  assert.equal(await manager.counts(), {
    by_type: { metric_threshold: 11, slo_breach: 0, anomaly_detected: 0, trend_warning: 0, health_check_failed: 0, cost_overrun: 0 },
    by_severity: { info: 0, warning: 11, error: 0, critical: 0 },
    suppressed: { ten: 1, hour: 3 },
    suppressed_total: 4,
  });
});

const trigger = suite('reliability: alerts triggered directly');

trigger('defaults: warning, the title as message, now, a 60-minute cooldown keyed by type:source', async () => {
  const { manager, sent, clock } = setup();
  clock.t = T0 + 5;
  const alert = await manager.trigger({ type: 'anomaly_detected', title: 'svr dropped', source: 'mix' });
  assert.equal({ ...alert!, id: '' }, { id: '', rule: null, type: 'anomaly_detected', severity: 'warning', title: 'svr dropped', message: 'svr dropped', at: T0 + 5, source: 'mix', context: {}, acknowledged: false });
  assert.is(await manager.trigger({ type: 'anomaly_detected', title: 'again', source: 'mix', at: T0 + 59 * MIN }), null);
  assert.ok(await manager.trigger({ type: 'anomaly_detected', title: 'other source', source: 'other', at: T0 + 59 * MIN }));
  assert.ok(await manager.trigger({ type: 'cost_overrun', title: 'other type', source: 'mix', at: T0 + 59 * MIN }));
  assert.ok(await manager.trigger({ type: 'anomaly_detected', title: 'after', source: 'mix', at: T0 + 60 * MIN + 5 }));
  assert.equal(sent.map((a) => a.title), ['svr dropped', 'other source', 'other type', 'after']);
  assert.equal((await manager.counts()).suppressed, { 'anomaly_detected:mix': 1 });
});

trigger('its own cooldown, severity, message, context; only the listed channels', async () => {
  const { manager, sent } = setup();
  const other: Alert[] = [];
  manager.addChannel(callbackChannel('other', (a) => void other.push(a)));
  const input = { type: 'slo_breach', severity: 'critical', title: 'budget spent', message: 'mix spent its error budget', source: 'mix', context: { budget: -0.5 }, at: T0, cooldown_minutes: 0 } as const;
  await manager.trigger(input, ['other']);
  await manager.trigger(input);
  assert.equal([sent.length, other.length], [1, 2]);
  assert.equal([other[0]!.severity, other[0]!.message, other[0]!.context], ['critical', 'mix spent its error budget', { budget: -0.5 }]);
});

const channels = suite('reliability: alert channels are isolated from each other');

channels('a failing or unknown channel is logged with its code; the others still get the alert', async () => {
  const { manager, sent, lines } = setup([rule({ channels: ['broken', 'thrower', 'nope', 'cb'] })]);
  manager.addChannel(callbackChannel('broken', async () => Promise.reject(Object.assign(new Error('down'), { code: 'X_DOWN' }))));
  manager.addChannel(callbackChannel('thrower', () => {
    throw 'plain string';
  }));
  const [alert] = await manager.evaluate({ at: T0, values: { svr: 0.5 } });
  assert.equal(sent, [alert]);
  // Channels are sent to at once, so the failures are logged in the order they happen.
  assert.equal(lines.map(([level, message, data]) => [level, message.replace(alert!.id, 'ID'), data!['code']]).sort(), [
    ['error', 'Alert "svr-low: svr < 0.9" (ID) was not delivered to channel broken: down', 'X_DOWN'],
    ['error', 'Alert "svr-low: svr < 0.9" (ID) was not delivered to channel nope: no channel is named "nope" (channels: cb, broken, thrower)', 'RELIABILITY_ALERT_CHANNEL_UNKNOWN'],
    ['error', 'Alert "svr-low: svr < 0.9" (ID) was not delivered to channel thrower: plain string', null],
  ]);
  assert.equal((await manager.list()).map((a) => a.id), [alert!.id]);
});

channels('a second channel with a taken name is refused', async () => {
  const { manager } = setup();
  const e = await failure(Promise.resolve().then(() => manager.addChannel(callbackChannel('cb', () => undefined))));
  assert.is(e.code, 'RELIABILITY_ALERT_CHANNEL_DUPLICATE');
  assert.match(e.message, /"cb" is already registered/);
  assert.equal(manager.channels(), ['cb']);
});

const rules = suite('reliability: alert rules are checked when the manager is made');

rules('defaults are applied', () => {
  assert.equal(alertRule({ name: 'r', metric: 'cost', op: '>', threshold: 10 }), { name: 'r', metric: 'cost', op: '>', threshold: 10, type: 'metric_threshold', severity: 'warning', cooldown_minutes: 60, enabled: true });
});

const invalid: Array<[Partial<AlertRuleInput>, string]> = [
  [{ name: '' }, 'name'],
  [{ metric: '' }, 'metric'],
  [{ metric: 3 as never }, 'metric'],
  [{ op: '=' as never }, 'op'],
  [{ op: 'toString' as never }, 'op'],
  [{ threshold: Number.NaN }, 'threshold'],
  [{ threshold: '1' as never }, 'threshold'],
  [{ type: 'weather' as never }, 'type'],
  [{ severity: 'fatal' as never }, 'severity'],
  [{ cooldown_minutes: -1 }, 'cooldown_minutes'],
  [{ cooldown_minutes: Number.NaN }, 'cooldown_minutes'],
];
for (const [over, field] of invalid) {
  rules(`${JSON.stringify(over)} is refused at ${field}`, async () => {
    const e = await failure(Promise.resolve().then(() => setup([rule(), rule({ name: 'second', ...over })])));
    assert.equal([e.code, (e as { path?: string }).path], ['RELIABILITY_ALERT_RULE_INVALID', `alerts.rules[1].${field}`]);
  });
}

rules('a name used twice is refused at the second rule', async () => {
  const e = await failure(Promise.resolve().then(() => setup([rule(), rule({ name: 'x' }), rule()])));
  assert.equal([e.code, (e as { path?: string }).path], ['RELIABILITY_ALERT_RULE_INVALID', 'alerts.rules[2].name']);
  assert.match(e.message, /"svr-low" is used by an earlier rule/);
});

rules('given the metrics the snapshots carry, a rule on any other metric is refused at its metric', async () => {
  const make = (metric: string) => new AlertManager({ kv: async () => new MemoryKeyValueStore(), logger: recorder().logger, rules: [rule({ metric })], metrics: ['svr', 'cr'] });
  assert.is(make('cr').rules[0]!.metric, 'cr');
  const e = await failure(Promise.resolve().then(() => make('nosuch')));
  assert.equal([e.code, (e as { path?: string }).path, e.message], ['RELIABILITY_ALERT_RULE_INVALID', 'alerts.rules[0].metric', 'alerts.rules[0].metric must be one of svr, cr, got "nosuch"']);
});

rules('the reliability plugin refuses a rule on a metric its watch does not compute, before it boots', async () => {
  const e = await failure(boot({ alerts: { rules: [{ name: 'r', metric: 'nosuch', op: '<', threshold: 1 }] } }));
  const cause = (e as { cause?: { code: string; path: string; message: string } }).cause!;
  assert.equal([e.code, cause.code, cause.path], ['KERNEL_PLUGIN_BOOT_FAILED', 'RELIABILITY_ALERT_RULE_INVALID', 'alerts.rules[0].metric']);
  assert.match(e.message, /RELIABILITY_ALERT_RULE_INVALID: alerts\.rules\[0\]\.metric must be one of svr, cr, pc, hir, ma, tcl, wct, tpw, cpsw, duration_ms, cost_usd, tokens, success, slo\.budget_remaining, slo\.burn_rate_fast, slo\.burn_rate_slow, got "nosuch"$/);
});

rules('a rule checked alone is named "rule" in errors', () => {
  assert.throws(() => alertRule({ name: 'r', metric: 'm', op: '<', threshold: Infinity }), /^rule\.threshold must be a finite number, got Infinity$/);
});

const store = suite('reliability: stored alerts');

store('acknowledge: the first acknowledgement stands; an unknown id is a coded error', async () => {
  const { manager, clock } = setup();
  const alert = (await manager.trigger({ type: 'trend_warning', title: 't', source: 's', at: T0 }))!;
  clock.t = T0 + 1000;
  assert.equal((await manager.acknowledge(alert.id, 'ana')).acknowledged_by, 'ana');
  clock.t = T0 + 2000;
  await manager.acknowledge(alert.id, 'bob');
  const [stored] = await manager.list();
  assert.equal([stored!.acknowledged, stored!.acknowledged_at, stored!.acknowledged_by], [true, T0 + 1000, 'ana']);
  const e = await failure(manager.acknowledge('nope', 'ana'));
  assert.equal([e.code, e.data], ['RELIABILITY_ALERT_UNKNOWN', { id: 'nope' }]);
});

store('list filters by since, severity, type and acknowledged, all together', async () => {
  const { manager } = setup();
  const raise = (title: string, at: number, type: Alert['type'], severity: Alert['severity']) => manager.trigger({ type, severity, title, source: title, at, cooldown_minutes: 0 });
  await raise('a', T0, 'cost_overrun', 'error');
  const b = (await raise('b', T0 + 10, 'cost_overrun', 'info'))!;
  await raise('c', T0 + 20, 'health_check_failed', 'error');
  await raise('d', T0 + 30, 'cost_overrun', 'error');
  await manager.acknowledge(b.id, 'ana');
  const titles = async (filter: Parameters<AlertManager['list']>[0]) => (await manager.list(filter)).map((a) => a.title).join('');
  assert.is(await titles(undefined), 'abcd');
  assert.is(await titles({ since: T0 + 10 }), 'bcd');
  assert.is(await titles({ severity: 'error' }), 'acd');
  assert.is(await titles({ type: 'cost_overrun' }), 'abd');
  assert.is(await titles({ acknowledged: true }), 'b');
  assert.is(await titles({ acknowledged: false, type: 'cost_overrun', severity: 'error', since: T0 + 1 }), 'd');
});

store('clear forgets alerts and suppressed counts; a running cooldown still holds', async () => {
  const { manager } = setup([rule({ cooldown_minutes: 60 })]);
  await manager.evaluate({ at: T0, values: { svr: 0.5 } });
  await manager.evaluate({ at: T0 + MIN, values: { svr: 0.5 } });
  await manager.clear();
  assert.equal([await manager.list(), (await manager.counts()).suppressed_total], [[], 0]);
  assert.equal(await manager.evaluate({ at: T0 + 2 * MIN, values: { svr: 0.5 } }), []);
  assert.equal((await manager.counts()).suppressed, { 'svr-low': 1 });
});

store('two managers sharing one store (two processes) share alerts, cooldowns and counts', async () => {
  const kv = new MemoryKeyValueStore();
  const first = setup([rule({ cooldown_minutes: 60 })], kv);
  const second = setup([rule({ cooldown_minutes: 60 })], kv);
  const [alert] = await first.manager.evaluate({ at: T0, values: { svr: 0.5 } });
  assert.equal(await second.manager.evaluate({ at: T0 + MIN, values: { svr: 0.5 } }), []);
  await first.manager.evaluate({ at: T0 + 2 * MIN, values: { svr: 0.5 } });
  assert.equal((await second.manager.list()).map((a) => a.id), [alert!.id]);
  assert.equal((await second.manager.counts()).suppressed, { 'svr-low': 2 });
  await second.manager.acknowledge(alert!.id, 'ana');
  assert.is((await first.manager.list({ acknowledged: true })).length, 1);
  assert.is((await second.manager.evaluate({ at: T0 + 60 * MIN, values: { svr: 0.5 } })).length, 1);
  assert.is((await first.manager.evaluate({ at: T0 + 61 * MIN, values: { svr: 0.5 } })).length, 0);
});

const config = suite('reliability: alert configuration schema');

const host = definePlugin<{ alerts: AlertsConfig }>({
  name: 'alerts-host',
  version: '1.0.0',
  kernel: '^1',
  configSchema: { type: 'object', additionalProperties: false, properties: { ...ALERT_CONFIG_SCHEMA } },
  setup(ctx) {
    seen = ctx.config.alerts;
  },
});
let seen: AlertsConfig | undefined;

config('an empty configuration gets every default; a rule gets its defaults', async () => {
  await (await createTestKernel({ plugins: [host] })).close();
  assert.equal(seen, { rules: [], channels: {}, retention_days: 90 });
  const rules = [{ name: 'r', metric: 'svr', op: '<', threshold: 0.9 }];
  const channels = { hook: { type: 'webhook', url: 'http://127.0.0.1:1/x', timeout_ms: 100 } };
  await (await createTestKernel({ plugins: [host], config: { plugins: { 'alerts-host': { alerts: { rules, channels } } } } })).close();
  assert.equal(seen!.rules, [{ name: 'r', metric: 'svr', op: '<', threshold: 0.9, type: 'metric_threshold', severity: 'warning', cooldown_minutes: 60, enabled: true }]);
  assert.equal(seen!.channels, channels);
});

config('a rule or channel the schema refuses stops the boot, naming the field', async () => {
  const boot = (alerts: object) => createTestKernel({ plugins: [host], config: { plugins: { 'alerts-host': { alerts } } } });
  assert.match((await failure(boot({ rules: [{ name: 'r', metric: 'svr', op: '=', threshold: 1 }] }))).message, /op/);
  assert.match((await failure(boot({ channels: { s: { type: 'sms' } } }))).message, /type/);
  assert.match((await failure(boot({ retention_days: 0 }))).message, /retention_days/);
});

config('a manager over the storage plugin\'s store', async () => {
  const kernel = await createTestKernel({ plugins: [storage, storeMemory] });
  const manager = new AlertManager({ kv: () => kernel.services.get('storage').kv(), logger: recorder().logger });
  assert.ok(await manager.trigger({ type: 'cost_overrun', title: 'cost', source: 'mix' }));
  assert.is((await manager.list())[0]!.title, 'cost');
  await kernel.close();
});

ops.run();
evaluate.run();
cooldown.run();
trigger.run();
channels.run();
rules.run();
store.run();
config.run();
