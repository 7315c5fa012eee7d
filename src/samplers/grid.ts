import type { Sampler, SamplerContext } from './sampler.js';
import type { TrialPlan } from '../core/types.js';

/** Options of the grid sampler. */
export interface GridOptions {
  /** Values per continuous axis (finite axes use all their values). */
  readonly pointsPerAxis?: number;
  /** Seeds each grid point is trained with. */
  readonly seeds: readonly number[];
  /** Budget of every trial. */
  readonly budget: number | null;
}

/** The full factorial grid, enqueued up front so that any number of workers evaluates each point once. */
export function gridSampler(options: GridOptions): Sampler {
  return {
    name: 'grid',
    plan(ctx: SamplerContext): TrialPlan[] {
      const out: TrialPlan[] = [];
      for (const seed of options.seeds) {
        for (const params of ctx.space.grid(options.pointsPerAxis ?? 5)) out.push({ params, seed, budget: options.budget });
      }
      return out;
    },
  };
}
