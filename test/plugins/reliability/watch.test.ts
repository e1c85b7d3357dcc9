import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { callbackChannel } from '../../../plugins/reliability/alert-channels.js';
import { AlertManager, type Alert, type AlertRuleInput } from '../../../plugins/reliability/alerts.js';
import type { RunRecord, StepRecord } from '../../../plugins/reliability/records.js';
import type { Objectives } from '../../../plugins/reliability/slo.js';
import { Watch } from '../../../plugins/reliability/watch.js';
import { MemoryKeyValueStore } from '../../../plugins/store-memory/index.js';
import { recorder } from './logs.js';

const H = 36e5;
const NOW = 1000 * H;

function setup(options: { rules?: AlertRuleInput[]; objectives?: Objectives; thresholds?: Record<string, { max_value: number }> } = {}) {
  const { logger } = recorder();
  const kv = new MemoryKeyValueStore();
  const alerts = new AlertManager({ kv: async () => kv, logger, rules: options.rules ?? [], now: () => NOW });
  const sent: Alert[] = [];
  alerts.addChannel(callbackChannel('cb', (a) => void sent.push(a)));
  const watch = new Watch({ alerts, objectives: () => options.objectives, now: () => NOW, ...(options.thresholds ? { thresholds: options.thresholds } : {}) });
  return { watch, sent };
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

watch.run();
