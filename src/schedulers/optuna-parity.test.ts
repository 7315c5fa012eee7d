import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { Direction } from '../core/types.js';
import { Rng } from '../core/rng.js';
import type { Scheduler } from './scheduler.js';
import { MedianStoppingScheduler } from './median.js';
import { SuccessiveHalvingScheduler } from './successive-halving.js';
import { HyperbandScheduler } from './hyperband.js';
import { SimulatedStudy } from './simulate.js';
import { pythonPath } from '../../bench/support/python.js';
import * as peers from '../../test/support/peers.js';

// Debian's python3 has Optuna; the first python3 on PATH may not (HZ_PYTHON chooses).
const PY = pythonPath();
const skip = peers.skipUnless(peers.optuna());

/** Runs the same curves through an Optuna pruner: steps run per trial (a stop at the last step is not asked for). */
const SCRIPT = `
import json, sys, optuna
optuna.logging.set_verbosity(optuna.logging.ERROR)
cfg = json.loads(sys.stdin.read())
P = cfg["pruner"]
if P["type"] == "hyperband":
    pruner = optuna.pruners.HyperbandPruner(min_resource=P["min"], max_resource=P["max"], reduction_factor=P["eta"])
elif P["type"] == "median":
    pruner = optuna.pruners.MedianPruner(n_startup_trials=P["startup"], n_warmup_steps=P["warmup"], interval_steps=P["interval"])
else:
    pruner = optuna.pruners.SuccessiveHalvingPruner(min_resource=P["min"], reduction_factor=P["eta"], min_early_stopping_rate=P["rate"])
study = optuna.create_study(study_name="parity", direction=cfg["direction"], pruner=pruner, sampler=optuna.samplers.RandomSampler(seed=0))
curves = cfg["curves"]
out = []
for c in curves:
    t = study.ask()
    n = 0
    pruned = False
    for s, v in enumerate(c, start=1):
        t.report(v, s)
        n = s
        if s < len(c) and t.should_prune():
            pruned = True
            break
    if pruned:
        study.tell(t, state=optuna.trial.TrialState.PRUNED)
    else:
        study.tell(t, c[-1])
    out.append(n)
print(json.dumps(out))
`;

function optunaSteps(curves: number[][], direction: Direction, pruner: Record<string, unknown>): number[] {
  const r = spawnSync(PY, ['-c', SCRIPT], { input: JSON.stringify({ curves, direction, pruner }), encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as number[];
}

async function oursSteps(curves: number[][], direction: Direction, scheduler: Scheduler): Promise<number[]> {
  const sim = new SimulatedStudy(scheduler, direction);
  const out: number[] = [];
  for (const [i, c] of curves.entries()) out.push((await sim.run({ i }, (s) => c[s - 1] as number, c.length)).steps);
  return out;
}

/** Learning curves whose ranking changes over time (crossings), so rung decisions are not trivial. */
function curves(seed: number, n: number, steps: number): number[][] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => {
    const q = rng.next(), speed = 1 + 5 * rng.next();
    return Array.from({ length: steps }, (_, k) => q * (1 - Math.exp(-(k + 1) / speed)) + 0.03 * rng.normal());
  });
}

const cases: { name: string; ours: () => Scheduler; optuna: Record<string, unknown> }[] = [
  { name: 'median (startup 5, warm-up 2, interval 3)', ours: () => new MedianStoppingScheduler({ nStartupTrials: 5, nWarmupSteps: 2, intervalSteps: 3 }), optuna: { type: 'median', startup: 5, warmup: 2, interval: 3 } },
  { name: 'median (defaults)', ours: () => new MedianStoppingScheduler(), optuna: { type: 'median', startup: 5, warmup: 0, interval: 1 } },
  { name: 'successive halving (min 1, η 3)', ours: () => new SuccessiveHalvingScheduler({ minResource: 1, reductionFactor: 3 }), optuna: { type: 'sh', min: 1, eta: 3, rate: 0 } },
  { name: 'successive halving (min 2, η 2, rate 1)', ours: () => new SuccessiveHalvingScheduler({ minResource: 2, reductionFactor: 2, minEarlyStoppingRate: 1 }), optuna: { type: 'sh', min: 2, eta: 2, rate: 1 } },
  { name: 'hyperband (1..20, η 3)', ours: () => new HyperbandScheduler({ minResource: 1, maxResource: 20, reductionFactor: 3, studyName: 'parity' }), optuna: { type: 'hyperband', min: 1, max: 20, eta: 3 } },
];

for (const c of cases) {
  for (const direction of ['maximize', 'minimize'] as const) {
    test(`same stops as Optuna's pruner: ${c.name}, ${direction}`, { skip }, async () => {
      const cs = curves(direction === 'maximize' ? 3 : 4, 50, 20).map((curve) => (direction === 'maximize' ? curve : curve.map((v) => -v)));
      const theirs = optunaSteps(cs, direction, c.optuna);
      const ours = await oursSteps(cs, direction, c.ours());
      assert.ok(theirs.some((s) => s < 20), 'some trials are stopped');
      assert.deepEqual(ours, theirs);
    });
  }
}
