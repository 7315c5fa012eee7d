import type { Sampler } from '../../src/samplers/sampler.js';
import type { Scheduler } from '../../src/schedulers/scheduler.js';
import type { Space } from '../../src/space/space.js';
import type { Direction, Params, TrialRecord } from '../../src/core/types.js';
import { SimulatedStudy } from '../../src/schedulers/simulate.js';
import { Rng, deriveSeed } from '../../src/core/rng.js';
import { InputError } from '../../src/core/errors.js';
import type { IncumbentEvent } from './incumbent.js';
import type { OptunaBridge, OptunaPruner, OptunaSamplerName } from './optuna.js';
import { encodeSpaceForOptuna } from './optuna.js';

/** An objective with a learning curve: the value after each epoch 1..maxEpoch (deterministic). */
export interface CurveProblem {
  readonly space: Space;
  readonly direction: Direction;
  readonly maxEpoch: number;
  curve(params: Params): Promise<readonly number[]>;
}

/** The metric name simulated trials report their curve under (BohbSampler must be told it). */
export const SIM_METRIC = 'value';

/**
 * Tracks finished trials and the incumbent a multi-fidelity run would return: the best complete
 * (full-fidelity) trial; before any, the best last value among the trials that ran furthest.
 */
export class IncumbentTracker {
  readonly events: IncumbentEvent[] = [];
  private bestFull: { params: Params; v: number } | null = null;
  private bestPartial: { params: Params; v: number; steps: number } | null = null;
  constructor(private readonly sign: number, private readonly maxEpoch: number) {}

  add(params: Params, steps: number, last: number, epochsUsed: number): void {
    if (steps >= this.maxEpoch) {
      if (this.bestFull === null || this.sign * last < this.sign * this.bestFull.v) this.bestFull = { params, v: last };
    } else if (
      this.bestPartial === null || steps > this.bestPartial.steps
      || (steps === this.bestPartial.steps && this.sign * last < this.sign * this.bestPartial.v)
    ) {
      this.bestPartial = { params, v: last, steps };
    }
    const inc = this.bestFull ?? this.bestPartial;
    if (inc) this.events.push({ cost: epochsUsed / this.maxEpoch, params: inc.params });
  }
}

/**
 * A sequential study with a scheduler (SimulatedStudy, which gives the scheduler an incremental trial source as the
 * engine does): trials run epoch by epoch until `maxCost` full-training equivalents of epochs are trained (or
 * `maxTrials` trials have run); a stopped trial's epochs count as trained. The incumbent after each trial is the best
 * complete trial (before any, the best partial one), with the epochs spent so far / maxEpoch as its cost.
 */
export async function runMultiFidelity(
  sampler: Sampler, scheduler: Scheduler | undefined, pr: CurveProblem, maxCost: number, seed: number, maxTrials = Infinity,
): Promise<{ events: IncumbentEvent[]; epochs: number; trials: number; pruned: number; records: readonly TrialRecord[] }> {
  if (!sampler.sample) throw new InputError(`Sampler \`${sampler.name}\` has no sample()`);
  const sim = new SimulatedStudy(scheduler, pr.direction, SIM_METRIC);
  const track = new IncumbentTracker(pr.direction === 'minimize' ? 1 : -1, pr.maxEpoch);
  let pruned = 0;
  for (let i = 0; i < maxTrials && sim.epochsUsed < maxCost * pr.maxEpoch; i++) {
    const r = sampler.sample({ space: pr.space, direction: pr.direction, trials: sim.trials, rng: new Rng(deriveSeed(seed, i)) });
    if (r === null) break;
    const curve = await pr.curve(r.params);
    const t = await sim.run(r.params, (step) => curve[step - 1] as number, pr.maxEpoch, r.attrs ?? {});
    if (t.stopped) pruned++;
    track.add(r.params, t.steps, curve[t.steps - 1] as number, sim.epochsUsed);
  }
  return { events: track.events, epochs: sim.epochsUsed, trials: sim.trials.length, pruned, records: sim.trials };
}

/**
 * Simulates a sampler + scheduler study (runMultiFidelity) until `maxCost` full-training equivalents are spent;
 * returns the incumbent after each trial.
 */
export async function runWithScheduler(
  sampler: Sampler, scheduler: Scheduler | null, pr: CurveProblem, maxCost: number, seed: number,
): Promise<IncumbentEvent[]> {
  return (await runMultiFidelity(sampler, scheduler ?? undefined, pr, maxCost, seed)).events;
}

/** The same simulation with Optuna choosing configurations and (optionally) pruning, over the bridge. */
export async function runOptunaWithPruner(
  bridge: OptunaBridge,
  opts: { sampler: OptunaSamplerName; pruner: OptunaPruner | null; problem: CurveProblem; maxCost: number; seed: number },
): Promise<IncumbentEvent[]> {
  const pr = opts.problem;
  const enc = encodeSpaceForOptuna(pr.space, 'ordered');
  await bridge.create({ sampler: opts.sampler, seed: opts.seed, direction: pr.direction, distributions: enc.distributions, pruner: opts.pruner });
  const track = new IncumbentTracker(pr.direction === 'minimize' ? 1 : -1, pr.maxEpoch);
  let epochs = 0;
  while (epochs < opts.maxCost * pr.maxEpoch) {
    const t = await bridge.ask();
    const p = enc.decode(t.params);
    const curve = await pr.curve(p);
    let steps = 0;
    let last = NaN;
    let pruned = false;
    for (let s = 1; s <= pr.maxEpoch; s++) {
      last = curve[s - 1] as number;
      steps = s;
      epochs++;
      if (opts.pruner !== null && s < pr.maxEpoch && (await bridge.report(t.number, s, last))) { pruned = true; break; }
    }
    if (pruned) await bridge.tellPruned(t.number);
    else await bridge.tell(t.number, last);
    track.add(p, steps, last, epochs);
  }
  return track.events;
}
