// The conditional toy problem the sampler tests and bench/conditional-space.ts share.
import { Space } from '../../src/space/space.js';
import type { ParamSpec } from '../../src/space/condition.js';
import type { Params } from '../../src/core/types.js';

/** num_layers 1..3 with units_i (i ≤ num_layers); model fnn | cnn, where cnn has filters, and filters 32 a kernel. */
export const conditionalToySpace = Space.fromSpec({
  num_layers: { type: 'int', low: 1, high: 3 },
  units_1: { type: 'series', values: [32, 64, 128, 256] },
  units_2: { type: 'series', values: [32, 64, 128, 256], when: { parent: 'num_layers', min: 2 } },
  units_3: { type: 'series', values: [32, 64, 128, 256], when: { parent: 'num_layers', min: 3 } },
  lr: { type: 'float', low: 1e-4, high: 1e-1, log: true },
  model: { type: 'categorical', choices: ['fnn', 'cnn'] },
  filters: { type: 'categorical', choices: [16, 32], when: { parent: 'model', values: ['cnn'] } },
  kernel: { type: 'float', low: 0, high: 1, when: { parent: 'filters', values: [32] } },
} satisfies Record<string, ParamSpec>);

/** Best at 2 layers of 128 then 64, lr 1e-2, cnn with 32 filters and kernel 0.3 (0 is reachable; each miss costs). */
export const conditionalToyObjective = (p: Params): number => {
  let v = Math.abs(Number(p['num_layers']) - 2) + Math.abs(Math.log2(Number(p['units_1']) / 128)) + Math.abs(Math.log10(Number(p['lr'])) + 2);
  if (p['units_2'] !== undefined) v += Math.abs(Math.log2(Number(p['units_2']) / 64));
  if (p['units_3'] !== undefined) v += Math.abs(Math.log2(Number(p['units_3']) / 64));
  if (p['model'] === 'fnn') return v + 1.5;
  if (p['filters'] === 16) return v + 1;
  return v + 3 * Math.abs(Number(p['kernel']) - 0.3);
};
