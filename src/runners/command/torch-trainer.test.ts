import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
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

  it('batch normalisation and the CNN blocks are in the network: the parameter counts say so', async () => {
    // 3 blocks of 2 'same' 3×3 convolutions (4, 8, 8 filters), each with a batch norm (γ, β per channel), 28 → 14 → 7 → 3;
    // dense 16 with a batch norm; output 10.
    const conv = (i: number, o: number) => i * o * 9 + o + 2 * o;
    const cnn = await run(10, { model: 'cnn', conv_blocks: 3, convs_per_block: 2, padding: 'same', filters_1: 4, filters_2: 8, filters_3: 8, units: 16, batch_norm: 1, conv_dropout: 0.1, batch_size: 100 });
    assert.equal(cnn.outcome.state, 'complete', JSON.stringify(cnn.outcome));
    const convs = conv(1, 4) + conv(4, 4) + conv(4, 8) + conv(8, 8) + conv(8, 8) + conv(8, 8);
    assert.equal(cnn.outcome.state === 'complete' && cnn.outcome.metrics?.parameters, convs + 8 * 3 * 3 * 16 + 16 + 2 * 16 + 16 * 10 + 10);
    const fnn = await run(11, { units_1: 32, units_2: 16, batch_norm: true, batch_size: 128 });
    assert.equal(fnn.outcome.state === 'complete' && fnn.outcome.metrics?.parameters, 784 * 32 + 32 + 2 * 32 + 32 * 16 + 16 + 2 * 16 + 16 * 10 + 10);
  });

  it('augmentation changes what the network trains on (same seed, same shuffles); zeros change nothing', async () => {
    const params = { model: 'cnn', units: 32, batch_size: 100, filters_1: 8, filters_2: 16 };
    const plain = await run(12, params);
    const again = await run(13, { ...params, augment_shift: 0, augment_rotate: 0, augment_flip: 0 });
    assert.deepEqual(again.reports.map((r) => learned(r.metrics)), plain.reports.map((r) => learned(r.metrics)), 'zeros are the defaults');
    for (const aug of [{ augment_shift: 2 }, { augment_rotate: 15 }, { augment_flip: 1 }]) {
      const a = await run(14, { ...params, ...aug });
      assert.equal(a.outcome.state, 'complete', JSON.stringify(a.outcome));
      assert.notEqual(a.reports[0]?.metrics.loss, plain.reports[0]?.metrics.loss, `${JSON.stringify(aug)} changes the first epoch's training loss`);
      const b = await run(15, { ...params, ...aug });
      assert.deepEqual(b.reports.map((r) => learned(r.metrics)), a.reports.map((r) => learned(r.metrics)), `${JSON.stringify(aug)}: the trial's seed fixes the draws`);
    }
  });

  it('augments a batch as the built-in trainer does: whole-pixel shifts exactly, rotations and flips by its formula', () => {
    // Augment.transform against the built-in trainer's inverse map (src/runners/tfjs/augment.ts) written out per pixel,
    // on non-square random images; and Augment's draws: seeded, one per image, within the bounds.
    const code = `
import importlib.util, json, math, torch
spec = importlib.util.spec_from_file_location('train', 'examples/torch/train.py'); t = importlib.util.module_from_spec(spec); spec.loader.exec_module(t)
def ref(img, dx, dy, ang, flip):
    h, w = img.shape; cy, cx = (h - 1) / 2, (w - 1) / 2; out = torch.zeros_like(img); c, s = math.cos(ang), math.sin(ang)
    at = lambda a, b: float(img[a, b]) if 0 <= a < h and 0 <= b < w else 0.0
    for i in range(h):
        for j in range(w):
            u = i - cy - dy; v = ((w - 1 - j) if flip else j) - cx - dx
            si, sj = c * u + s * v + cy, -s * u + c * v + cx
            i0, j0 = math.floor(si), math.floor(sj); fi, fj = si - i0, sj - j0
            out[i, j] = (1 - fi) * ((1 - fj) * at(i0, j0) + fj * at(i0, j0 + 1)) + fi * ((1 - fj) * at(i0 + 1, j0) + fj * at(i0 + 1, j0 + 1))
    return out
torch.manual_seed(0)
x = torch.rand(4, 9, 7)
dx, dy = torch.tensor([2., -1., 0., 1.]), torch.tensor([-1., 3., 0., 0.])
ang, fl = torch.tensor([0., 0., 0.4, -0.3]), torch.tensor([False, True, False, True])
y = t.Augment.transform(x, dx, dy, ang, fl)
shifted = torch.zeros(9, 7); shifted[:8, 2:] = x[0, 1:, :5]  # dx 2 (right), dy -1 (up)
a = t.Augment(2, 10, True, 5, torch.device('cpu'))
b = t.Augment(2, 10, True, 5, torch.device('cpu'))
ones = torch.zeros(64, 1, 28, 28); ones[:, :, 10:18, 10:18] = 1
ya, yb, yc = a(ones), b(ones), t.Augment(2, 10, True, 6, torch.device('cpu'))(ones)
print(json.dumps({
  'formula': max((y[k] - ref(x[k], dx[k].item(), dy[k].item(), ang[k].item(), bool(fl[k]))).abs().max().item() for k in range(4)),
  'exact_shift': (y[0] - shifted).abs().max().item(),
  'same_seed': (ya - yb).abs().max().item(), 'other_seed': (ya - yc).abs().max().item(),
  'distinct_images': len({tuple(r.flatten().tolist()) for r in ya}),
  'shape': list(ya.shape), 'mass_kept': (ya.sum((1, 2, 3)) / 64).min().item(),
}))
`;
    const r = spawnSync(python, ['-c', code], { cwd: repo, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    const got = JSON.parse(r.stdout) as Record<string, number | number[]>;
    assert.ok((got['formula'] as number) < 1e-5, `transform against the formula: ${String(got['formula'])}`);
    assert.ok((got['exact_shift'] as number) < 1e-6, `a whole-pixel shift moves pixels exactly: ${String(got['exact_shift'])}`);
    assert.equal(got['same_seed'], 0);
    assert.ok((got['other_seed'] as number) > 0.5);
    assert.ok((got['distinct_images'] as number) > 32, 'each image gets its own draw');
    assert.deepEqual(got['shape'], [64, 1, 28, 28]);
    assert.ok((got['mass_kept'] as number) > 0.9, 'a centred square stays inside the image (shift ≤ 2, rotation ≤ 10°)');
  });

  it('fails a trial with a bad param, naming it', async () => {
    const bad = await run(5, { units: 64, batch_size: 0 });
    assert.equal(bad.outcome.state, 'failed');
    assert.match(bad.outcome.state === 'failed' ? bad.outcome.error : '', /Expected `batch_size` to be an integer ≥ 1, got 0/);
    const cases: [TrialInput['params'], RegExp][] = [
      [{ units: 16, augment_shift: 9 }, /Expected `augment_shift` to be an integer in \[0, 8\] \(pixels\), got 9/],
      [{ units: 16, augment_rotate: 50 }, /Expected `augment_rotate` to be a number in \[0, 45\], got 50/],
      [{ units: 16, batch_norm: 2 }, /Expected `batch_norm` to be 0 or 1 \(or false \/ true\), got 2/],
      [{ units: 16, conv_blocks: 3 }, /Param `conv_blocks` is for model: cnn, the model is fnn/],
      [{ model: 'cnn', filters_3: 8 }, /Param `filters_3` needs conv_blocks ≥ 3, got conv_blocks 2/],
      [{ model: 'cnn', conv_blocks: 4 }, /Expected the 28x28 images to fit conv_blocks 4 \(convs_per_block 1, padding valid\): block 4/],
      [{ model: 'cnn', padding: 'full' }, /Expected `padding` to be 'valid' or 'same', got "full"/],
    ];
    for (const [i, [params, message]] of cases.entries()) {
      const o = (await run(20 + i, { batch_size: 100, ...params })).outcome;
      assert.match(o.state === 'failed' ? o.error : JSON.stringify(o), message);
    }
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
