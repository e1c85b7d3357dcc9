import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { callbackChannel, channelsFromConfig, logChannel, webhookChannel, type ChannelConfig } from '../../../plugins/reliability/alert-channels.js';
import { AlertManager, type Alert } from '../../../plugins/reliability/alerts.js';
import { MemoryKeyValueStore } from '../../../plugins/store-memory/index.js';
import { failure } from './helpers.js';
import { recorder } from './logs.js';

const alert = (over: Partial<Alert> = {}): Alert => ({ id: 'a1', rule: 'r', type: 'metric_threshold', severity: 'warning', title: 'svr low', message: 'svr is 0.5', at: 0, source: 'mix', context: { value: 0.5 }, acknowledged: false, ...over });

const log = suite('reliability: the log alert channel');
const levels: Array<[Alert['severity'], string]> = [['info', 'info'], ['warning', 'warn'], ['error', 'error'], ['critical', 'error']];
for (const [severity, level] of levels) {
  log(`${severity} logs at ${level}`, () => {
    const { logger, lines } = recorder();
    logChannel(logger).send(alert({ severity }));
    assert.equal(lines, [[level, `[alert ${severity}] svr low: svr is 0.5`, { id: 'a1', type: 'metric_threshold', source: 'mix', rule: 'r' }]]);
  });
}
log('named log and callback channels', async () => {
  assert.is(logChannel(recorder().logger, 'audit').name, 'audit');
  const got: Alert[] = [];
  const channel = callbackChannel('cb', async (a) => void got.push(a));
  await channel.send(alert());
  assert.equal([channel.name, got], ['cb', [alert()]]);
});

/** A loopback server answering each request with `answer`; it keeps what it received. */
async function server(answer: (req: IncomingMessage, res: ServerResponse) => void) {
  const received: Array<{ method: string; headers: IncomingMessage['headers']; body: unknown }> = [];
  const http = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => void (body += chunk));
    req.on('end', () => {
      received.push({ method: req.method!, headers: req.headers, body: JSON.parse(body) });
      answer(req, res);
    });
  });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/hook`;
  const close = (): Promise<void> => {
    http.closeAllConnections();
    return new Promise((done) => http.close(() => done()));
  };
  return { url, received, close };
}

const webhook = suite('reliability: the webhook alert channel, over real HTTP');

webhook('POSTs the alert as JSON with the configured headers', async () => {
  const s = await server((_, res) => res.writeHead(204).end());
  const channel = webhookChannel({ url: s.url, headers: { authorization: 'Bearer t' } });
  await channel.send(alert());
  assert.is(channel.name, 'webhook');
  assert.equal(s.received.map((r) => [r.method, r.headers['content-type'], r.headers['authorization'], r.body]), [['POST', 'application/json', 'Bearer t', alert()]]);
  await s.close();
});

webhook('an answer other than 2xx is a coded error with the status', async () => {
  const s = await server((_, res) => res.writeHead(500).end('broken'));
  const e = await failure(Promise.resolve(webhookChannel({ name: 'ops', url: s.url }).send(alert())));
  assert.equal([e.code, e.message, e.data], ['RELIABILITY_ALERT_WEBHOOK_FAILED', `Webhook ops (${s.url}) answered 500`, { status: 500 }]);
  await s.close();
});

webhook('no answer within timeout_ms, or no server, is a coded error', async () => {
  const s = await server((_, res) => void setTimeout(() => res.writeHead(200).end(), 500));
  const slow = await failure(Promise.resolve(webhookChannel({ url: s.url, timeout_ms: 50 }).send(alert())));
  assert.equal([slow.code, slow.message], ['RELIABILITY_ALERT_WEBHOOK_FAILED', `Webhook webhook (${s.url}) did not answer within 50 ms`]);
  await s.close();
  const gone = await failure(Promise.resolve(webhookChannel({ url: s.url }).send(alert())));
  assert.equal([gone.code, gone.message], ['RELIABILITY_ALERT_WEBHOOK_FAILED', `Webhook webhook (${s.url}) could not be reached (fetch failed)`]);
});

webhook('a failing webhook is logged by the manager; the other channels still get the alert', async () => {
  const s = await server((_, res) => res.writeHead(503).end());
  const { logger, lines } = recorder();
  const manager = new AlertManager({ kv: async () => new MemoryKeyValueStore(), logger });
  const got: Alert[] = [];
  manager.addChannel(webhookChannel({ name: 'hook', url: s.url }));
  manager.addChannel(callbackChannel('cb', (a) => void got.push(a)));
  const sent = await manager.trigger({ type: 'cost_overrun', title: 'cost', source: 'mix' });
  assert.equal(got, [sent]);
  assert.equal(s.received.map((r) => r.body), [sent]);
  assert.equal(lines.map(([level, , data]) => [level, data!['channel'], data!['code']]), [['error', 'hook', 'RELIABILITY_ALERT_WEBHOOK_FAILED']]);
  await s.close();
});

const config = suite('reliability: alert channels from configuration');

config('log is added unless configured; each channel takes its configured name', async () => {
  const { logger, lines } = recorder();
  assert.equal(channelsFromConfig({}, logger).map((c) => c.name), ['log']);
  assert.equal(channelsFromConfig({ log: { type: 'log' } }, logger).map((c) => c.name), ['log']);
  const s = await server((_, res) => res.writeHead(200).end());
  const channels = channelsFromConfig({ audit: { type: 'log' }, hook: { type: 'webhook', url: s.url, headers: { 'x-team': 'ops' }, timeout_ms: 1000 } }, logger);
  assert.equal(channels.map((c) => c.name), ['log', 'audit', 'hook']);
  for (const c of channels) await c.send(alert());
  assert.equal(lines.length, 2);
  assert.equal(s.received.map((r) => r.headers['x-team']), ['ops']);
  await s.close();
});

const bad: Array<[unknown, string]> = [[undefined, 'undefined'], ['', '""'], ['ftp://host/x', '"ftp://host/x"'], ['http://', '"http://"']];
for (const [url, shown] of bad) {
  config(`a webhook with url ${shown} is refused`, async () => {
    const e = await failure(Promise.resolve().then(() => channelsFromConfig({ hook: { type: 'webhook', url } as ChannelConfig }, recorder().logger)));
    assert.equal([e.code, (e as { path?: string }).path, e.message], ['RELIABILITY_ALERT_CHANNEL_INVALID', 'alerts.channels.hook.url', `alerts.channels.hook.url must be an http(s) URL, got ${shown}`]);
  });
}

log.run();
webhook.run();
config.run();
