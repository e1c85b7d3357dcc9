import { WeftError, type Logger } from '#kernel';
import type { Alert } from './alerts.js';
import { ReliabilityErrors } from './errors.js';

/** Somewhere alerts go. Plugins may contribute their own through the alert manager's `addChannel`. */
export interface AlertChannel {
  readonly name: string;
  /** Delivers one alert; a rejection is logged by the manager and does not stop other channels. */
  send(alert: Alert): Promise<void> | void;
}

/** A webhook: `url` receives each alert as a JSON POST. */
export interface WebhookOptions {
  /** Channel name; default `webhook`. */
  name?: string;
  url: string;
  headers?: Record<string, string>;
  /** How long to wait for the answer; default 5000. */
  timeout_ms?: number;
}

/** A channel as configured under `plugins.reliability.alerts.channels.<name>`. */
export type ChannelConfig = { type: 'log' } | { type: 'webhook'; url: string; headers?: Record<string, string>; timeout_ms?: number };

/** JSON Schema of one configured channel. */
export const CHANNEL_CONFIG_SCHEMA = {
  type: 'object',
  required: ['type'],
  additionalProperties: false,
  properties: {
    type: { enum: ['log', 'webhook'], description: 'log: the weft log; webhook: a JSON POST of each alert' },
    url: { type: 'string', description: 'webhook: where to POST' },
    headers: { type: 'object', additionalProperties: { type: 'string' }, description: 'webhook: extra request headers' },
    timeout_ms: { type: 'integer', minimum: 1, description: 'webhook: how long to wait for a 2xx answer (default 5000)' },
  },
} as const;

const LEVELS = { info: 'info', warning: 'warn', error: 'error', critical: 'error' } as const;

/** Writes each alert to `logger` at the level of its severity (critical and error both log as error). */
export function logChannel(logger: Logger, name = 'log'): AlertChannel {
  return {
    name,
    send(alert) {
      logger[LEVELS[alert.severity]](`[alert ${alert.severity}] ${alert.title}: ${alert.message}`, { id: alert.id, type: alert.type, source: alert.source, rule: alert.rule });
    },
  };
}

/** POSTs each alert as JSON to a URL; an answer other than 2xx, or none in time, is an error. */
export function webhookChannel(options: WebhookOptions): AlertChannel {
  const { name = 'webhook', url, headers = {}, timeout_ms = 5000 } = options;
  return {
    name,
    async send(alert) {
      let response: Response;
      try {
        response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(alert), signal: AbortSignal.timeout(timeout_ms) });
      } catch (e: unknown) {
        const why = (e as Error).name === 'TimeoutError' ? `did not answer within ${timeout_ms} ms` : `could not be reached (${(e as Error).message})`;
        throw new WeftError(ReliabilityErrors.ALERT_WEBHOOK_FAILED, `Webhook ${name} (${url}) ${why}`, { cause: e });
      }
      // Read the body so the connection can be reused.
      await response.arrayBuffer();
      if (!response.ok) throw new WeftError(ReliabilityErrors.ALERT_WEBHOOK_FAILED, `Webhook ${name} (${url}) answered ${response.status}`, { data: { status: response.status } });
    },
  };
}

/** Hands each alert to a function. */
export function callbackChannel(name: string, fn: (alert: Alert) => Promise<void> | void): AlertChannel {
  return { name, send: fn };
}

/** The configured channels, plus `log` when the configuration does not name one. */
export function channelsFromConfig(config: Readonly<Record<string, ChannelConfig>>, logger: Logger): AlertChannel[] {
  const channels = Object.entries(config).map(([name, c]): AlertChannel => {
    if (c.type === 'log') return logChannel(logger, name);
    const path = `alerts.channels.${name}.url`;
    if (!/^https?:\/\//.test(c.url ?? '') || !URL.canParse(c.url)) {
      throw new WeftError(ReliabilityErrors.ALERT_CHANNEL_INVALID, `${path} must be an http(s) URL, got ${JSON.stringify(c.url)}`, { path });
    }
    return webhookChannel({ name, ...c });
  });
  return 'log' in config ? channels : [logChannel(logger), ...channels];
}
