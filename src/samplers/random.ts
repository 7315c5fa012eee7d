import type { Sampler } from './sampler.js';

/** Independent uniform draws (log-uniform on log axes) from the space; the study's trial limit ends it. */
export function randomSampler(): Sampler {
  return {
    name: 'random',
    sample: (ctx) => ({ params: ctx.space.sample(ctx.rng) }),
  };
}
