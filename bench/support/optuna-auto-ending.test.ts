import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { AutoSampler } from '../../src/samplers/auto.js';
import { paramsKey } from '../../src/strategies/zones/common.js';
import { TabularObjective } from '../objectives/tabular.js';
import * as peers from '../../test/support/peers.js';
import { evaluationNoise } from './loop.js';
import { OptunaBridge } from './optuna.js';
import { runOptunaWithAutoEnding } from './optuna-auto-ending.js';
import { syntheticTableCsv } from './synthetic-table.js';

const skip = peers.skipUnless(peers.optuna());
const bridge = skip ? null : OptunaBridge.start();
after(() => bridge?.close());

test("Optuna with auto's ending: auto's re-evaluations close the budget, and the pick has repeated evaluations", { skip, timeout: 120_000 }, async () => {
  const t = await TabularObjective.fromCsvText(syntheticTableCsv(4, 0.3), { metric: 'loss', direction: 'minimize' });
  const budget = 80;
  const seed = 11;
  const r = await runOptunaWithAutoEnding(bridge as OptunaBridge, {
    sampler: 'tpe-multivariate', encoding: 'categorical', space: t.space, direction: t.direction, evaluate: (p, rng) => t.evaluate(p, rng), budget, seed,
  });
  assert.equal(r.trials.length, budget);
  const reserved = new AutoSampler({ trials: budget }).confirmTrialsFor(t.space);
  assert.ok(reserved > 0, 'the budget leaves room for re-evaluations');
  assert.equal(r.reevaluations, reserved);
  // Every re-evaluation repeats a configuration evaluated before it.
  const seen = new Set(r.trials.slice(0, budget - reserved).map((x) => paramsKey(x.params)));
  for (const x of r.trials.slice(budget - reserved)) assert.ok(seen.has(paramsKey(x.params)), `re-evaluation of an unseen ${paramsKey(x.params)}`);
  assert.ok(r.returned);
  const evaluations = r.trials.filter((x) => paramsKey(x.params) === paramsKey(r.returned ?? {})).length;
  assert.ok(evaluations >= 2, `the returned configuration was evaluated ${evaluations} times`);
  // Evaluation i drew its noise from evaluationNoise(seed, i), as hyperzone's runs do.
  r.trials.forEach((x, i) => assert.equal(x.value, t.evaluate(x.params, evaluationNoise(seed, i)), `evaluation ${i}`));
});
