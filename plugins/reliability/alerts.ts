import { randomUUID } from 'node:crypto';
import { WeftError, type KeyValueStore, type Logger } from '#kernel';
import { CHANNEL_CONFIG_SCHEMA, type AlertChannel, type ChannelConfig } from './alert-channels.js';
import { AlertLog } from './alert-log.js';
import { ReliabilityErrors } from './errors.js';

/** What an alert is about (reference §3.11). */
export const ALERT_TYPES = ['metric_threshold', 'slo_breach', 'anomaly_detected', 'trend_warning', 'health_check_failed', 'cost_overrun'] as const;
/** What an alert is about. */
export type AlertType = (typeof ALERT_TYPES)[number];
/** How bad an alert is, mildest first. */
export const ALERT_SEVERITIES = ['info', 'warning', 'error', 'critical'] as const;
/** How bad an alert is. */
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

const COMPARE = { '<': (a, b) => a < b, '<=': (a, b) => a <= b, '>': (a, b) => a > b, '>=': (a, b) => a >= b, '==': (a, b) => a === b, '!=': (a, b) => a !== b } satisfies Record<string, (a: number, b: number) => boolean>;
/** How a rule compares a metric with its threshold. */
export type Comparison = keyof typeof COMPARE;

/** One raised alert, as stored and as sent to channels. */
export interface Alert {
  id: string;
  /** The rule that raised it; null for an alert triggered directly. */
  rule: string | null;
  type: AlertType;
  severity: AlertSeverity;
  title: string;
  message: string;
  /** Epoch milliseconds. */
  at: number;
  source: string;
  context: Record<string, unknown>;
  acknowledged: boolean;
  acknowledged_at?: number;
  acknowledged_by?: string;
}

/** A rule with its defaults applied. Titles and messages may use {{metric}} {{value}} {{op}} {{threshold}} {{pipeline}} {{rule}}. */
export interface AlertRule {
  name: string;
  type: AlertType;
  /** A key of the snapshot's values, e.g. `svr` or `slo.budget_remaining`. */
  metric: string;
  op: Comparison;
  threshold: number;
  severity: AlertSeverity;
  /** Only snapshots of this pipeline. */
  pipeline?: string;
  /** 0: every breach is sent. */
  cooldown_minutes: number;
  /** Default: every channel. */
  channels?: string[];
  enabled: boolean;
  title?: string;
  message?: string;
}

/** A rule as configured: the defaults are type metric_threshold, severity warning, a 60-minute cooldown, enabled. */
export type AlertRuleInput = Pick<AlertRule, 'name' | 'metric' | 'op' | 'threshold'> & Partial<AlertRule>;

/** Metric values at one moment, for one pipeline or all; a missing or null value skips its rules. */
export interface MetricSnapshot {
  pipeline?: string;
  at: number;
  values: Readonly<Record<string, number | null>>;
}

/** An alert raised directly (anomaly, SLO, cost); its cooldown key is `type:source`. */
export interface AlertInput {
  type: AlertType;
  severity?: AlertSeverity;
  title: string;
  message?: string;
  source: string;
  context?: Record<string, unknown>;
  /** Default: now. */
  at?: number;
  /** Default 60; 0 means none. */
  cooldown_minutes?: number;
}

/** Which stored alerts `list` returns; `since` in epoch milliseconds. */
export interface AlertFilter {
  since?: number;
  severity?: AlertSeverity;
  type?: AlertType;
  acknowledged?: boolean;
}

/** Stored alerts by type and severity, and the alerts each cooldown key held back. */
export interface AlertCounts {
  by_type: Record<AlertType, number>;
  by_severity: Record<AlertSeverity, number>;
  suppressed: Record<string, number>;
  suppressed_total: number;
}

/** Settings of `plugins.reliability.alerts`. */
export interface AlertsConfig {
  rules: AlertRuleInput[];
  channels: Record<string, ChannelConfig>;
  retention_days: number;
}

const settled = (): void => undefined;

