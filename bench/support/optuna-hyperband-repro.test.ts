// Optuna's HyperbandPruner puts a trial in a bracket by crc32(study name + trial number); a study created without a
// name gets a random one, so two runs with the same seed pruned differently (the re-run of Optuna TPE + Hyperband on
// LCBench task 126026 did not reproduce). The bridge names each study after its seed: the same seed, the same run.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Space } from '../../src/space/space.js';
import type { Params } from '../../src/core/types.js';
import * as peers from '../../test/support/peers.js';
import { OptunaBridge } from './optuna.js';
import { runOptunaWithPruner, type CurveProblem } from './multifidelity.js';

const skip = peers.skipUnless(peers.optuna());
const bridge = skip ? null : OptunaBridge.start();
after(() => bridge?.close());

const space = Space.fromSpec({ lr: { type: 'float', low: 1e-4, high: 1, log: true }, width: { type: 'int', low: 8, high: 512 } });
/** A learning curve whose final value depends on both params and whose early epochs rank configurations loosely. */
const curve = (p: Params): number[] => {
  const lr = Math.log10(p['lr'] as number), w = p['width'] as number;
  const final = 0.9 - 0.1 * (lr + 2) ** 2 + 0.0002 * w;
  return Array.from({ length: 27 }, (_, t) => final - (final - 0.1) * Math.exp(-(t + 1) * (0.05 + 0.3 * ((w % 7) / 7))));
};
const problem: CurveProblem = { space, direction: 'maximize', maxEpoch: 27, curve: async (p) => curve(p) };

test('Optuna TPE + Hyperband through the bridge: the same seed gives the same run', { skip, timeout: 120_000 }, async () => {
  const run = (seed: number) => runOptunaWithPruner(bridge as OptunaBridge, {
    sampler: 'tpe', pruner: { type: 'hyperband', min_resource: 1, max_resource: 27, reduction_factor: 3 }, problem, maxCost: 12, seed,
  });
  const a = await run(5);
  const b = await run(5);
  assert.ok(a.length > 3);
  assert.deepEqual(b, a);
});
