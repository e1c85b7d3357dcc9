import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { definePlugin } from '../../../kernel/index.js';
import type { Kernel } from '../../../kernel/kernel.js';
import { createTestKernel } from '../../../kernel/testing.js';
import { callbackChannel } from '../../../plugins/reliability/alert-channels.js';
import { alertsCommands, parseSince } from '../../../plugins/reliability/alerts-command.js';
import { AlertManager } from '../../../plugins/reliability/alerts.js';
import storage from '../../../plugins/storage/index.js';
import storeMemory from '../../../plugins/store-memory/index.js';
import { command, failure } from './helpers.js';
import { recorder } from './logs.js';

const NOW = Date.UTC(2025, 0, 10, 12);
const H = 36e5;

const since = suite('reliability: --since of weft alerts');
const good: Array<[string, number]> = [['30m', NOW - 30 * 6e4], ['24h', NOW - 24 * H], ['1.5h', NOW - 1.5 * H], ['10s', NOW - 1e4], ['7d', NOW - 7 * 24 * H], ['2w', NOW - 14 * 24 * H], ['2025-01-09', Date.UTC(2025, 0, 9)], ['2025-01-09T06:30:00Z', Date.UTC(2025, 0, 9, 6, 30)]];
for (const [text, at] of good) since(text, () => assert.is(parseSince(text, NOW), at));
for (const text of ['yesterday', '24', '-1h', '2025-13-45', '']) {
  since(`"${text}" is a usage error naming --since`, () => {
    assert.throws(() => parseSince(text, NOW), (e: { code: string; message: string }) => e.code === 'KERNEL_CLI_USAGE' && e.message.startsWith('--since must be an ISO date'));
  });
}

/** A plugin that adds the alerts commands over the storage plugin's key-value store, as reliability will. */
const alertsPlugin = definePlugin({
  name: 'alerts-cli',
  version: '1.0.0',
  kernel: '^1',
  dependsOn: ['storage'],
  setup(ctx) {
    const alerts = new AlertManager({ kv: () => ctx.services.get('storage').kv(), logger: ctx.log, now: () => NOW });
    ctx.hooks.tap('kernel.commands', (commands) => {
      for (const c of alertsCommands({ alerts, now: () => NOW })) commands.add(c);
    });
  },
});

/** A kernel with the alerts commands, and a second manager on its store standing for the process that raised the alerts. */
async function boot(): Promise<{ kernel: Kernel; raiser: AlertManager }> {
  const kernel = await createTestKernel({ plugins: [storage, storeMemory, alertsPlugin] });
  const raiser = new AlertManager({ kv: () => kernel.services.get('storage').kv(), logger: recorder().logger, now: () => NOW, rules: [{ name: 'svr-low', metric: 'svr', op: '<', threshold: 0.9 }] });
  raiser.addChannel(callbackChannel('cb', () => undefined));
  return { kernel, raiser };
}

const cli = suite('reliability: weft alerts');

cli('with nothing stored; then one alert not yet acknowledged, acknowledged by $USER', async () => {
  const { kernel, raiser } = await boot();
  assert.is((await command(kernel, 'alerts', [])).stdout, 'No alerts.\nNo alert was held back by a cooldown.\n');
  const alert = (await raiser.trigger({ type: 'trend_warning', title: 'svr falling', source: 'mix', at: NOW }))!;
  assert.is((await command(kernel, 'alerts', [])).stdout, `2025-01-10T12:00:00.000Z  warning  trend_warning       svr falling\n    svr falling\n    id ${alert.id}\nNo alert was held back by a cooldown.\n`);
  let out = '';
  const ack = alertsCommands({ alerts: raiser })[1]!;
  await ack.run({ positionals: [alert.id], values: {}, io: { stdout: (t) => void (out += t), stderr: () => undefined, cwd: '.', env: { USER: 'ana' } }, services: kernel.services });
  assert.is(out, `Alert ${alert.id} acknowledged by ana.\n`);
  await kernel.close();
});

cli('lists stored alerts and what each cooldown held back; filters; JSON; ack', async () => {
  const { kernel, raiser } = await boot();
  const [old] = await raiser.evaluate({ pipeline: 'mix', at: NOW - 30 * H, values: { svr: 0.5 } });
  await raiser.evaluate({ pipeline: 'mix', at: NOW - 30 * H + 6e4, values: { svr: 0.4 } });
  const recent = (await raiser.trigger({ type: 'cost_overrun', severity: 'critical', title: 'cost $12/h', message: 'over $10/h', source: 'mix', at: NOW - H }))!;
  await raiser.trigger({ type: 'cost_overrun', title: 'again', source: 'mix', at: NOW - H + 1 });

  const ack = await command(kernel, 'alerts ack', [old!.id], { by: 'ana' });
  assert.equal([ack.code, ack.stdout], [0, `Alert ${old!.id} acknowledged by ana.\n`]);
  assert.is((await command(kernel, 'alerts ack', [recent.id])).stdout, `Alert ${recent.id} acknowledged by unknown.\n`);
  assert.is((await failure(command(kernel, 'alerts ack', ['nope']))).code, 'RELIABILITY_ALERT_UNKNOWN');

  const { code, stdout } = await command(kernel, 'alerts', []);
  assert.is(code, 0);
  assert.is(stdout, [
    '2025-01-09T06:00:00.000Z  warning  metric_threshold    svr-low: svr < 0.9 (acknowledged by ana at 2025-01-10T12:00:00.000Z)',
    '    svr is 0.5 for mix (< 0.9)',
    `    id ${old!.id}`,
    '2025-01-10T11:00:00.000Z  critical cost_overrun        cost $12/h (acknowledged by unknown at 2025-01-10T12:00:00.000Z)',
    '    over $10/h',
    `    id ${recent.id}`,
    'Held back by cooldowns: 2',
    '  cost_overrun:mix: 1',
    '  svr-low:mix: 1',
    '',
  ].join('\n'));

  const titles = async (values: Record<string, string>) => (await command(kernel, 'alerts', [], { ...values, json: true })).stdout;
  const json = JSON.parse(await titles({ since: '24h' }));
  assert.equal(json.alerts.map((a: { id: string }) => a.id), [recent.id]);
  assert.equal([json.counts.suppressed_total, json.counts.by_severity.critical], [2, 1]);
  assert.equal(JSON.parse(await titles({ severity: 'warning' })).alerts.map((a: { id: string }) => a.id), [old!.id]);
  assert.equal(JSON.parse(await titles({ type: 'cost_overrun', since: '2025-01-01' })).alerts.map((a: { id: string }) => a.id), [recent.id]);
  await kernel.close();
});

cli('a bad --severity or --type is a usage error naming the flag', async () => {
  const { kernel } = await boot();
  const severity = await failure(command(kernel, 'alerts', [], { severity: 'fatal' }));
  assert.equal([severity.code, severity.message], ['KERNEL_CLI_USAGE', '--severity must be one of info, warning, error, critical; got "fatal"']);
  const type = await failure(command(kernel, 'alerts', [], { type: 'weather' }));
  assert.equal([type.code, type.message.split(';')[0]], ['KERNEL_CLI_USAGE', '--type must be one of metric_threshold, slo_breach, anomaly_detected, trend_warning, health_check_failed, cost_overrun']);
  await kernel.close();
});

since.run();
cli.run();
