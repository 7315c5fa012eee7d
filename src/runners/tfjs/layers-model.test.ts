// The TF.js Layers format both ways: a network saved by saveLayersModel is loaded by tfjs-layers' own
// loadLayersModel (through a file IO handler) and predicts what our forward pass does; a model written by tfjs-layers
// is read by readLayersModel into our layers and predicts what tfjs-layers does. Unsupported layers are named.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Tensor2D } from '@tensorflow/tfjs';
import { InputError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { readLayersModel, saveLayersModel } from './layers-model.js';
import { parseModel, planModel, type PlannedLayer } from './model-spec.js';
import { forwardNet, initNet, setLayerWeights, shapeInput, type NetState } from './net.js';

await tf.setBackend('cpu');

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'hz-model-'));
  dirs.push(d);
  return d;
};
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** tfjs-layers' file IO: what tf.io.fileSystem of tfjs-node does, for a directory with model.json. */
function fileLoader(dir: string): tf.io.IOHandler {
  return {
    load: async () => {
      const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs = manifest.flatMap((g) => g.weights);
        const buffers = manifest.flatMap((g) => g.paths.map((p) => readFileSync(join(dir, p))));
        const all = Buffer.concat(buffers);
        return [specs, all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength)];
      });
    },
  };
}

/** tfjs-layers' model.save to a directory (model.json + weights.bin). */
function fileSaver(dir: string): tf.io.IOHandler {
  return tf.io.withSaveHandler(async (a) => {
    const data = Buffer.from(tf.io.CompositeArrayBuffer.join(a.weightData as tf.io.WeightData));
    writeFileSync(join(dir, 'w.bin'), data);
    writeFileSync(join(dir, 'model.json'), JSON.stringify({ modelTopology: a.modelTopology, format: a.format, weightsManifest: [{ paths: ['w.bin'], weights: a.weightSpecs }] }));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  });
}

/** A state with every weight and statistic moved off its initial value, so that a misplaced one shows. */
function perturbed(layers: readonly PlannedLayer[], seed: number): NetState {
  const rng = new Rng(seed);
  const s = initNet(tf, layers, rng);
  const shake = (t: tf.Tensor, lo: number, span: number): tf.Tensor => tf.tensor(Array.from({ length: t.size }, () => lo + rng.next() * span), t.shape);
  s.params = s.params.map((p) => tf.add(p, shake(p, -0.2, 0.4)));
  // Moving means around 0, variances in [0.5, 1.5].
  s.stats = s.stats.map((t, i) => (i % 2 === 0 ? shake(t, -0.3, 0.6) : shake(t, 0.5, 1)));
  return s;
}

function input(layers: readonly PlannedLayer[], rows: number, seed: number): Tensor2D {
  const rng = new Rng(seed);
  const f = (layers[0] as PlannedLayer).inShape.reduce((a, b) => a * b, 1);
  return tf.tensor2d(Array.from({ length: rows * f }, () => rng.next()), [rows, f]);
}

const ours = (layers: readonly PlannedLayer[], s: NetState, x: Tensor2D): Float32Array =>
  tf.softmax(forwardNet(tf, layers, s.params, s.stats, shapeInput(tf, layers, x), { training: false }).logits).dataSync() as Float32Array;

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5): void {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs((a[i] as number) - (b[i] as number)) <= tol, `element ${i}: ${a[i]} vs ${b[i]}`);
}

for (const [what, model, shape] of [
  ['a CNN with batch norm, both poolings and dropout', 'conv4k3:same-bn-maxpool-conv3k3:tanh-avgpool-dropout0.3-dense5:elu', [8, 8, 1]],
  ['a CNN with global pooling', 'conv4:sigmoid-bn-gap', [6, 6, 1]],
  ['a dense network on flat inputs', 'dense6:tanh-dropout0.2-bn-dense4', [20]],
] as const) {
  test(`saved networks load in tfjs-layers and predict the same: ${what}`, async () => {
    const layers = planModel(parseModel(model), shape, 3);
    const s = perturbed(layers, 7);
    const dir = tmp();
    const weights = [...s.params, ...s.stats].map((t) => ({ shape: t.shape, data: t.dataSync() as Float32Array }));
    await saveLayersModel(tf, dir, layers, weights, { hyperzone: { trial: 4 } });
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { format: string; userDefinedMetadata: unknown };
    assert.equal(json.format, 'layers-model');
    assert.deepEqual(json.userDefinedMetadata, { hyperzone: { trial: 4 } });
    assert.ok(existsSync(join(dir, 'weights.bin')));
    const loaded = await tf.loadLayersModel(fileLoader(dir));
    const x = input(layers, 5, 3);
    const xs = shape.length === 3 ? tf.reshape(x, [5, ...shape]) : x;
    const theirs = (loaded.predict(xs) as tf.Tensor).dataSync();
    close(ours(layers, s, x), theirs);
    // And back: what we saved reads into the same layers and weights.
    const back = readLayersModel(dir);
    assert.deepEqual(back.input, [...shape]);
    assert.ok(back.hasOutput);
    assert.deepEqual(
      back.layers.map((l) => l.spec.kind),
      layers.map((l) => l.spec.kind),
    );
  });
}

