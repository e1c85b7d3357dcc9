import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { trend, type Point } from '../../../plugins/reliability/trend.js';

const H = 36e5;
const series = (values: number[], spacing = H): Point[] => values.map((value, i) => ({ at: 1e12 + i * spacing, value }));
const tr = suite('reliability: trend analysis (least squares)');

const cases: Array<[string, Point[], { direction: string; strength: string } | null]> = [
  ['fewer than 10 points: null', series([1, 2, 3]), null],
  ['a flat series is stable', series(Array(10).fill(0.9)), { direction: 'stable', strength: 'weak' }],
  ['a rising line is improving, strongly', series([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), { direction: 'improving', strength: 'strong' }],
  ['a falling line is degrading', series([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]), { direction: 'degrading', strength: 'strong' }],
  ['noise around a level is volatile', series([1, 5, 1, 5, 1, 5, 1, 5, 1, 5]), { direction: 'volatile', strength: 'weak' }],
  ['a tiny but clean slope is stable', series([1, 1.0001, 1.0002, 1.0003, 1.0004, 1.0005, 1.0006, 1.0007, 1.0008, 1.0009]), { direction: 'stable', strength: 'strong' }],
  ['all points at one time: slope 0, R² 0', series([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0), { direction: 'volatile', strength: 'weak' }],
  ['a noisy rise (R² 0.45) is moderate', series([1, 2, 1, 3, 2, 4, 3, 5, 2, 4]), { direction: 'improving', strength: 'moderate' }],
  ['a noisier rise (R² 0.37) is weak', series([1, 3, 2, 4, 3, 5, 2, 6, 3, 5]), { direction: 'improving', strength: 'weak' }],
];
for (const [name, points, expected] of cases) {
  tr(name, () => {
    const t = trend(points);
    assert.equal(t && { direction: t.direction, strength: t.strength }, expected);
  });
}
tr('slope per hour, intercept, R², prediction an hour past the last point, sample sd', () => {
  const t = trend(series([1, 3, 5]), { min_points: 3 })!;
  assert.equal([t.slope, t.intercept, t.r2, t.predicted_value, t.volatility, t.points], [2, 1, 1, 7, 2, 3]);
  assert.is(trend(series([4, 2]).reverse(), { min_points: 1 })!.slope, -2);
  assert.is(trend(series([1]), { min_points: 1 }), null);
});

tr.run();
