import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ResultSet } from '../results/index.js';
import { renderZonesReport } from './zones-report.js';

/** A confirm document with only its compute table: what the report's last lines are drawn from. */
function withCompute(compute: ResultSet['compute']): ResultSet {
  return { compute } as unknown as ResultSet;
}

test('the compute table says image-epochs are unknown when the training-set size is (a command trainer without sampler.train_size)', () => {
  const known = renderZonesReport({ confirm: withCompute({ zones: { trials: 2, epochs: 8, image_epochs: 76_800, wall_seconds: 5 } }) });
  assert.match(known, /76,800/);
  assert.doesNotMatch(known, /unknown/);
  const unknown = renderZonesReport({ confirm: withCompute({ zones: { trials: 2, epochs: 8, image_epochs: 0, wall_seconds: 5 } }) });
  assert.match(unknown, /unknown \(set sampler\.train_size\)/);
  const none = renderZonesReport({ confirm: withCompute({ confirm: { trials: 0, epochs: 0, image_epochs: 0, wall_seconds: 0 } }) });
  assert.doesNotMatch(none, /unknown/, 'no epochs spent: zero image-epochs is exact');
});