/** JSON Schema of the `alerts` property of the reliability plugin's configuration, to spread into its `properties`. */
export const ALERT_CONFIG_SCHEMA = {
  alerts: {
    type: 'object',
    default: {},
    additionalProperties: false,
    properties: {
      rules: {
        type: 'array',
        default: [],
        items: {
          type: 'object',
          required: ['name', 'metric', 'op', 'threshold'],
          additionalProperties: false,
          properties: {
            name: { type: 'string', minLength: 1 },
            type: { enum: [...ALERT_TYPES], default: 'metric_threshold' },
            metric: { type: 'string', minLength: 1, description: 'A metric of the snapshot, e.g. svr, cr, hir, wct, cost_usd, slo.budget_remaining' },
            op: { enum: Object.keys(COMPARE) },
            threshold: { type: 'number' },
            severity: { enum: [...ALERT_SEVERITIES], default: 'warning' },
            pipeline: { type: 'string', description: 'Only this pipeline' },
            cooldown_minutes: { type: 'number', minimum: 0, default: 60, description: 'Alerts of this rule within this time of the last one sent are counted, not sent; 0 = none' },
            channels: { type: 'array', items: { type: 'string' }, description: 'Default: every channel' },
            enabled: { type: 'boolean', default: true },
            title: { type: 'string', description: 'Template: {{metric}} {{value}} {{op}} {{threshold}} {{pipeline}} {{rule}}' },
            message: { type: 'string', description: 'Template, as title' },
          },
        },
      },
      channels: { type: 'object', default: {}, additionalProperties: CHANNEL_CONFIG_SCHEMA, description: 'Alert channels by name; log is added when not named' },
      retention_days: { type: 'number', exclusiveMinimum: 0, default: 90, description: 'How long stored alerts and suppressed counts are kept' },
    },
  },
} as const;

/** Applies a rule's defaults and checks it; `path` names it in errors; with `metrics`, its metric must be one of them. */
export function alertRule(input: AlertRuleInput, path = 'rule', metrics?: readonly string[]): AlertRule {
  const rule: AlertRule = { type: 'metric_threshold', severity: 'warning', cooldown_minutes: 60, enabled: true, ...input };
  const fail = (field: string, what: string) => {
    const got: unknown = rule[field as keyof AlertRule];
    return new WeftError(ReliabilityErrors.ALERT_RULE_INVALID, `${path}.${field} ${what}, got ${typeof got === 'string' ? JSON.stringify(got) : String(got)}`, { path: `${path}.${field}` });
  };
  if (typeof rule.name !== 'string' || rule.name === '') throw fail('name', 'must be a non-empty string');
  if (typeof rule.metric !== 'string' || rule.metric === '') throw fail('metric', 'must be a non-empty string');
  // A rule on a metric no snapshot carries could never fire.
  if (metrics !== undefined && !metrics.includes(rule.metric)) throw fail('metric', `must be one of ${metrics.join(', ')}`);
  if (!Object.hasOwn(COMPARE, rule.op)) throw fail('op', `must be one of ${Object.keys(COMPARE).join(' ')}`);
  if (!Number.isFinite(rule.threshold)) throw fail('threshold', 'must be a finite number');
  if (!ALERT_TYPES.includes(rule.type)) throw fail('type', `must be one of ${ALERT_TYPES.join(', ')}`);
  if (!ALERT_SEVERITIES.includes(rule.severity)) throw fail('severity', `must be one of ${ALERT_SEVERITIES.join(', ')}`);
  if (!(rule.cooldown_minutes >= 0)) throw fail('cooldown_minutes', 'must be a number ≥ 0');
  return rule;
}

const show = (n: number): string => String(+n.toFixed(4));
const render = (template: string, vars: Readonly<Record<string, string>>): string => template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => vars[name] ?? whole);
const tally = <K extends string>(keys: readonly K[], of: readonly K[]): Record<K, number> => {
  const out = Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
  for (const k of of) out[k]++;
  return out;
};

