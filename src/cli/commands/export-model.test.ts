// `hyperzone export-model` and fine-tuning from the command line: a study with `save_models` saves its trials'
// networks, export-model copies one (tfjs-layers loads it), a second study fine-tunes it (`base_model`, freeze as a
// searched param), and the mistakes a user makes exit with code 2 and say why.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeSyntheticIdx } from '../../datasets/testutil.js';

await tf.setBackend('cpu');
const MAIN = resolve('src/cli/main.ts');
// Resolved here: the CLI runs in a temporary directory, where `--import tsx` would not find the package.
const TSX = import.meta.resolve('tsx');
const dir = mkdtempSync(join(tmpdir(), 'hz-export-model-'));
const idx = writeSyntheticIdx({ train: 300, test: 100 });
after(() => [dir, idx].forEach((d) => rmSync(d, { recursive: true, force: true })));

function hz(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', TSX, MAIN, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, HYPERZONE_TFJS_BACKEND: 'cpu' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function spec(name: string, trainer: string, space: string, fixed: string): string {
  const p = join(dir, `${name}.yaml`);
  writeFileSync(p, `study: ${name}
space: ${space}
fixed: ${fixed}
budget: { epochs: 2 }
trainer: ${trainer}
parallel: 1
`);
  return p;
}

test('a saved trial exports as a TF.js Layers model and fine-tunes in a second study', async () => {
  const pre = spec('pre', `{ type: tfjs, dataset: { idx: ${JSON.stringify(idx)}, classes: [0, 1, 2, 3, 4] }, save_models: true }`, '{ learning_rate: [0.01, 0.003] }', '{ model: conv4-maxpool-dense16, batch_size: 16 }');
  const r = hz(['run', pre, '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(existsSync(join(dir, '.hyperzone/models/pre/trial-1/model.json')), 'saved under --model-dir/<study>/trial-<n>');
  const out = join(dir, 'exported');
  const e = hz(['export-model', '--study', 'pre', '--trial', '1', '--out', out]);
  assert.equal(e.code, 0, e.stderr);
  assert.match(e.stdout, /trial #1 of pre \(val_accuracy = [\d.]+, \d+ parameters\): wrote .*model\.json, .*weights\.bin/);
  const model = await tf.loadLayersModel({
    load: async () => {
      const json = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')) as tf.io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(json, async (m) => {
        const b = readFileSync(join(out, 'weights.bin'));
        return [m.flatMap((g) => g.weights), b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)];
      });
    },
  });
  assert.deepEqual((model.predict(tf.zeros([2, 8, 8, 1])) as tf.Tensor).shape, [2, 5]);

  // Fine-tune on the other five classes with half their labels; how many layers to freeze is searched.
  const ft = spec('ft', `{ type: tfjs, dataset: { idx: ${JSON.stringify(idx)}, classes: [5, 6, 7, 8, 9], label_fraction: 0.5 }, base_model: ${JSON.stringify(out)} }`,
    '{ freeze: [0, 1] }', '{ batch_size: 16, head_units: 8, head_dropout: 0.2, lr_body: 0.001, lr_head: 0.01, unfreeze_after: 1 }');
  const f = hz(['run', ft, '--quiet']);
  assert.equal(f.code, 0, f.stderr);
  assert.match(f.stdout, /2 complete/);
});

test('export-model and fine-tuning specs say what is wrong, with exit code 2', () => {
  const none = spec('plain', `{ type: tfjs, dataset: { idx: ${JSON.stringify(idx)} } }`, '{ units: [8] }', '{ batch_size: 32 }');
  assert.equal(hz(['run', none, '--quiet']).code, 0);
  const missing = hz(['export-model', '--study', 'plain', '--trial', '0', '--out', join(dir, 'x')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /No saved network for trial #0 of study `plain` in .*trial-0: the study was created without `trainer\.save_models: true`/);
  const absent = hz(['export-model', '--study', 'plain', '--trial', '5', '--out', join(dir, 'x')]);
  assert.equal(absent.code, 2);
  assert.match(absent.stderr, /Study `plain` has no trial #5/);
  const noBase = spec('nobase', `{ type: tfjs, dataset: { idx: ${JSON.stringify(idx)} } }`, '{ freeze: [0, 1] }', '{ units: 8, batch_size: 32 }');
  const nb = hz(['run', noBase, '--quiet']);
  assert.equal(nb.code, 2);
  assert.match(nb.stderr, /`freeze` is a fine-tuning param: it needs a base network, `trainer\.base_model: DIR`/);
  const badBase = spec('badbase', `{ type: tfjs, dataset: { idx: ${JSON.stringify(idx)} }, base_model: ${JSON.stringify(join(dir, 'nope'))} }`, '{ freeze: [0] }', '{ batch_size: 32 }');
  const bb = hz(['run', badBase, '--quiet']);
  assert.equal(bb.code, 2);
  assert.match(bb.stderr, /nope\/model\.json cannot be read/);
});
