// What the zone strategy's defaults cost on the article's 13 × 7 grid at 40 epochs, in epochs per stage, on the
// synthetic surfaces of bench/zones-detection.ts (seed noise sd 0.0007, step:7 worth +0.002), against the
// article's full grid at 40 epochs (91 × 40 = 3,640 epochs); each stage's share, what stages 2–4 cost alone (the
// floor no stage-1 change can go under), and the true value (the surface without noise) of the configuration
// stage 4 selects, as the gap to the best true value on the grid with the best schedule.
// Usage: npx tsx bench/zones-cost.ts [--seeds 1] [--split-parts 8] [--top-k 5]   (options other than defaults: a variant)
import { fileURLToPath } from 'node:url';
import { emptyResultSet } from '../src/results/index.js';
import { defaultZoneSpace, runZoneStrategy, type ZoneOptions } from '../src/strategies/zones/index.js';
import { syntheticEvaluate } from '../src/strategies/zones/testkit.js';
import type { Params } from '../src/core/types.js';
import type { ConfirmOutput } from '../src/strategies/zones/confirm.js';
import { BATCH, SURFACES, UNITS, type Surface } from './zones-detection.js';

export const FULL_GRID_EPOCHS = 91 * 40;
const STAGES = ['zones', 'refine', 'schedules', 'confirm'] as const;
const BONUS = 0.002;

export interface CostResult {
  readonly epochs: Record<string, number>;
  readonly runs: Record<string, number>;
  readonly total: number;
  readonly gap: number;
}

/** One run of the whole strategy on a surface: epochs per stage and the true value of the pick below the best. */
export async function costOf(surface: Surface, seed: number, options: ZoneOptions = {}): Promise<CostResult> {
  const truth = (p: Params): number => surface.f(Math.log2(Number(p.units)), Math.log2(Number(p.batch_size))) + (p.lr_schedule === 'step:7' ? BONUS : 0);
  const start = emptyResultSet(defaultZoneSpace().toJSON(), { metric: 'val_accuracy', direction: 'maximize' }, {});
  const evaluate = async (plan: Parameters<typeof syntheticEvaluate>[1], stage: string) => syntheticEvaluate({ f: truth, sd: 0.0007 }, plan, stage);
  const res = await runZoneStrategy(evaluate, start, { epochs: 40, trainSize: 48_000, valSize: 12_000, seed, ...options });
  const c = res.final.compute ?? {};
  const epochs = Object.fromEntries(STAGES.map((s) => [s, c[s]?.epochs ?? 0]));
  const runs = Object.fromEntries(STAGES.map((s) => [s, c[s]?.trials ?? 0]));
  const out = res.final.stage_output as unknown as ConfirmOutput;
  const pick = out.configs.find((x) => x.label === out.best)?.params as Params;
  const bestTrue = Math.max(...UNITS.flatMap((u) => BATCH.map((b) => truth({ units: u, batch_size: b, lr_schedule: 'step:7' }))));
  return { epochs, runs, total: Object.values(epochs).reduce((a, b) => a + b, 0), gap: bestTrue - truth(pick) };
}

async function main(): Promise<void> {
  const arg = (name: string): string | undefined => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const seeds = Number(arg('seeds') ?? '1');
  const options: ZoneOptions = {
    ...(arg('split-parts') ? { splitParts: Number(arg('split-parts')) } : {}),
    ...(arg('top-k') ? { topK: Number(arg('top-k')) } : {}),
  };
  console.log(`Options: ${JSON.stringify(options) === '{}' ? 'defaults' : JSON.stringify(options)}; seeds 7…${6 + seeds} (mean per run)`);
  console.log('| surface | stage 1 | stage 2 | stage 3 | stage 4 | total epochs | × full grid at 40 | stages 2–4 alone | pick below the best (true value) |\n|---|---|---|---|---|---|---|---|---|');
  const pct = (x: number, t: number): string => `${Math.round((100 * x) / t)}%`;
  for (const surface of SURFACES) {
    const acc = { epochs: Object.fromEntries(STAGES.map((s) => [s, 0])), runs: Object.fromEntries(STAGES.map((s) => [s, 0])), total: 0, gap: 0 };
    for (let i = 0; i < seeds; i++) {
      const r = await costOf(surface, 7 + i, options);
      for (const s of STAGES) {
        acc.epochs[s] = (acc.epochs[s] as number) + (r.epochs[s] as number) / seeds;
        acc.runs[s] = (acc.runs[s] as number) + (r.runs[s] as number) / seeds;
      }
      acc.total += r.total / seeds;
      acc.gap += r.gap / seeds;
    }
    const cell = (s: string): string => `${+(acc.runs[s] as number).toFixed(1)} runs / ${Math.round(acc.epochs[s] as number)} (${pct(acc.epochs[s] as number, acc.total)})`;
    const later = acc.total - (acc.epochs.zones as number);
    console.log(
      `| ${surface.name} | ${STAGES.map(cell).join(' | ')} | ${Math.round(acc.total)} | ${(acc.total / FULL_GRID_EPOCHS).toFixed(2)} | ${(later / FULL_GRID_EPOCHS).toFixed(2)} | ${acc.gap.toFixed(4)} |`,
    );
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) void main();
