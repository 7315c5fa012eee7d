// Test support: a two-objective study (maximize val_accuracy, minimize parameters) filled through the storage API.
import type { Storage } from '../storage/storage.js';
import type { StudyRecord } from '../core/types.js';
import { BATCHES, planOf, trueAccuracy, UNITS } from './test-study.js';

/** Creates the study: val_accuracy (maximize) and parameters (minimize), over hidden_units × batch_size × learning_rate. */
export async function createParetoStudy(storage: Storage, name: string): Promise<StudyRecord> {
  return storage.createStudy({
    name, direction: 'maximize', metric: 'val_accuracy',
    objectives: [{ metric: 'val_accuracy', direction: 'maximize' }, { metric: 'parameters', direction: 'minimize' }],
    spec: { space: { hidden_units: { type: 'categorical', choices: UNITS }, batch_size: { type: 'categorical', choices: BATCHES } } },
  });
}

/**
 * Adds trials `from` .. `from + count - 1`, each `epochs` epochs: accuracy as test-study's surface (which peaks at 128
 * units, so bigger networks are not always better) with seed noise, parameters from the units of a 784-input MLP.
 */
export async function addParetoTrials(storage: Storage, study: StudyRecord, from: number, count: number, epochs = 3, worker = 'w-test'): Promise<void> {
  for (let i = from; i < from + count; i++) {
    const p = planOf(i);
    const noise = (((p.seed * 2654435761) % 1000) / 1000 - 0.5) * 0.01;
    const t = await storage.createRunningTrial(study.id, worker, { params: { hidden_units: p.units, batch_size: p.batch }, seed: p.seed, budget: epochs });
    let best = 0;
    for (let e = 1; e <= epochs; e++) {
      const acc = trueAccuracy(p.units, p.batch, 1e-2, e) + noise;
      best = Math.max(best, acc);
      await storage.reportStep(t.id, worker, e, { val_accuracy: acc, val_loss: 1 - acc });
    }
    const parameters = p.units * 785 + p.units * 10 + 10;
    await storage.finishTrial(t.id, worker, { state: 'complete', value: best, values: [best, parameters], metrics: { parameters } });
  }
}