/** Options of {@link AlertManager}. */
export interface AlertManagerOptions {
  /** Where alerts, cooldowns and suppressed counts live (opened on first use). */
  kv: () => Promise<KeyValueStore>;
  /** Receives channel failures. */
  logger: Logger;
  rules?: readonly AlertRuleInput[];
  /** The metrics the snapshots carry, which rules may name; default any. */
  metrics?: readonly string[];
  /** Default 90. */
  retention_days?: number;
  /** How many alerts the log keeps, newest last; default 1000. */
  max_alerts?: number;
  now?: () => number;
}

/**
 * Evaluates rules on each metric snapshot and raises alerts, directly triggered ones too. Unlike
 * the reference, each rule keeps its own cooldown, and an alert inside a cooldown is counted
 * (`counts().suppressed`) instead of vanishing. State lives in the key-value store, so every
 * process sharing it shares alerts, cooldowns and counts.
 */
export class AlertManager {
  /** The rules, defaults applied, in configuration order. */
  readonly rules: readonly AlertRule[];
  #editing: Promise<unknown> = Promise.resolve();
  readonly #log: AlertLog;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #channels = new Map<string, AlertChannel>();

  constructor(options: AlertManagerOptions) {
    const rules = (options.rules ?? []).map((r, i) => alertRule(r, `alerts.rules[${i}]`, options.metrics));
    rules.forEach((r, i) => {
      if (rules.findIndex((o) => o.name === r.name) < i) throw new WeftError(ReliabilityErrors.ALERT_RULE_INVALID, `alerts.rules[${i}].name "${r.name}" is used by an earlier rule; rule names must be unique`, { path: `alerts.rules[${i}].name` });
    });
    this.rules = rules;
    this.#log = new AlertLog(options.kv, { retention_days: options.retention_days ?? 90, max_alerts: options.max_alerts ?? 1000 });
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
  }

