// The small version of bench/zones-detection.ts: a few repetitions of every surface × noise case at the default
// settings (development seeds 1…3, not the reported ones), held to the targets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NOISES, SURFACES, peakCores, runBench, runCase } from './zones-detection.js';

test('zone detection at default settings: recall ≥ 90%, spurious zones ≤ 10% (small run)', () => {
  const r = runBench({ reps: 3, seedBase: 1 });
  assert.ok(r.recall >= 0.9, `recall ${r.recall}`);
  assert.ok(r.spuriousShare <= 0.1, `spurious ${r.spuriousShare}`);
  // The noise is measured, not given: about a fifth more runs than the 91 grid points, plus a few verifications.
  assert.ok(r.meanRuns > 91 + 15 && r.meanRuns < 91 + 30, `runs ${r.meanRuns}`);
});

test('the benchmark can fail: with a noise band 20× too narrow, flat surfaces break into many zones', () => {
  const flat = SURFACES.find((s) => s.name === 'a flat surface');
  const noise = NOISES[1];
  assert.ok(flat && noise);
  const c = runCase(flat, noise, 1, { noiseBand: 0.0007 / 20 });
  assert.ok(c.spurious >= 3, `${c.spurious} spurious zones`);
  // Cores: two separated peaks have disjoint cores, each holding its peak.
  const two = SURFACES.find((s) => s.name === 'two separated peaks');
  assert.ok(two);
  const [a, b] = peakCores(two, () => 0.001);
  assert.ok(a && b && a.has('{"batch_size":32,"units":512}') && b.has('{"batch_size":512,"units":6144}'));
  assert.ok([...a].every((k) => !b.has(k)));
});
