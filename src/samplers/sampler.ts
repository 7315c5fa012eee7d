import type { Space } from '../space/space.js';
import type { Direction, Params, TrialPlan, TrialRecord } from '../core/types.js';
import type { Rng } from '../core/rng.js';

/** What a sampler sees: the space and a read-only snapshot of the study's trials (running ones included). */
export interface SamplerContext {
  readonly space: Space;
  readonly direction: Direction;
  /**
   * Every objective's direction in a multi-objective study (trials then carry `values`); absent or of length one:
   * `direction` alone. Single-objective samplers are never given several (spec compile refuses them).
   */
  readonly directions?: readonly Direction[];
  /** All trials so far, in number order; running/waiting ones have no value yet. */
  readonly trials: readonly TrialRecord[];
  /** Seeded generator for this proposal (derived from study seed and trial number). */
  readonly rng: Rng;
}

/**
 * Proposes configurations. Pure: it never writes storage and never stops a trial.
 * State that must survive restarts goes into trial attrs (returned in `attrs`), namespaced by sampler.
 */
export interface Sampler {
  readonly name: string;
  /** Trials known up front (grid, stage plans): enqueued once so N workers never evaluate a point twice. */
  plan?(ctx: SamplerContext): TrialPlan[];
  /** The next configuration, or null when the sampler has nothing more to propose. */
  sample?(ctx: SamplerContext): { params: Params; attrs?: Readonly<Record<string, unknown>> } | null;
}
