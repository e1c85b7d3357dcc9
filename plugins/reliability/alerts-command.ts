import { KernelErrors, WeftError, type Command } from '#kernel';
import { ALERT_SEVERITIES, ALERT_TYPES, type Alert, type AlertCounts, type AlertFilter, type AlertManager } from './alerts.js';

/** What the alerts commands read and change. */
export interface AlertsCommandDeps {
  alerts: AlertManager;
  /** The clock `--since 24h` counts back from; default Date.now. */
  now?: () => number;
}

const UNIT_MS: Record<string, number> = { s: 1e3, m: 6e4, h: 36e5, d: 864e5, w: 6048e5 };
const usage = (message: string): WeftError => new WeftError(KernelErrors.CLI_USAGE, message);

/** `--since`: an ISO date, or a duration back from now like `30m`, `24h`, `7d`. */
export function parseSince(text: string, now: number): number {
  const duration = /^(\d+(?:\.\d+)?)([smhdw])$/.exec(text);
  if (duration) return now - Number(duration[1]) * UNIT_MS[duration[2]!]!;
  const at = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(at)) throw usage(`--since must be an ISO date (2025-01-31, 2025-01-31T12:00Z) or a duration like 30m, 24h, 7d; got "${text}"`);
  return at;
}

const oneOf = <T extends string>(flag: string, value: unknown, allowed: readonly T[]): T | undefined => {
  if (value === undefined || allowed.includes(value as T)) return value as T | undefined;
  throw usage(`--${flag} must be one of ${allowed.join(', ')}; got "${String(value)}"`);
};

const line = (a: Alert): string => {
  const ack = a.acknowledged ? ` (acknowledged by ${a.acknowledged_by} at ${new Date(a.acknowledged_at!).toISOString()})` : '';
  return `${new Date(a.at).toISOString()}  ${a.severity.padEnd(8)} ${a.type.padEnd(19)} ${a.title}${ack}\n    ${a.message}\n    id ${a.id}\n`;
};

const suppressedText = (counts: AlertCounts): string => {
  if (counts.suppressed_total === 0) return 'No alert was held back by a cooldown.\n';
  const keys = Object.entries(counts.suppressed).sort(([a], [b]) => a.localeCompare(b));
  return `Held back by cooldowns: ${counts.suppressed_total}\n${keys.map(([key, n]) => `  ${key}: ${n}\n`).join('')}`;
};

/** `weft alerts` (stored alerts and suppressed counts) and `weft alerts ack <id>`. */
export function alertsCommands(deps: AlertsCommandDeps): Command[] {
  const { alerts, now = Date.now } = deps;
  const list: Command = {
    name: 'alerts',
    summary: 'List stored alerts and how many alerts each cooldown held back',
    options: {
      since: { type: 'string', value: '<iso|duration>', description: 'Only alerts at or after this date, or this long ago (30m, 24h, 7d)' },
      severity: { type: 'string', value: `<${ALERT_SEVERITIES.join('|')}>`, description: 'Only this severity' },
      type: { type: 'string', value: '<type>', description: `Only this type: ${ALERT_TYPES.join(', ')}` },
      json: { type: 'boolean', description: 'Print { alerts, counts } as JSON' },
    },
    async run({ values, io }) {
      const filter: AlertFilter = {};
      const since = values['since'];
      if (typeof since === 'string') filter.since = parseSince(since, now());
      const severity = oneOf('severity', values['severity'], ALERT_SEVERITIES);
      if (severity) filter.severity = severity;
      const type = oneOf('type', values['type'], ALERT_TYPES);
      if (type) filter.type = type;
      const found = await alerts.list(filter);
      const counts = await alerts.counts();
      if (values['json'] === true) io.stdout(`${JSON.stringify({ alerts: found, counts }, null, 2)}\n`);
      else io.stdout(`${found.length ? found.map(line).join('') : 'No alerts.\n'}${suppressedText(counts)}`);
      return 0;
    },
  };
  const ack: Command = {
    name: 'alerts ack',
    summary: 'Acknowledge a stored alert',
    args: '<id>',
    positionals: { min: 1, max: 1 },
    options: { by: { type: 'string', value: '<name>', description: 'Who acknowledges it (default: $USER)' } },
    async run({ positionals, values, io }) {
      const by = typeof values['by'] === 'string' ? values['by'] : (io.env['USER'] ?? 'unknown');
      const alert = await alerts.acknowledge(positionals[0]!, by);
      io.stdout(`Alert ${alert.id} acknowledged by ${alert.acknowledged_by}.\n`);
      return 0;
    },
  };
  return [list, ack];
}
