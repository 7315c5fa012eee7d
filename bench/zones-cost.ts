// What the zone strategy's defaults cost on the article's 13 × 7 grid at 40 epochs, in epochs per stage, on the
// synthetic surfaces of bench/zones-detection.ts (seed noise sd 0.0007, step:7 worth +0.002), against the
// article's full grid at 40 epochs (91 × 40 = 3,640 epochs). Usage: npx tsx bench/zones-cost.ts
import { emptyResultSet } from '../src/results/index.js';
import { defaultZoneSpace, runZoneStrategy } from '../src/strategies/zones/index.js';
import { syntheticEvaluate } from '../src/strategies/zones/testkit.js';
import type { Params } from '../src/core/types.js';
import { SURFACES } from './zones-detection.js';

async function main(): Promise<void> {
  console.log('| surface | stage 1 | stage 2 | stage 3 | stage 4 | total epochs | × full grid at 40 |\n|---|---|---|---|---|---|---|');
  for (const surface of SURFACES) {
    const bonus = (p: Params): number => (p.lr_schedule === 'step:7' ? 0.002 : 0);
    const f = (p: Params): number => surface.f(Math.log2(Number(p.units)), Math.log2(Number(p.batch_size))) + bonus(p);
    const start = emptyResultSet(defaultZoneSpace().toJSON(), { metric: 'val_accuracy', direction: 'maximize' }, {});
    const evaluate = async (plan: Parameters<typeof syntheticEvaluate>[1], stage: string) => syntheticEvaluate({ f, sd: 0.0007 }, plan, stage);
    const res = await runZoneStrategy(evaluate, start, { epochs: 40, trainSize: 48_000, valSize: 12_000, seed: 7 });
    const c = res.final.compute ?? {};
    const cell = (k: string): string => `${c[k]?.trials ?? 0} runs / ${c[k]?.epochs ?? 0}`;
    const total = Object.values(c).reduce((a, v) => a + v.epochs, 0);
    console.log(`| ${surface.name} | ${cell('zones')} | ${cell('refine')} | ${cell('schedules')} | ${cell('confirm')} | ${total} | ${(total / 3640).toFixed(2)} |`);
  }
}

void main();
