import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { callbackChannel } from '../../../plugins/reliability/alert-channels.js';
import { AlertManager, type Alert, type AlertRuleInput } from '../../../plugins/reliability/alerts.js';
import type { RunRecord, StepRecord } from '../../../plugins/reliability/records.js';
import type { Objectives } from '../../../plugins/reliability/slo.js';
import { Watch, WATCHED_METRICS, type RecentRecords } from '../../../plugins/reliability/watch.js';
import { MemoryKeyValueStore } from '../../../plugins/store-memory/index.js';
import { bootSql } from './helpers.js';
import { recorder } from './logs.js';
import { tempDir } from '../../support/temp.js';
import type { JsonObject } from '../../../kernel/index.js';
import type { Kernel } from '../../../kernel/kernel.js';

const H = 36e5;
const NOW = 1000 * H;

function setup(options: { rules?: AlertRuleInput[]; objectives?: Objectives; thresholds?: Record<string, { max_value: number }>; stored?: (pipeline: string, limit: number) => Promise<RecentRecords> } = {}) {
  const { logger, lines } = recorder();
  const kv = new MemoryKeyValueStore();
  const alerts = new AlertManager({ kv: async () => kv, logger, rules: options.rules ?? [], now: () => NOW });
  const sent: Alert[] = [];
  alerts.addChannel(callbackChannel('cb', (a) => void sent.push(a)));
  const stored = options.stored ? { stored: { read: options.stored, log: logger } } : {};
  const watch = new Watch({ alerts, objectives: () => options.objectives, now: () => NOW, ...(options.thresholds ? { thresholds: options.thresholds } : {}), ...stored });
  return { watch, sent, lines };
}

let n = 0;
const run = (over: Partial<RunRecord> = {}): RunRecord => ({ run_id: `r${++n}`, pipeline: 'p', success: true, retries: 0, required_human: false, duration_ms: 100 + (n % 3), tokens: 0, cost_usd: 0, at: NOW - H, ...over });
const step = (r: RunRecord, success: boolean, at = r.at): StepRecord => ({ run_id: r.run_id, pipeline: r.pipeline, step_id: 's', success, required_compensation: false, required_human: false, tool_duration_ms: 1, at });

const watch = suite('reliability: each new run record is watched');

watch('a run far slower than the recent ones is an anomaly, reported once', async () => {
  const { watch, sent } = setup();
  for (let i = 0; i < 20; i++) await watch.observe(run(), []);
  assert.equal(sent, []);
  await watch.observe(run({ duration_ms: 5000 }), []);
  assert.equal(sent.map((a) => [a.type, a.severity, a.source]), [['anomaly_detected', 'critical', 'p.duration_ms']]);
  assert.match(sent[0]!.message, /^p\.duration_ms is 5000 where 10\d\.\d+ was expected/);
});

watch('configured bounds apply beside the z-score', async () => {
  const { watch, sent } = setup({ thresholds: { 'p.cost_usd': { max_value: 1 } } });
  for (let i = 0; i < 10; i++) await watch.observe(run({ cost_usd: 2 }), []);
  assert.equal(sent.map((a) => [a.title, a.severity]), [['Anomaly in p.cost_usd: threshold breach', 'warning']]);
});

watch('a run that breaks the pipeline SLO raises an slo_breach; its budget is a metric rules can watch', async () => {
  const { watch, sent } = setup({ objectives: { success_rate: 0.9 }, rules: [{ name: 'budget-low', metric: 'slo.budget_remaining', op: '<', threshold: 0.5 }] });
  await watch.observe(run(), []);
  assert.equal(sent, []);
  await watch.observe(run({ success: false }), []);
  assert.equal(sent.map((a) => [a.type, a.severity]), [['slo_breach', 'critical'], ['metric_threshold', 'warning']]);
  assert.is(sent[0]!.message, 'p misses success_rate 0.5 (target 0.9)');
});

