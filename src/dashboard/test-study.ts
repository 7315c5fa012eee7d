// Test and benchmark support: fills a study through the storage API with trials whose per-epoch accuracy follows a
// known smooth surface over hidden_units × batch_size (peak at 128 × 64) that rises with epochs, plus seed noise.
import type { Storage } from '../storage/storage.js';
import type { StudyRecord } from '../core/types.js';

export const UNITS = [16, 32, 64, 128, 256, 512];
export const BATCHES = [16, 32, 64, 128, 256];
export const RATES = [1e-4, 1e-3, 1e-2, 1e-1];

/** The noiseless accuracy of a configuration after `epoch` epochs. */
export function trueAccuracy(units: number, batch: number, rate: number, epoch: number): number {
  const du = Math.log2(units / 128);
  const db = Math.log2(batch / 64);
  const dr = Math.log10(rate / 1e-2);
  const peak = 0.95 - 0.02 * du * du - 0.015 * db * db - 0.03 * dr * dr;
  return peak * (1 - Math.exp(-epoch / (3 + Math.abs(db))));
}

/** The i-th configuration of the grid (cycling), with seed i. */
export function planOf(i: number): { units: number; batch: number; rate: number; seed: number } {
  return {
    units: UNITS[i % UNITS.length] as number,
    batch: BATCHES[Math.floor(i / UNITS.length) % BATCHES.length] as number,
    rate: RATES[Math.floor(i / (UNITS.length * BATCHES.length)) % RATES.length] as number,
    seed: i,
  };
}

/** Creates the study (maximize val_accuracy). */
export async function createTestStudy(storage: Storage, name: string): Promise<StudyRecord> {
  return storage.createStudy({
    name, direction: 'maximize', metric: 'val_accuracy',
    spec: { space: { hidden_units: { type: 'categorical', choices: UNITS }, batch_size: { type: 'categorical', choices: BATCHES }, learning_rate: { type: 'categorical', choices: RATES } } },
  });
}

/** Adds trials `from` .. `from + count - 1`: each runs `epochs` epochs (reporting val_accuracy and val_loss) and completes. */
export async function addTrials(storage: Storage, study: StudyRecord, from: number, count: number, epochs: number, worker = 'w-test'): Promise<void> {
  for (let i = from; i < from + count; i++) {
    const p = planOf(i);
    const noise = (((p.seed * 2654435761) % 1000) / 1000 - 0.5) * 0.01;
    const t = await storage.createRunningTrial(study.id, worker, {
      params: { hidden_units: p.units, batch_size: p.batch, learning_rate: p.rate }, seed: p.seed, budget: epochs,
    });
    let best = 0;
    for (let e = 1; e <= epochs; e++) {
      const acc = trueAccuracy(p.units, p.batch, p.rate, e) + noise;
      best = Math.max(best, acc);
      await storage.reportStep(t.id, worker, e, { val_accuracy: acc, val_loss: 1 - acc });
    }
    await storage.finishTrial(t.id, worker, { state: 'complete', value: best, metrics: { best_epoch: epochs, parameters: p.units * 785 + p.units * 10 + 10 } });
  }
}
