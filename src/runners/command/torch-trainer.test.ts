import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Metrics } from '../../core/types.js';
import type { TrialInput } from '../runner.js';
import { createCommandRunner } from './runner.js';
import { pythonPath } from '../../../bench/support/python.js';
import * as peers from '../../../test/support/peers.js';

// The reference PyTorch trainer (examples/torch/train.py) driven through the command runner, on a small CPU subset.
const python = pythonPath();
const repo = resolve(import.meta.dirname, '../../..');
const skip = peers.skipUnless(peers.torch());
const logDir = mkdtempSync(join(tmpdir(), 'hz-torch-'));
after(() => rmSync(logDir, { recursive: true, force: true }));

const runner = createCommandRunner({
  command: [python, 'examples/torch/train.py', '--train-limit', '1000', '--test-limit', '300', '--device', 'cpu', '--threads', '1', '--evaluate-test'],
  cwd: repo,
  logDir,
  metric: 'val_accuracy',
  direction: 'maximize',
  timeoutS: 120,
});

async function run(number: number, params: TrialInput['params'], seed = 7) {
  const reports: { step: number; metrics: Metrics }[] = [];
  const outcome = await runner.run(
    { trialId: number, number, params, seed, budget: 2 },
    { signal: new AbortController().signal, report: (step, metrics) => void reports.push({ step, metrics }) },
  );
  return { reports, outcome };
}

/** Metrics without the timing ones, which differ run to run. */
function learned(m: Metrics | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(m ?? {})) if (k !== 'epoch_seconds' && k !== 'images_per_second') out[k] = v;
  return out;
}

describe('examples/torch/train.py through the command runner', { skip }, () => {
  it('reports every epoch and a final test evaluation; the same seed gives the same metrics', async () => {
    await runner.prepare!();
    const params = { units: 64, batch_size: 64, dropout: 0, learning_rate: 0.001, lr_schedule: 'step:1' };
    const a = await run(0, params);
    assert.equal(a.outcome.state, 'complete', JSON.stringify(a.outcome));
    assert.deepEqual(a.reports.map((r) => r.step), [1, 2]);
    for (const key of ['loss', 'accuracy', 'val_loss', 'val_accuracy', 'lr', 'epoch_seconds', 'images_per_second']) {
      assert.equal(typeof a.reports[0]?.metrics[key], 'number', key);
    }
    assert.deepEqual(a.reports.map((r) => r.metrics.lr), [0.001, 0.0005]); // step:1 halves after each epoch
    assert.ok((a.reports[1]?.metrics.val_accuracy ?? 0) > 0.3, 'it learns something in 2 epochs');
    if (a.outcome.state !== 'complete') return;
    assert.equal(a.outcome.value, Math.max(...a.reports.map((r) => r.metrics.val_accuracy ?? 0)));
    assert.equal(typeof a.outcome.metrics?.test_accuracy, 'number');
    assert.equal(a.outcome.metrics?.parameters, 784 * 64 + 64 + 64 * 10 + 10);

    const b = await run(1, params);
    assert.deepEqual(b.reports.map((r) => learned(r.metrics)), a.reports.map((r) => learned(r.metrics)));
    const c = await run(2, params, 8);
    assert.notDeepEqual(c.reports.map((r) => learned(r.metrics)), a.reports.map((r) => learned(r.metrics)));
  });

  it('trains the small CNN and a two-layer FNN', async () => {
    const cnn = await run(3, { model: 'cnn', units: 32, batch_size: 100, filters_1: 8, filters_2: 16 });
    assert.equal(cnn.outcome.state, 'complete', JSON.stringify(cnn.outcome));
    assert.equal(cnn.reports.length, 2);
    const fnn = await run(4, { units_1: 32, units_2: 16, dropout_1: 0.1, dropout_2: 0, batch_size: 128 });
    assert.equal(fnn.outcome.state === 'complete' && fnn.outcome.metrics?.parameters, 784 * 32 + 32 + 32 * 16 + 16 + 16 * 10 + 10);
  });

  it('fails a trial with a bad param, naming it', async () => {
    const bad = await run(5, { units: 64, batch_size: 0 });
    assert.equal(bad.outcome.state, 'failed');
    assert.match(bad.outcome.state === 'failed' ? bad.outcome.error : '', /Expected `batch_size` to be an integer ≥ 1, got 0/);
  });

  it('reports trainable parameters without a test evaluation too (a multi-objective study can minimise them)', async () => {
    const plain = createCommandRunner({
      command: [python, 'examples/torch/train.py', '--train-limit', '500', '--device', 'cpu', '--threads', '1'],
      cwd: repo, logDir, metric: 'val_accuracy', direction: 'maximize', timeoutS: 120,
    });
    const outcome = await plain.run({ trialId: 9, number: 9, params: { units: 16, batch_size: 100 }, seed: 1, budget: 1 },
      { signal: new AbortController().signal, report: () => undefined });
    assert.equal(outcome.state, 'complete', JSON.stringify(outcome));
    assert.equal(outcome.metrics?.parameters, 784 * 16 + 16 + 16 * 10 + 10);
    assert.equal(outcome.metrics?.test_accuracy, undefined, 'the test set stays unread');
  });
});
