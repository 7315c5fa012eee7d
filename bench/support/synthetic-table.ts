import { Rng } from '../../src/core/rng.js';

/**
 * A synthetic long table for benchmarks and tests (same format as the FCNet tables): 4 params (2 categorical),
 * `seeds` seeds, a smooth loss plus uniform noise of the given amplitude; minimum at gelu, adam, lr≈0.003, 128 units.
 */
export function syntheticTableCsv(seeds: number, noiseAmplitude: number, rngSeed = 42): string {
  const lines = ['act,opt,lr,units,seed,loss'];
  const noise = new Rng(rngSeed);
  for (const act of ['relu', 'tanh', 'gelu'])
    for (const opt of ['sgd', 'adam'])
      for (const lr of [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1])
        for (const units of [16, 32, 64, 128, 256, 512])
          for (let seed = 0; seed < seeds; seed++) {
            const v = (act === 'gelu' ? 0 : 0.3) + (opt === 'adam' ? 0 : 0.2) + (Math.log10(lr) + 2.5) ** 2 * 0.3 + (Math.log2(units) - 7) ** 2 * 0.05 + noise.next() * noiseAmplitude;
            lines.push(`${act},${opt},${lr},${units},${seed},${v}`);
          }
  return lines.join('\n');
}
