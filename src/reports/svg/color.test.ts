import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interpolateViridis } from 'd3-scale-chromatic';
import { contrastRatio, rampColor, textColorOn, valueColorScale, VIRIDIS } from './color.js';

test('rampColor: the ends are the first and last stops, clamped, NaN grey', () => {
  assert.equal(rampColor(0), VIRIDIS[0]);
  assert.equal(rampColor(1), VIRIDIS[VIRIDIS.length - 1]);
  assert.equal(rampColor(-3), VIRIDIS[0]);
  assert.equal(rampColor(7), VIRIDIS[VIRIDIS.length - 1]);
  assert.equal(rampColor(0.5), VIRIDIS[4]);
  assert.equal(rampColor(NaN), '#999999');
  assert.match(rampColor(0.33), /^#[0-9a-f]{6}$/);
});

test('valueColorScale: the better end is bright whatever the direction', () => {
  const max = valueColorScale([0.9, 0.95, 1.0], 'maximize');
  assert.equal(max.position(1.0), 1);
  assert.equal(max.position(0.9), 0);
  assert.equal(max.color(1.0), VIRIDIS[VIRIDIS.length - 1]);
  const min = valueColorScale([0.1, 0.5, 2], 'minimize');
  assert.equal(min.position(0.1), 1);
  assert.equal(min.position(2), 0);
  assert.equal(min.color(0.1), VIRIDIS[VIRIDIS.length - 1]);
  assert.equal(valueColorScale([3, 3], 'maximize').position(3), 1, 'a single value is the best');
  assert.ok(Number.isNaN(max.position(NaN)));
});

test('textColorOn picks the readable ink', () => {
  assert.equal(textColorOn('#440154'), '#ffffff');
  assert.equal(textColorOn('#fde725'), '#000000');
});

test('every colour of the ramp (d3\'s viridis, 256 samples) carries a label in the ink textColorOn picks at WCAG AA (4.5:1)', () => {
  let worst = Infinity;
  for (let i = 0; i <= 255; i++) {
    const bg = rampColor(i / 255);
    assert.equal(bg, interpolateViridis(i / 255));
    worst = Math.min(worst, contrastRatio(textColorOn(bg), bg));
  }
  assert.ok(worst >= 4.5, `lowest contrast ${worst.toFixed(2)}`);
  assert.equal(textColorOn(VIRIDIS[0] as string), '#ffffff', 'white on the dark end');
});

test('valueColorScale colours through viridis in between, grey for NaN', () => {
  const max = valueColorScale([0, 10], 'maximize');
  assert.equal(max.color(2.5), interpolateViridis(0.25));
  assert.equal(max.color(99), VIRIDIS[VIRIDIS.length - 1], 'clamped');
  assert.equal(max.color(NaN), '#999999');
  assert.equal(valueColorScale([0, 10], 'minimize').color(2.5), interpolateViridis(0.75));
  assert.equal(valueColorScale([3, 3], 'minimize').color(3), VIRIDIS[VIRIDIS.length - 1]);
});