watch('alert rules see the pipeline metrics of the recent records; a degrading SVR trend warns', async () => {
  const { watch, sent } = setup({ rules: [{ name: 'svr', metric: 'svr', op: '<', threshold: 0.9, pipeline: 'p' }] });
  // Twelve hours, each worse than the one before.
  for (let h = 0; h < 12; h++) {
    const r = run({ at: NOW - (12 - h) * H, success: h < 6 });
    await watch.observe(r, Array.from({ length: 10 }, (_, i) => step(r, i >= h)));
  }
  const types = sent.map((a) => a.type);
  assert.ok(types.includes('metric_threshold'));
  const warning = sent.find((a) => a.type === 'trend_warning')!;
  assert.is(warning.title, 'SVR of p is degrading');
  assert.is(warning.message, 'Hourly SVR of p falls by 10.00 points an hour (R² 1.00)');
});

watch('rules and SLOs look at the last 1,000 records at most: older failures drop out of the window', async () => {
  const rules: AlertRuleInput[] = [
    { name: 'steps', metric: 'svr', op: '<', threshold: 1, cooldown_minutes: 0 },
    { name: 'runs', metric: 'slo.budget_remaining', op: '<', threshold: 1, cooldown_minutes: 0 },
  ];
  const { watch, sent } = setup({ rules, objectives: { success_rate: 0.5 } });
  const fired = () => sent.filter((a) => a.type === 'metric_threshold').length;
  for (let i = 0; i < 2000; i++) {
    const r = run({ success: i >= 1001 });
    await watch.observe(r, [step(r, i >= 1001)]);
  }
  const before = fired();
  assert.ok(before >= 2);
  const last = run();
  await watch.observe(last, [step(last, true)]);
  assert.is(fired(), before);
});

const seeded = suite('reliability: a pipeline\'s window starts from its stored records');

/** Twelve stored runs of about 950 ms, each with one step that succeeded. */
const history = (pipeline = 'p'): RecentRecords => {
  const runs = Array.from({ length: 12 }, (_, i) => run({ pipeline, duration_ms: 940 + (i % 4) * 7, at: NOW - (20 - i) * 60_000 }));
  return { runs, steps: runs.map((r) => step(r, true)) };
};

seeded('a run far slower than the stored ones is an anomaly in a process that saw no other run; the store is read once per pipeline', async () => {
  const reads: Array<[string, number]> = [];
  const { watch, sent } = setup({ stored: async (pipeline, limit) => (reads.push([pipeline, limit]), history(pipeline)) });
  await watch.observe(run({ duration_ms: 12_900 }), []);
  assert.equal(sent.map((a) => [a.type, a.source]), [['anomaly_detected', 'p.duration_ms']]);
  assert.match(sent[0]!.message, /^p\.duration_ms is 12900 where 95\d\.\d+ was expected/);
  assert.is(watch.observe(run({ duration_ms: 950 }), []), undefined);
  await watch.observe(run({ pipeline: 'q', duration_ms: 950 }), []);
  assert.equal(reads, [['p', 1000], ['q', 1000]]);
});

seeded('rules see the stored records in the window and the new one, each run counted once', async () => {
  const rules: AlertRuleInput[] = [{ name: 'svr-low', metric: 'svr', op: '<', threshold: 0.6, cooldown_minutes: 0 }, { name: 'svr-dip', metric: 'svr', op: '<', threshold: 0.95, cooldown_minutes: 0 }];
  const failed = run({ success: false, duration_ms: 950 });
  let release = (): void => undefined;
  const stored = history();
  // The failed run's own record reached the store while the window was read.
  stored.runs.push(failed);
  stored.steps.push(step(failed, false));
  const { watch, sent } = setup({ rules, stored: () => new Promise((resolve) => (release = () => resolve(stored))) });
  const first = watch.observe(failed, [step(failed, false)]);
  const second = run({ duration_ms: 950 });
  const both = watch.observe(second, [step(second, true)]);
  assert.is(both, first);
  release();
  await both;
  assert.equal(sent.map((a) => [a.rule, a.message]), [['svr-dip', 'svr is 0.9231 for p (< 0.95)'], ['svr-dip', 'svr is 0.9286 for p (< 0.95)']]);
});

