import { InputError } from '../core/errors.js';
import { distributionFromSpec, type Distribution, type DistributionSpec } from '../space/distribution.js';
import { Space } from '../space/space.js';
import type { Sampler } from '../samplers/sampler.js';
import type { Storage } from '../storage/storage.js';
import { deriveSeed, Rng } from '../core/rng.js';
import type { EngineEvents, WorkerSummary } from './engine.js';
import { objectiveRunner, type Objective } from './objective-runner.js';
import { Suggester } from './suggest.js';
import type { Metrics, StudyRecord, TrialRecord } from '../core/types.js';

/** Trial attr holding the distributions a define-by-run trial asked for (name → DistributionSpec). */
export const ASKED_SPACE_ATTR = 'define_by_run.space';

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The space a define-by-run study has shown so far: every parameter some trial asked for, in order of first
 * appearance, with its latest distribution (an objective may change a range between runs). Partial: a trial has
 * only the parameters its objective asked for, and samplers model each on the trials that have it.
 */
export function spaceOfTrials(trials: readonly TrialRecord[]): Space {
  const order: string[] = [];
  const latest = new Map<string, Distribution>();
  for (const t of trials) {
    const asked = t.attrs[ASKED_SPACE_ATTR];
    if (!isObject(asked)) continue;
    for (const [name, spec] of Object.entries(asked)) {
      if (!latest.has(name)) order.push(name);
      try {
        latest.set(name, distributionFromSpec(spec as DistributionSpec));
      } catch {
        // A malformed record (written by hand) is passed over rather than stopping the study.
      }
    }
  }
  return new Space(new Map(order.filter((n) => latest.has(n)).map((n) => [n, latest.get(n) as Distribution])), { partial: true });
}

/** What a define-by-run optimisation needs. */
export interface DefineByRunOptions {
  readonly storage: Storage;
  readonly study: StudyRecord;
  readonly sampler: Sampler;
  readonly workerId: string;
  readonly seed: number;
  readonly objective: Objective;
  readonly nTrials: number;
  readonly maxStudyTrials?: number;
  readonly signal?: AbortSignal;
  readonly events?: EngineEvents;
}

/**
 * Runs `nTrials` define-by-run trials, one after the other. Before each, the sampler proposes a configuration
 * over the parameters earlier trials asked for; the objective's suggest calls take the proposal's values and
 * draw new parameters from their distributions. The trial is recorded when the objective returns, with exactly
 * the parameters it asked for (its params are known only then), its reported steps, and its outcome.
 */
export async function optimizeDefineByRun(o: DefineByRunOptions): Promise<WorkerSummary> {
  const counts = { complete: 0, pruned: 0, failed: 0 };
  for (let i = 0; i < o.nTrials; i++) {
    if (o.signal?.aborted) return { ...counts, interrupted: true };
    const trials = await o.storage.listTrials(o.study.id);
    if (o.maxStudyTrials !== undefined && trials.length >= o.maxStudyTrials) break;
    const number = trials.length;
    const space = spaceOfTrials(trials);
    const proposal = space.names.length > 0 ? o.sampler.sample?.({ space, direction: o.study.direction, directions: o.study.objectives.map((x) => x.direction), trials, rng: new Rng(deriveSeed(o.seed, 'sampler', number)) }) : null;
    if (proposal === null && space.names.length > 0 && o.sampler.sample) throw new InputError(`Sampler \`${o.sampler.name}\` has nothing more to propose`);
    const suggester = new Suggester(proposal?.params ?? {}, new Rng(deriveSeed(o.seed, 'define-by-run', number)));
    const steps: { step: number; metrics: Metrics }[] = [];
    const seed = deriveSeed(o.seed, 'trial', number);
    const controller = new AbortController();
    const onAbort = (): void => controller.abort();
    o.signal?.addEventListener('abort', onAbort);
    let outcome;
    try {
      const runner = objectiveRunner(o.objective, o.study.metric, () => suggester, o.study.objectives.length);
      const report = (step: number, metrics: Metrics): void => void steps.push({ step, metrics });
      outcome = await runner.run({ trialId: 0, number, params: suggester.params, seed, budget: null }, { signal: controller.signal, report });
    } finally {
      o.signal?.removeEventListener('abort', onAbort);
    }
    const t = await o.storage.createRunningTrial(o.study.id, o.workerId, {
      params: { ...suggester.params },
      seed,
      budget: null,
      attrs: { ...(proposal?.attrs ?? {}), [ASKED_SPACE_ATTR]: suggester.dists },
    });
    o.events?.onTrialStart?.(t);
    for (const s of steps) await o.storage.reportStep(t.id, o.workerId, s.step, s.metrics);
    await o.storage.finishTrial(t.id, o.workerId, outcome);
    counts[outcome.state]++;
    const done = await o.storage.getTrial(t.id);
    if (done) o.events?.onTrialEnd?.(done);
  }
  return { ...counts, interrupted: o.signal?.aborted ?? false };
}
