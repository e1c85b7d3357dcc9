import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AnomalyDetector, detect, type Threshold } from '../../../plugins/reliability/anomaly.js';
import type { Point } from '../../../plugins/reliability/trend.js';

const series = (values: number[]): Point[] => values.map((value, at) => ({ at, value }));
const base10 = [10, 12, 10, 12, 10, 12, 10, 12, 10, 12]; // mean 11, sd ≈ 1.054
const an = suite('reliability: anomaly detection');

const cases: Array<[string, number[], Threshold, Array<[string, string]>]> = [
  ['fewer than 10 values: nothing', [1, 2, 100], { max_value: 5 }, []],
  ['a value inside the band: nothing', [...base10, 11], {}, []],
  ['z just above 3 is a medium spike', [...base10, 14.3], {}, [['sudden_spike', 'medium']]],
  ['z above 4 is high', [...base10, 15.5], {}, [['sudden_spike', 'high']]],
  ['z above 5 is a critical drop', [...base10, 5], {}, [['sudden_drop', 'critical']]],
  ['a flat baseline skips the z-score', [...Array(10).fill(3), 9], {}, []],
  ['above max_value is a breach with its severity', [...base10, 12], { max_value: 11, severity: 'high' }, [['threshold_breach', 'high']]],
  ['below min_value is a breach, default medium', [...base10, 10], { min_value: 11 }, [['threshold_breach', 'medium']]],
  ['a change beyond max_deviation_percent is a pattern change', [...base10, 10.5], { max_deviation_percent: 10 }, [['pattern_change', 'medium']]],
  ['no rate of change from a previous 0', [...base10.slice(0, 9), 0, 11], { max_deviation_percent: 10 }, []],
  ['a change within max_deviation_percent is fine', [...base10, 12.5], { max_deviation_percent: 10 }, []],
];
for (const [name, values, threshold, expected] of cases) {
  an(name, () => assert.equal(detect('m', series(values), threshold).map((a) => [a.type, a.severity]), expected));
}
an('deviation and expected values', () => {
  const [breach] = detect('m', series([...base10, 15]), { max_value: 12 }, { z: 100 });
  assert.equal([breach!.deviation, breach!.expected, breach!.value, breach!.at, breach!.metric], [25, 12, 15, 10, 'm']);
  const [low] = detect('m', series([...base10, 8]), { min_value: 10 }, { z: 100 });
  assert.is(low!.deviation, 20);
});
an('the baseline is the last `window` values before the latest', () => {
  const values = [...Array(50).fill(100), ...base10, 14.3];
  assert.equal(detect('m', series(values), {}, { window: 10 }).map((a) => a.type), ['sudden_spike']);
});
an('the same latest point is reported once', () => {
  const detector = new AnomalyDetector();
  const s = series([...base10, 20]);
  assert.is(detector.check('m', s).length, 1);
  assert.is(detector.check('m', s).length, 0);
  assert.is(detector.check('m', [...s, { at: 11, value: 30 }]).length, 1);
  assert.is(detector.check('m', series([...base10, 11])).length, 0);
  assert.is(detector.check('m', []).length, 0);
});

an.run();
