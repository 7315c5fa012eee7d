import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStorage } from '../../storage/open.js';
import { codeStudySpec } from '../../spec/index.js';
import { Space } from '../../space/space.js';
import { Rng } from '../../core/rng.js';
import { Surrogate } from '../../controller/index.js';
import { controllerEvaluateCommand, controllerInspectCommand, controllerTrainCommand } from './controller.js';

const space = Space.fromSpec({ lr: { type: 'float', low: 1e-4, high: 1e-1, log: true }, width: { type: 'int', low: 8, high: 64 } });

/** A SQLite storage with a study of `n` complete trials whose curves rise towards a value set by lr. */
async function storageWithTrials(file: string, name: string, n: number, seed: number): Promise<string> {
  const url = file;
  const s = await openStorage(url);
  try {
    const study = await s.createStudy({ name, direction: 'maximize', metric: 'acc', spec: codeStudySpec(space, 1) });
    const rng = new Rng(seed);
    for (let i = 0; i < n; i++) {
      const params = space.sample(rng);
      const final = 0.9 - 0.05 * (Math.log10(params['lr'] as number) + 2.5) ** 2;
      const t = await s.createRunningTrial(study.id, 'w', { params, seed: i, budget: 8 });
      let v = 0;
      for (let e = 1; e <= 8; e++) { v = final - (final - 0.1) * Math.exp(-e / 2); await s.reportStep(t.id, 'w', e, { acc: v }); }
      await s.finishTrial(t.id, 'w', { state: 'complete', value: v });
    }
  } finally {
    await s.close();
  }
  return url;
}

test('controller train | inspect | evaluate on SQLite storages; bad flags fail before any storage is read', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hz-ctl-cli-'));
  try {
    const a = await storageWithTrials(join(dir, 'a.db'), 'a', 40, 1);
    const b = await storageWithTrials(join(dir, 'b.db'), 'b', 12, 2);
    const file = join(dir, 'model.json');
    assert.equal(await controllerTrainCommand({ storage: [a], out: file, members: '2', epochs: '4', hidden: '8' }), 0);
    const m = Surrogate.load(file);
    assert.equal(m.json.training.examples, 32, '20 % of 40 trials held out');
    assert.deepEqual(m.json.training.groups, ['a']);
    assert.ok(m.json.training.validation !== null && m.json.training.validation.all.rows === 8 * 6, '8 held-out trials × (no curve + checkpoints 1, 2, 3, 4, 6)');
    assert.equal(await controllerInspectCommand(file), 0);
    assert.equal(await controllerEvaluateCommand(file, { storage: [b] }), 0);
    await assert.rejects(controllerTrainCommand({ storage: [join(dir, 'none.db')], out: file, members: '0' }), /Expected `--members` to be an integer ≥ 1, got "0"/);
    await assert.rejects(controllerTrainCommand({ storage: [join(dir, 'none.db')], out: file, validationShare: '1' }), /Expected `--validation-share` to be a number in \[0, 1\), got "1"/);
    await assert.rejects(controllerTrainCommand({ storage: [join(dir, 'none.db')], out: file, hidden: '8,x' }), /Expected `--hidden`/);
    await assert.rejects(controllerTrainCommand({ storage: [join(dir, 'none.db')], out: file, portfolioSize: '-1' }), /Expected `--portfolio-size` to be an integer ≥ 0, got "-1"/);
    // Trials of two studies: the model carries a warm-start portfolio (`start: portfolio`) from the training trials.
    const two = join(dir, 'two.json');
    assert.equal(await controllerTrainCommand({ storage: [a, b], out: two, members: '1', epochs: '2', hidden: '8', portfolioSize: '5' }), 0);
    const pf = Surrogate.load(two).json.portfolio;
    assert.ok(pf !== undefined);
    assert.equal(pf.params.length, 5);
    assert.equal(pf.groups, 2);
    assert.equal(await controllerInspectCommand(two), 0);
    assert.equal(await controllerTrainCommand({ storage: [a, b], out: two, members: '1', epochs: '2', hidden: '8', portfolioSize: '0' }), 0);
    assert.equal(Surrogate.load(two).json.portfolio, undefined);
    await assert.rejects(controllerTrainCommand({ storage: [a], study: ['../x'], out: file }), /Expected `--study` to be 1–128 letters/);
    assert.ok(!existsSync(join(dir, 'none.db')), 'nothing was opened');
    await assert.rejects(controllerInspectCommand(join(dir, 'missing.json')), /Cannot read controller model/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
