// Test and screenshot support: a zone-strategy study run to the end through storage, as `hyperzone run` runs one,
// with a quick in-process trainer whose accuracy follows a known surface over units × batch_size: a main peak at
// 128 × 64 and a lower second one at 16 × 256, rising with epochs, plus seed noise; stage 4's runs report test accuracy.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StudyRecord } from '../core/types.js';
import type { Runner } from '../runners/runner.js';
import { compile } from '../spec/index.js';
import type { Storage } from '../storage/storage.js';
import { openStudyForPlan } from '../study/open-study.js';
import { runZonesStudy } from '../study/zones-study.js';
import type { ZoneStrategyResult } from '../strategies/zones/index.js';

/** The noiseless accuracy of a configuration after `epoch` epochs (any units and batch size, refined ones too). */
export function zoneAccuracy(units: number, batch: number, epoch: number): number {
  const du = Math.log2(units / 128);
  const db = Math.log2(batch / 64);
  const main = 0.95 - 0.006 * du * du - 0.005 * db * db;
  const second = 0.935 - 0.01 * Math.log2(units / 16) ** 2 - 0.01 * Math.log2(batch / 256) ** 2;
  return Math.max(main, second) * (1 - Math.exp(-epoch / 2));
}

/** A seed's noise: ±0.004, fixed per (seed, configuration). */
function noise(seed: number, units: number, batch: number): number {
  const h = Math.sin(seed * 12.9898 + units * 78.233 + batch * 37.719) * 43758.5453;
  return (h - Math.floor(h) - 0.5) * 0.008;
}

/** The spec the study runs (a stored spec, as `hyperzone run` stores it; the command trainer is never started). */
export function zonesSpec(name: string): Record<string, unknown> {
  return {
    study: name,
    space: { units: [16, 32, 64, 128, 256, 512], batch_size: [16, 32, 64, 128, 256] },
    fixed: { learning_rate: 0.003, lr_schedule: 'none' },
    budget: { epochs: 6 },
    sampler: { type: 'zones', max_zones: 2, split_parts: 2, max_candidates: 3, schedules: ['none', 'step:3'], top_k: 2, confirm_seeds: 3 },
    trainer: { type: 'command', command: ['/bin/true'] },
  };
}

/** A runner that reports the surface per epoch, with seed noise; trials that may read the test set report test_accuracy. */
export function zonesRunner(delayMs = 0): Runner {
  return {
    name: 'test surface',
    async run(trial, ctx) {
      const units = Number(trial.params.units);
      const batch = Number(trial.params.batch_size);
      const epochs = trial.budget ?? 6;
      let best = 0;
      let bestEpoch = 1;
      for (let e = 1; e <= epochs; e++) {
        // A step schedule helps a little late in training.
        const schedule = trial.params.lr_schedule === 'step:3' && e > 3 ? 0.002 : 0;
        const acc = zoneAccuracy(units, batch, e) + schedule + noise(trial.seed, units, batch);
        if (acc > best) [best, bestEpoch] = [acc, e];
        await ctx.report(e, { val_accuracy: acc, val_loss: 1 - acc });
        if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      }
      const test = trial.evaluateTest === true ? { test_accuracy: best - 0.003 + noise(trial.seed + 1, units, batch) } : {};
      return { state: 'complete', value: best, metrics: { best_epoch: bestEpoch, parameters: units * 795 + 10, ...test } };
    },
  };
}

/** Creates the study and runs the zone strategy on it to the end (or until `signal` aborts). */
export async function runTestZonesStudy(storage: Storage, name: string, o: { delayMs?: number; signal?: AbortSignal } = {}):
  Promise<{ study: StudyRecord; result: ZoneStrategyResult | null }> {
  const plan = compile(zonesSpec(name), { name });
  const { study } = await openStudyForPlan(storage, plan);
  try {
    const result = await runZonesStudy(plan, {
      storage, study, space: plan.space, fixed: plan.fixed, workerId: 'w-zones', parallel: 2, maxAttempts: 1, seed: plan.seed,
      signal: o.signal ?? new AbortController().signal, runner: zonesRunner(o.delayMs), outDir: mkdtempSync(join(tmpdir(), 'hz-zones-docs-')),
    });
    return { study, result };
  } catch (e) {
    if (o.signal?.aborted) return { study, result: null };
    throw e;
  }
}