test('a model written by tfjs-layers reads into our layers and predicts the same', async () => {
  const m = tf.sequential();
  m.add(tf.layers.inputLayer({ inputShape: [10, 10, 1] }));
  m.add(tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'linear', name: 'c1' }));
  m.add(tf.layers.activation({ activation: 'relu' }));
  m.add(tf.layers.batchNormalization({ epsilon: 1e-5, momentum: 0.9, name: 'norm' }));
  m.add(tf.layers.averagePooling2d({ poolSize: 2 }));
  m.add(tf.layers.conv2d({ filters: 2, kernelSize: 2, activation: 'elu', useBias: false }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 4, activation: 'linear' }));
  m.add(tf.layers.activation({ activation: 'softmax' }));
  // Moving statistics off their initial values.
  const bn = m.getLayer('norm');
  bn.setWeights(bn.getWeights().map((w, i) => tf.add(w, tf.mul(tf.randomUniform(w.shape, 0, 1, 'float32', 11), i === 3 ? 1 : 0.5))));
  const dir = tmp();
  await m.save(fileSaver(dir));
  const loaded = readLayersModel(dir);
  assert.deepEqual(loaded.input, [10, 10, 1]);
  assert.ok(loaded.hasOutput, 'dense + softmax activation is a classifier');
  assert.deepEqual(
    loaded.layers.map((l) => l.spec),
    [
      { kind: 'conv2d', filters: 3, kernel: 3, padding: 'same', activation: 'relu' },
      { kind: 'batchnorm', epsilon: 1e-5, momentum: 0.9 },
      { kind: 'avgpool', size: 2 },
      { kind: 'conv2d', filters: 2, kernel: 2, padding: 'valid', activation: 'elu' },
      { kind: 'flatten' },
      { kind: 'dense', units: 4, activation: 'linear' },
    ],
  );
  // Our network from those layers (the output layer is the plan's own) with the loaded weights.
  const layers = planModel(
    loaded.layers.slice(0, -1).map((l) => l.spec),
    loaded.input,
    4,
  );
  const s = initNet(tf, layers, new Rng(1));
  loaded.layers.forEach((l, i) => setLayerWeights(tf, s, layers, i, l.weights));
  const x = input(layers, 6, 5);
  close(ours(layers, s, x), (m.predict(tf.reshape(x, [6, 10, 10, 1])) as tf.Tensor).dataSync());
});

test('an unsupported layer or setting is an error naming the layer', async () => {
  const write = async (build: (m: tf.Sequential) => void): Promise<string> => {
    const m = tf.sequential();
    build(m);
    const dir = tmp();
    await m.save(fileSaver(dir));
    return dir;
  };
  const refused = (dir: string, re: RegExp): void =>
    assert.throws(() => readLayersModel(dir), (e: unknown) => e instanceof InputError && re.test(e.message) && e.message.includes(join(dir, 'model.json')));
  refused(
    await write((m) => {
      m.add(tf.layers.dense({ inputShape: [4], units: 3, name: 'd1' }));
      m.add(tf.layers.leakyReLU({ name: 'leaky' }));
    }),
    /layer 2 `leaky` \(LeakyReLU\) is not a supported layer type \(supported: InputLayer, Dense, Conv2D/,
  );
  refused(
    await write((m) => m.add(tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3, strides: 2, name: 'strided' }))),
    /layer 1 `strided` \(Conv2D\) has strides \[2,2\]: only 1/,
  );
  refused(
    await write((m) => m.add(tf.layers.dense({ inputShape: [4], units: 3, activation: 'selu', name: 'd' }))),
    /layer 1 `d` \(Dense\) has activation selu/,
  );
  // A weight file shorter than the manifest says.
  const dir = await write((m) => m.add(tf.layers.dense({ inputShape: [4], units: 3, name: 'd' })));
  writeFileSync(join(dir, 'w.bin'), Buffer.alloc(8));
  refused(dir, /weight files end before weight d\/kernel/);
  assert.throws(() => readLayersModel(join(dir, 'nothing-here')), (e: unknown) => e instanceof InputError && /cannot be read/.test(e.message));
});