  /** Adds a channel; RELIABILITY_ALERT_CHANNEL_DUPLICATE when its name is taken. */
  addChannel(channel: AlertChannel): void {
    if (this.#channels.has(channel.name)) throw new WeftError(ReliabilityErrors.ALERT_CHANNEL_DUPLICATE, `An alert channel named "${channel.name}" is already registered; give the new one another name`, { data: { channel: channel.name } });
    this.#channels.set(channel.name, channel);
  }

  /** The channel names, in the order they were added. */
  channels(): string[] {
    return [...this.#channels.keys()];
  }

  /** Checks every enabled rule that applies to the snapshot; resolves to the alerts sent. */
  async evaluate(snapshot: MetricSnapshot): Promise<Alert[]> {
    const sent: Alert[] = [];
    for (const rule of this.rules) {
      if (!rule.enabled || (rule.pipeline !== undefined && rule.pipeline !== snapshot.pipeline)) continue;
      const value = snapshot.values[rule.metric];
      if (typeof value !== 'number' || Number.isNaN(value) || !COMPARE[rule.op](value, rule.threshold)) continue;
      const vars = { rule: rule.name, metric: rule.metric, value: show(value), op: rule.op, threshold: show(rule.threshold), pipeline: snapshot.pipeline ?? 'all pipelines' };
      const context = { metric: rule.metric, value, op: rule.op, threshold: rule.threshold, ...(snapshot.pipeline === undefined ? {} : { pipeline: snapshot.pipeline }) };
      const alert = await this.#raise(
        { rule: rule.name, type: rule.type, severity: rule.severity, title: render(rule.title ?? '{{rule}}: {{metric}} {{op}} {{threshold}}', vars), message: render(rule.message ?? '{{metric}} is {{value}} for {{pipeline}} ({{op}} {{threshold}})', vars), at: snapshot.at, source: snapshot.pipeline ?? 'metrics', context },
        // One pipeline's breach must not hide another's, so a rule's cooldown is per pipeline.
        snapshot.pipeline === undefined ? rule.name : `${rule.name}:${snapshot.pipeline}`,
        rule.cooldown_minutes,
        rule.channels,
      );
      if (alert) sent.push(alert);
    }
    return sent;
  }

  /** Raises an alert directly, to `channels` (default all); resolves to it, or null when a cooldown held it back. */
  async trigger(input: AlertInput, channels?: readonly string[]): Promise<Alert | null> {
    const { type, severity = 'warning', title, message = title, source, context = {}, at = this.#now(), cooldown_minutes = 60 } = input;
    return this.#raise({ rule: null, type, severity, title, message, at, source, context }, `${type}:${source}`, cooldown_minutes, channels);
  }

  /** Marks a stored alert acknowledged (the first acknowledgement stands); RELIABILITY_ALERT_UNKNOWN for an unknown id. */
  acknowledge(id: string, by: string): Promise<Alert> {
    return this.#edit(async () => {
      const alerts = await this.#log.read();
      const alert = alerts.find((a) => a.id === id);
      if (alert === undefined) throw new WeftError(ReliabilityErrors.ALERT_UNKNOWN, `No stored alert has id ${id}; list them with weft alerts`, { data: { id } });
      if (!alert.acknowledged) {
        Object.assign(alert, { acknowledged: true, acknowledged_at: this.#now(), acknowledged_by: by });
        await this.#log.write(alerts, this.#now());
      }
      return alert;
    });
  }

  /** The stored alerts matching every given filter, oldest first. */
  async list(filter: AlertFilter = {}): Promise<Alert[]> {
    const { since = -Infinity, severity, type, acknowledged } = filter;
    return (await this.#log.read()).filter((a) => a.at >= since && (severity ?? a.severity) === a.severity && (type ?? a.type) === a.type && (acknowledged ?? a.acknowledged) === a.acknowledged);
  }

  /** Stored alerts by type and severity, and what each cooldown key suppressed. */
  async counts(): Promise<AlertCounts> {
    const alerts = await this.#log.read();
    const suppressed = await this.#log.suppressed();
    return {
      by_type: tally(ALERT_TYPES, alerts.map((a) => a.type)),
      by_severity: tally(ALERT_SEVERITIES, alerts.map((a) => a.severity)),
      suppressed,
      suppressed_total: Object.values(suppressed).reduce((a, b) => a + b, 0),
    };
  }

  /** Forgets the stored alerts and suppressed counts; running cooldowns stay. */
  async clear(): Promise<void> {
    await this.#log.clear();
  }

  /** Runs read-modify-writes of the alert log one at a time in this process, so concurrent alerts are all kept. */
  #edit<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#editing.then(work);
    this.#editing = next.then(settled, settled);
    return next;
  }

  async #raise(draft: Omit<Alert, 'id' | 'acknowledged'>, key: string, cooldownMinutes: number, channels: readonly string[] | undefined): Promise<Alert | null> {
    if (!(await this.#log.claim(key, draft.at, cooldownMinutes))) {
      await this.#log.suppress(key);
      return null;
    }
    const alert: Alert = { id: randomUUID(), ...draft, acknowledged: false };
    await this.#edit(async () => this.#log.write([...(await this.#log.read()), alert], this.#now()));
    await Promise.all((channels ?? this.channels()).map((name) => this.#deliver(alert, name)));
    return alert;
  }

  // A channel failing must not cost the other channels the alert: it is logged with its code.
  async #deliver(alert: Alert, name: string): Promise<void> {
    const channel = this.#channels.get(name);
    try {
      if (channel === undefined) throw new WeftError(ReliabilityErrors.ALERT_CHANNEL_UNKNOWN, `no channel is named "${name}" (channels: ${this.channels().join(', ')})`);
      await channel.send(alert);
    } catch (e: unknown) {
      const error = e as { message?: unknown; code?: unknown };
      this.#logger.error(`Alert "${alert.title}" (${alert.id}) was not delivered to channel ${name}: ${String(error.message ?? e)}`, { alert: alert.id, channel: name, code: error.code ?? null });
    }
  }
}
