// Fine-tuning in the reference PyTorch trainer (examples/torch/train.py): --save-model writes the best epoch's state
// dict, --base-model starts from it, and the fine-tuning params mean what they mean in the built-in trainer: frozen
// weights do not change, a new head has the right shapes, unfreezing happens at the epoch stated, body and head step
// at their own rates. Skips with the reason when PyTorch is absent (test/support/peers.ts).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { pythonPath } from '../../../bench/support/python.js';
import * as peers from '../../../test/support/peers.js';

const python = pythonPath();
const repo = resolve(import.meta.dirname, '../../..');
const skip = peers.skipUnless(peers.torch());
const dir = mkdtempSync(join(tmpdir(), 'hz-torch-ft-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function train(params: Record<string, unknown>, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(
    python,
    ['examples/torch/train.py', '--train-limit', '1500', '--test-limit', '200', '--device', 'cpu', '--threads', '1', '--epochs', '2', '--params', JSON.stringify(params), ...args],
    { cwd: repo, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 300_000 },
  );
  const rows = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, number>);
  return { code: r.status, rows, stderr: r.stderr };
}

/** Per key of two saved state dicts: shape of the second and the largest absolute difference (null: key only in one). */
function compare(a: string, b: string): Record<string, { shape: number[]; diff: number | null }> {
  const code = `
import json, sys, torch
a = torch.load(sys.argv[1], weights_only=True)['state_dict']
b = torch.load(sys.argv[2], weights_only=True)['state_dict']
print(json.dumps({k: {'shape': list(v.shape), 'diff': (a[k] - v).abs().max().item() if k in a and a[k].shape == v.shape else None} for k, v in b.items()}))
`;
  const r = spawnSync(python, ['-c', code, a, b], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, { shape: number[]; diff: number | null }>;
}

// The base: conv(4) → pool → conv(8) → pool → dense(16) → out(5) on digits 0–4. Sequential indices: 0 conv, 3 conv, 7 dense, 9 out.
const BASE = { model: 'cnn', filters_1: 4, filters_2: 8, units: 16, batch_size: 64 };

describe('examples/torch/train.py fine-tuning', { skip }, () => {
  const base = join(dir, 'base');
  it('saves the best epoch\'s state dict under trial-<n>', () => {
    const r = train(BASE, ['--classes', '0,1,2,3,4', '--save-model', base], { HZ_TRIAL_NUMBER: '4' });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(join(base, 'trial-4', 'model.pt')));
  });

  it('keeps frozen weights, gives the new head its shapes, and unfreezes at the epoch stated', () => {
    const basePt = join(base, 'trial-4', 'model.pt');
    const frozen = join(dir, 'frozen');
    const tune = { batch_size: 32, freeze: 2, head_units: 6, head_dropout: 0.2, lr_body: 0.001, lr_head: 0.01 };
    const f = train(tune, ['--classes', '5,6,7,8,9', '--label-fraction', '0.3', '--base-model', basePt, '--save-model', frozen]);
    assert.equal(f.code, 0, f.stderr);
    const c = compare(basePt, join(frozen, 'model.pt'));
    assert.deepEqual([c['0.weight']?.diff, c['0.bias']?.diff, c['3.weight']?.diff, c['3.bias']?.diff], [0, 0, 0, 0], 'both convolutions frozen');
    assert.ok((c['7.weight']?.diff ?? 0) > 1e-4, 'dense16 (not frozen) trained');
    // The base's output (16 → 5 at index 9) replaced: dense 16 → 6, ReLU, dropout, then 6 → 5.
    assert.deepEqual(c['9.weight']?.shape, [6, 16]);
    assert.deepEqual(c['12.weight']?.shape, [5, 6]);
    assert.deepEqual(f.rows.filter((r) => r['step'] !== undefined).map((r) => r['frozen_parameters']), [4 * 9 + 4 + 8 * 4 * 9 + 8, 4 * 9 + 4 + 8 * 4 * 9 + 8]);

    const later = join(dir, 'later');
    const u = train({ ...tune, unfreeze_after: 1 }, ['--classes', '5,6,7,8,9', '--label-fraction', '0.3', '--base-model', basePt, '--save-model', later]);
    assert.equal(u.code, 0, u.stderr);
    assert.deepEqual(u.rows.filter((r) => r['step'] !== undefined).map((r) => r['frozen_parameters']), [336, 0]);
    // Saved at the best validation epoch: when that is epoch 2 the convolutions have moved.
    const best = u.rows.find((r) => r['final'] !== undefined) as unknown as { final: { best_epoch: number } } | undefined;
    const cu = compare(basePt, join(later, 'model.pt'));
    if (best?.final.best_epoch === 2) assert.ok((cu['0.weight']?.diff ?? 0) > 0, 'the first convolution trains after unfreezing');
  });

  it('steps the body at lr_body and the head at lr_head', () => {
    const basePt = join(base, 'trial-4', 'model.pt');
    const slow = join(dir, 'slow');
    const r = train({ batch_size: 32, head_units: 0, lr_body: 1e-9, lr_head: 0.01 }, ['--classes', '5,6,7,8,9', '--base-model', basePt, '--save-model', slow]);
    assert.equal(r.code, 0, r.stderr);
    const c = compare(basePt, join(slow, 'model.pt'));
    assert.ok((c['7.weight']?.diff ?? 1) < 1e-6, `body at 1e-9 barely moves: ${c['7.weight']?.diff}`);
    assert.ok((c['9.weight']?.diff ?? 0) > 1e-3, 'a new output layer (the old one\'s shape, fresh weights) at lr_head');
  });

  it('saves and fine-tunes a network with batch norms: a frozen batch norm keeps its weights and moving statistics', () => {
    // conv(4, same) → bn → relu → pool → conv(8, same) → bn → relu → pool → dense 16 → bn → relu → out 5.
    // Sequential indices: 0 conv, 1 bn, 4 conv, 5 bn, 9 dense, 10 bn, 12 out. freeze 2 = the first convolution and its bn.
    const bnBase = join(dir, 'bn-base');
    const b = train({ ...BASE, padding: 'same', batch_norm: 1 }, ['--classes', '0,1,2,3,4', '--save-model', bnBase]);
    assert.equal(b.code, 0, b.stderr);
    const basePt = join(bnBase, 'model.pt');
    const tuned = join(dir, 'bn-tuned');
    const f = train({ batch_size: 32, freeze: 2, head_units: 0, augment_shift: 1 }, ['--classes', '5,6,7,8,9', '--label-fraction', '0.3', '--base-model', basePt, '--save-model', tuned]);
    assert.equal(f.code, 0, f.stderr);
    const c = compare(basePt, join(tuned, 'model.pt'));
    for (const k of ['0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean', '1.running_var']) assert.equal(c[k]?.diff, 0, `${k} frozen`);
    for (const k of ['5.weight', '5.running_mean', '10.running_var']) assert.ok((c[k]?.diff ?? 0) > 0, `${k} (not frozen) trained`);
    assert.deepEqual(f.rows.filter((r) => r['step'] !== undefined).map((r) => r['frozen_parameters']), [4 * 9 + 4 + 2 * 4, 4 * 9 + 4 + 2 * 4]);
    const arch = train({ batch_size: 32, head_units: 0, batch_norm: 1 }, ['--classes', '5,6,7,8,9', '--base-model', basePt]);
    assert.equal(arch.code, 2);
    assert.match(arch.stderr, /Param `batch_norm` shapes a new network: with --base-model the base's network is used/);
  });

  it('names what does not fit, with exit code 2', () => {
    const basePt = join(base, 'trial-4', 'model.pt');
    const tooMany = train({ batch_size: 32, freeze: 4, head_units: 0 }, ['--classes', '5,6,7,8,9', '--base-model', basePt]);
    assert.equal(tooMany.code, 2);
    assert.match(tooMany.stderr, /`freeze` to be at most 3 \(the base model's layers with weights\), got 4/);
    const noBase = train({ batch_size: 32, freeze: 1, units: 8 }, []);
    assert.equal(noBase.code, 2);
    assert.match(noBase.stderr, /`freeze` is a fine-tuning param: it needs --base-model/);
    const classes = train({ batch_size: 32 }, ['--base-model', basePt]);
    assert.equal(classes.code, 2);
    assert.match(classes.stderr, /has 5 output classes, the dataset has 10: give `head_units`/);
  });
});
