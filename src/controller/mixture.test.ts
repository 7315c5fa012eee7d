import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Mixture } from './mixture.js';
import { normalQuantile } from '../stats/distributions.js';

// Reference values from scipy 1.10.1 (Debian's /usr/bin/python3): F(y) = ½(norm.cdf(y, 0, 1) + norm.cdf(y, 2, 0.5)),
// quantiles by brentq on F, nll = −log(½(norm.pdf(1.3, 0, 1) + norm.pdf(1.3, 2, 0.5))).
const m = new Mixture([{ mean: 0, variance: 1 }, { mean: 2, variance: 0.25 }]);

test('mixture CDF, quantiles and NLL match scipy', () => {
  assert.ok(Math.abs(m.cdf(1) - 0.43204743900836107) < 1e-12);
  assert.ok(Math.abs(m.cdf(-0.3) - 0.19104534513287494) < 1e-12);
  assert.ok(Math.abs(m.quantile(0.9) - 2.4342881796307134) < 1e-8);
  assert.ok(Math.abs(m.quantile(0.025) - -1.6448536269529785) < 1e-8);
  assert.ok(Math.abs(m.nll(1.3) - 1.4464191208346981) < 1e-12);
});

test('mixture moments, intervals and the probability of beating a threshold', () => {
  assert.equal(m.mean, 1);
  assert.ok(Math.abs(m.variance - (0.5 * (1 + 1) + 0.5 * (0.25 + 1))) < 1e-12);
  const one = new Mixture([{ mean: 3, variance: 4 }]);
  const [lo, hi] = one.interval(0.95);
  assert.ok(Math.abs(lo - (3 + 2 * normalQuantile(0.025))) < 1e-8);
  assert.ok(Math.abs(hi - (3 + 2 * normalQuantile(0.975))) < 1e-8);
  assert.ok(Math.abs(one.probabilityBetter(3, 'maximize') - 0.5) < 1e-12);
  assert.ok(one.probabilityBetter(7, 'maximize') < 0.03);
  assert.ok(one.probabilityBetter(7, 'minimize') > 0.97);
  assert.throws(() => new Mixture([]), /at least one/);
  assert.throws(() => new Mixture([{ mean: 0, variance: 0 }]), /bad component/);
});