seeded('a store that cannot be read leaves the window to this process\'s runs, and says so', async () => {
  const { watch, sent, lines } = setup({ rules: [{ name: 'svr-low', metric: 'svr', op: '<', threshold: 0.6, cooldown_minutes: 0 }], stored: async () => Promise.reject(new Error('connection refused')) });
  const failed = run({ success: false });
  await watch.observe(failed, [step(failed, false)]);
  assert.equal(sent.map((a) => a.message), ['svr is 0 for p (< 0.6)']);
  assert.equal(lines.map(([level, message]) => [level, message]), [['warn', "the alert and anomaly window of p holds only this process's runs: its stored runs could not be read: connection refused"]]);
});

seeded('every metric a rule may name is in the snapshot the rules see', async () => {
  const rules = WATCHED_METRICS.map((metric): AlertRuleInput => ({ name: metric, metric, op: '>', threshold: -1, cooldown_minutes: 0 }));
  const { watch, sent } = setup({ rules, objectives: { success_rate: 0.9 }, stored: async () => history() });
  const last = run({ tokens: 10, duration_ms: 950 });
  await watch.observe(last, [step(last, true)]);
  assert.equal(sent.map((a) => a.rule).sort(), [...WATCHED_METRICS].sort());
});

const processes = suite('reliability: the watch of one process sees the runs other processes stored');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs pipeline `name` (one step, `s`) once: the step takes `ms` and succeeds or throws. */
async function runOnce(kernel: Kernel, name: string, ms: number, ok = true): Promise<void> {
  const steps = { S: async (): Promise<JsonObject> => (await sleep(ms), ok ? {} : Promise.reject(new Error('no'))) };
  const pipeline = kernel.services.get('pipeline');
  await pipeline.run(await pipeline.parse({ name, steps: [{ id: 's', step_class: 'S' }], flow: { start_at: 's' } }, { steps }), { steps });
}

processes('anomalies and rules of a second kernel on the same store count the first one\'s runs', async () => {
  const dir = tempDir();
  const rules = [
    { name: 'svr-low', metric: 'svr', op: '<', threshold: 0.6, pipeline: 'q', cooldown_minutes: 0 },
    { name: 'svr-dip', metric: 'svr', op: '<', threshold: 0.8, pipeline: 'q', cooldown_minutes: 0 },
  ];
  const first = await bootSql({ alerts: { rules } }, dir);
  // Opened before the runs, so that no run's duration includes opening the database.
  await first.services.get('storage').records();
  for (let i = 0; i < 12; i++) await runOnce(first, 'p', 20);
  for (let i = 0; i < 8; i++) await runOnce(first, 'q', 0, i < 7);
  await first.services.get('reliability').flush();
  // The 20 ms runs may still vary enough on a busy machine to be flagged; the rules must not fire.
  const before = await first.services.get('reliability').alerts.list();
  assert.equal(before.filter((a) => a.type !== 'anomaly_detected'), []);
  await first.close();

  const second = await bootSql({ alerts: { rules } }, dir);
  await second.services.get('storage').records();
  await runOnce(second, 'p', 1500);
  await runOnce(second, 'q', 0, false);
  const reliability = second.services.get('reliability');
  await reliability.flush();
  const raised = (await reliability.alerts.list()).filter((a) => !before.some((b) => b.id === a.id));
  assert.equal(raised.map((a) => [a.type, a.rule, a.source]), [['anomaly_detected', null, 'p.duration_ms'], ['metric_threshold', 'svr-dip', 'q']]);
  assert.is(raised[1]!.message, 'svr is 0.7778 for q (< 0.8)');
  await second.close();
});

watch.run();
seeded.run();
processes.run();
