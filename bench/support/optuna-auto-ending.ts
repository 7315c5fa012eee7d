import { AutoSampler } from '../../src/samplers/auto.js';
import type { Space } from '../../src/space/space.js';
import type { Direction, Params, TrialRecord } from '../../src/core/types.js';
import { Rng, deriveSeed } from '../../src/core/rng.js';
import type { Evaluate } from './incumbent.js';
import { evaluationNoise, makeTrial } from './loop.js';
import { encodeSpaceForOptuna, type OptunaBridge, type OptunaEncoding, type OptunaSamplerName } from './optuna.js';

/** What one run of Optuna with auto's ending did: every evaluation (re-evaluations included) and the returned configuration. */
export interface OptunaAutoEndingRun {
  readonly trials: readonly TrialRecord[];
  /** Evaluations chosen by auto's confirmation rather than asked of Optuna. */
  readonly reevaluations: number;
  readonly returned: Params | null;
}

/**
 * Optuna's search with `auto`'s ending, for a budget of `budget` evaluations: in the last evaluations
 * AutoSampler's own `confirmStep` chooses re-evaluations (instead of asking Optuna), and its
 * `returnedConfiguration` picks the answer, so that this and `auto` differ by their search alone. Evaluation i
 * draws its noise from `evaluationNoise(seed, i)`, as every hyperzone run does. The re-evaluations are not told
 * to Optuna: they come after its last proposal.
 */
export async function runOptunaWithAutoEnding(
  bridge: OptunaBridge,
  opts: { sampler: OptunaSamplerName; encoding: OptunaEncoding; space: Space; direction: Direction; evaluate: Evaluate; budget: number; seed: number },
): Promise<OptunaAutoEndingRun> {
  const { space, direction, seed } = opts;
  const enc = encodeSpaceForOptuna(space, opts.encoding);
  const ending = new AutoSampler({ trials: opts.budget });
  await bridge.create({ sampler: opts.sampler, seed, direction, distributions: enc.distributions });
  const trials: TrialRecord[] = [];
  let reevaluations = 0;
  for (let i = 0; i < opts.budget; i++) {
    const again = ending.confirmStep({ space, direction, trials, rng: new Rng(deriveSeed(seed, i)) });
    let params: Params;
    let told: number | null = null;
    if (again) {
      params = again.params;
      reevaluations++;
    } else {
      const t = await bridge.ask();
      params = enc.decode(t.params);
      told = t.number;
    }
    const v = await opts.evaluate(params, evaluationNoise(seed, i));
    if (told !== null) await bridge.tell(told, v);
    trials.push(makeTrial(i, params, v));
  }
  return { trials, reevaluations, returned: ending.returnedConfiguration(trials, space, direction)?.params ?? null };
}
