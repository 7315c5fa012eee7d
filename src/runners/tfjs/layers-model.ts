import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { InputError } from '../../core/errors.js';
import type { Tf } from './backend.js';
import { LAYER_ACTIVATIONS, type FeatureShape, type LayerActivation, type LayerSpec, type PlannedLayer } from './model-spec.js';

/**
 * Networks in the TF.js Layers format (a directory with model.json and a weights file), which `tf.loadLayersModel`
 * reads: what a trial saves (`trainer.save_models`), what `hyperzone export-model` copies, and what `trainer.base_model`
 * loads for fine-tuning. Writing goes through tf.layers itself (a Sequential model built from the layer list, saved
 * by its own serialiser), so the topology is exactly what tfjs-layers expects; reading is plain JSON and bytes (no
 * TF.js needed), so a spec's base model is checked at study start in the main thread.
 */

/** A weight array with its shape. */
export interface WeightArray {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** One layer of a loaded model: its name in model.json, its class, our spec and its weights in our order. */
export interface LoadedLayer {
  readonly name: string;
  readonly className: string;
  readonly spec: LayerSpec;
  /** dense/conv2d [kernel, bias], batchnorm [gamma, beta, moving_mean, moving_variance]; none for the others. */
  readonly weights: readonly WeightArray[];
}

/** A model read from a directory. */
export interface LoadedModel {
  readonly dir: string;
  /** Input shape without the batch axis: [height, width, channels] or [features]. */
  readonly input: FeatureShape;
  /** The layers in order; a classifier (see `hasOutput`) is the last one. */
  readonly layers: readonly LoadedLayer[];
  /** Whether the last layer is a classifier: dense with a linear or softmax activation (softmax dropped: logits). */
  readonly hasOutput: boolean;
  /** model.json's userDefinedMetadata (hyperzone writes { hyperzone: { study, trial, params, classes, … } }). */
  readonly metadata: Readonly<Record<string, unknown>> | null;
}

/** The Keras layer classes the trainer supports, for messages. */
export const SUPPORTED_LAYER_CLASSES = [
  'InputLayer',
  'Dense',
  'Conv2D',
  'MaxPooling2D',
  'AveragePooling2D',
  'BatchNormalization',
  'Dropout',
  'Flatten',
  'GlobalAveragePooling2D',
  'Activation',
] as const;

const MODEL_FILE = 'model.json';
const WEIGHTS_FILE = 'weights.bin';

function fail(dir: string, why: string): InputError {
  return new InputError(`Model ${join(dir, MODEL_FILE)}: ${why}`);
}

type Json = Record<string, unknown>;

function pair(v: unknown): [number, number] | null {
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number')) return [v[0] as number, v[1] as number];
  return null;
}

function activationName(v: unknown): string {
  if (v === undefined || v === null) return 'linear';
  if (typeof v === 'string') return v;
  // Keras 3 may write { class_name: ..., config: { name } } or a registered name.
  const o = v as Json;
  return String((o['config'] as Json | undefined)?.['name'] ?? o['class_name'] ?? v);
}

/** The layer list of a model topology: Sequential (a list or { layers }) or a Functional model that is a chain. */
function layerList(dir: string, topology: Json): Json[] {
  const cls = topology['class_name'];
  const config = topology['config'];
  if (cls === 'Sequential') {
    const layers = Array.isArray(config) ? config : (config as Json | undefined)?.['layers'];
    if (!Array.isArray(layers)) throw fail(dir, 'a Sequential model without a layer list');
    return layers as Json[];
  }
  if (cls === 'Model' || cls === 'Functional') {
    const layers = (config as Json | undefined)?.['layers'];
    if (!Array.isArray(layers)) throw fail(dir, `a ${cls} model without a layer list`);
    // A chain: every layer's only input is the layer before it (tfjs / Keras 2 inbound_nodes form).
    (layers as Json[]).forEach((l, i) => {
      if (i === 0) return;
      const inbound = l['inbound_nodes'] as unknown[] | undefined;
      const prev = (layers[i - 1] as Json)['name'] ?? ((layers[i - 1] as Json)['config'] as Json)['name'];
      const first = Array.isArray(inbound) && inbound.length === 1 && Array.isArray(inbound[0]) ? (inbound[0] as unknown[]) : null;
      const from = first !== null && first.length === 1 && Array.isArray(first[0]) ? (first[0] as unknown[])[0] : undefined;
      if (from !== prev) {
        const name = l['name'] ?? (l['config'] as Json)['name'];
        throw fail(dir, `layer ${i + 1} \`${String(name)}\` does not take the previous layer as its only input: only chains of layers (Sequential) are supported`);
      }
    });
    return layers as Json[];
  }
  throw fail(dir, `model class ${JSON.stringify(cls)} is not supported (Sequential, or a Functional chain)`);
}

function inputShapeOf(config: Json): number[] | null {
  const s = config['batch_input_shape'] ?? config['batch_shape'] ?? config['batchInputShape'];
  if (Array.isArray(s)) return s.slice(1) as number[];
  const i = config['input_shape'] ?? config['inputShape'];
  return Array.isArray(i) ? (i as number[]) : null;
}

/** Reads the weight files of a manifest into named arrays (float32 only). */
function readWeights(dir: string, manifest: unknown): Map<string, WeightArray> {
  if (!Array.isArray(manifest)) throw fail(dir, 'no weightsManifest');
  const out = new Map<string, WeightArray>();
  for (const group of manifest as Json[]) {
    const paths = group['paths'] as string[] | undefined;
    const specs = group['weights'] as Json[] | undefined;
    if (!Array.isArray(paths) || !Array.isArray(specs)) throw fail(dir, 'a weightsManifest group without paths or weights');
    const parts = paths.map((p) => {
      const file = resolve(dir, p);
      if (dirname(file) !== resolve(dir)) throw fail(dir, `weights path ${JSON.stringify(p)} is outside the model's directory`);
      try {
        return readFileSync(file);
      } catch (e) {
        throw fail(dir, `weights file ${p} cannot be read: ${(e as Error).message}`);
      }
    });
    const bytes = Buffer.concat(parts);
    let offset = 0;
    for (const spec of specs) {
      const name = String(spec['name']);
      const shape = spec['shape'] as number[];
      if (spec['quantization'] !== undefined) throw fail(dir, `weight ${name} is quantized: only float32 weights are supported`);
      if (spec['dtype'] !== 'float32') throw fail(dir, `weight ${name} has dtype ${String(spec['dtype'])}: only float32 weights are supported`);
      const size = shape.reduce((a, b) => a * b, 1);
      if (offset + size * 4 > bytes.length) throw fail(dir, `the weight files end before weight ${name} (${bytes.length} bytes)`);
      const data = new Float32Array(size);
      for (let k = 0; k < size; k++) data[k] = bytes.readFloatLE(offset + 4 * k);
      out.set(name, { shape, data });
      offset += size * 4;
    }
  }
  return out;
}

/** Reads a TF.js Layers model (model.json and its weight files) from a directory. Throws InputError naming what is unsupported. */
export function readLayersModel(dir: string): LoadedModel {
  let json: Json;
  try {
    json = JSON.parse(readFileSync(join(dir, MODEL_FILE), 'utf8')) as Json;
  } catch (e) {
    throw new InputError(`Model ${join(dir, MODEL_FILE)} cannot be read: ${(e as Error).message}`, { cause: e });
  }
  let topology = json['modelTopology'] as Json | undefined;
  if (topology === undefined || topology === null) throw fail(dir, 'no modelTopology (a graph model? only Layers models can be fine-tuned)');
  // Keras' model.to_json() nests the model under model_config.
  if (topology['model_config'] !== undefined) topology = topology['model_config'] as Json;
  const raw = layerList(dir, topology);
  const weights = readWeights(dir, json['weightsManifest']);
  const weightOf = (layer: string, w: string, shape: readonly number[]): WeightArray => {
    let found = weights.get(`${layer}/${w}`);
    if (found === undefined) {
      const hits = [...weights.keys()].filter((k) => k.endsWith(`/${layer}/${w}`));
      if (hits.length === 1) found = weights.get(hits[0] as string);
    }
    if (found === undefined) throw fail(dir, `layer \`${layer}\` has no weight ${w} in the manifest`);
    if (found.shape.length !== shape.length || found.shape.some((d, i) => d !== shape[i])) {
      throw fail(dir, `weight ${layer}/${w} has shape [${found.shape.join(', ')}], the layer needs [${shape.join(', ')}]`);
    }
    return found;
  };

  let input: number[] | null = null;
  let shape: number[] | null = null;
  const layers: LoadedLayer[] = [];
  let softmaxAt = -1;
  raw.forEach((entry, i) => {
    const className = String(entry['class_name']);
    const config = (entry['config'] ?? {}) as Json;
    const name = String(config['name'] ?? entry['name'] ?? `layer_${i + 1}`);
    const where = `layer ${i + 1} \`${name}\` (${className})`;
    const unsupported = (why: string): InputError => fail(dir, `${where} ${why}`);
    if (input === null) {
      input = inputShapeOf(config);
      if (input === null) throw fail(dir, `${where} gives no input shape (batch_input_shape)`);
      if (input.some((d) => typeof d !== 'number' || !(d >= 1))) throw fail(dir, `input shape [${input.join(', ')}] is not fully known`);
      shape = [...input];
      if (className === 'InputLayer') return;
    } else if (className === 'InputLayer') throw unsupported('is an input layer after the first');
    if (softmaxAt >= 0) throw fail(dir, `${where} follows a softmax: only the last layer may have one`);
    const cur = shape as number[];
    const act = (): LayerActivation | 'softmax' => {
      const a = activationName(config['activation']);
      if (a === 'softmax') return 'softmax';
      if (!(LAYER_ACTIVATIONS as readonly string[]).includes(a)) throw unsupported(`has activation ${a} (supported: ${LAYER_ACTIVATIONS.join(', ')}, softmax on the last layer)`);
      return a as LayerActivation;
    };
    const add = (spec: LayerSpec, w: WeightArray[], next: number[]): void => {
      layers.push({ name, className, spec, weights: w });
      shape = next;
    };
    const bias = (n: number, use: unknown, kernelShape: readonly number[]): WeightArray[] => [
      weightOf(name, 'kernel', kernelShape),
      use === false ? { shape: [n], data: new Float32Array(n) } : weightOf(name, 'bias', [n]),
    ];
    switch (className) {
      case 'Dense': {
        if (cur.length !== 1) throw unsupported(`takes a ${cur.length}-axis input: only flat inputs (add a Flatten layer)`);
        const units = Number(config['units']);
        const a = act();
        if (a === 'softmax') softmaxAt = layers.length;
        add({ kind: 'dense', units, activation: a === 'softmax' ? 'linear' : a }, bias(units, config['use_bias'], [cur[0] as number, units]), [units]);
        return;
      }
      case 'Conv2D': {
        if (cur.length !== 3) throw unsupported('needs images (height × width × channels)');
        const k = pair(config['kernel_size']);
        if (k === null || k[0] !== k[1]) throw unsupported(`has kernel ${JSON.stringify(config['kernel_size'])}: only square kernels`);
        const st = pair(config['strides'] ?? 1);
        if (st === null || st[0] !== 1 || st[1] !== 1) throw unsupported(`has strides ${JSON.stringify(config['strides'])}: only 1`);
        const dil = pair(config['dilation_rate'] ?? 1);
        if (dil === null || dil[0] !== 1 || dil[1] !== 1) throw unsupported(`has dilation ${JSON.stringify(config['dilation_rate'])}: only 1`);
        if ((config['data_format'] ?? 'channels_last') !== 'channels_last') throw unsupported(`has data_format ${String(config['data_format'])}: only channels_last`);
        const padding = config['padding'] ?? 'valid';
        if (padding !== 'same' && padding !== 'valid') throw unsupported(`has padding ${String(padding)}: only same or valid`);
        if ((config['groups'] ?? 1) !== 1) throw unsupported('is a grouped convolution');
        const filters = Number(config['filters']);
        const a = act();
        if (a === 'softmax') throw unsupported('has a softmax activation');
        const [h, w, c] = cur as [number, number, number];
        const out = padding === 'same' ? [h, w] : [h - k[0] + 1, w - k[0] + 1];
        add({ kind: 'conv2d', filters, kernel: k[0], padding, activation: a }, bias(filters, config['use_bias'], [k[0], k[0], c, filters]), [out[0] as number, out[1] as number, filters]);
        return;
      }
      case 'MaxPooling2D':
      case 'MaxPool2D':
      case 'AveragePooling2D':
      case 'AvgPool2D': {
        if (cur.length !== 3) throw unsupported('needs images');
        const p = pair(config['pool_size'] ?? 2);
        if (p === null || p[0] !== p[1]) throw unsupported(`has pool size ${JSON.stringify(config['pool_size'])}: only square pools`);
        const st = config['strides'] === null || config['strides'] === undefined ? p : pair(config['strides']);
        if (st === null || st[0] !== p[0] || st[1] !== p[0]) throw unsupported(`has strides ${JSON.stringify(config['strides'])}: only strides equal to the pool size`);
        if ((config['padding'] ?? 'valid') !== 'valid') throw unsupported(`has padding ${String(config['padding'])}: only valid`);
        const [h, w, c] = cur as [number, number, number];
        add({ kind: className.startsWith('Max') ? 'maxpool' : 'avgpool', size: p[0] }, [], [Math.floor(h / p[0]), Math.floor(w / p[0]), c]);
        return;
      }
      case 'BatchNormalization': {
        const axis = config['axis'];
        const ax = Array.isArray(axis) && axis.length === 1 ? axis[0] : (axis ?? -1);
        if (ax !== -1 && ax !== cur.length) throw unsupported(`normalises axis ${JSON.stringify(axis)}: only the last (channels)`);
        const c = cur[cur.length - 1] as number;
        const ones = { shape: [c], data: new Float32Array(c).fill(1) };
        const zeros = { shape: [c], data: new Float32Array(c) };
        const w = [
          config['scale'] === false ? ones : weightOf(name, 'gamma', [c]),
          config['center'] === false ? zeros : weightOf(name, 'beta', [c]),
          weightOf(name, 'moving_mean', [c]),
          weightOf(name, 'moving_variance', [c]),
        ];
        const epsilon = Number(config['epsilon'] ?? 1e-3);
        const momentum = Number(config['momentum'] ?? 0.99);
        add({ kind: 'batchnorm', epsilon, momentum }, w, cur);
        return;
      }
      case 'Dropout':
        add({ kind: 'dropout', rate: Number(config['rate'] ?? 0) }, [], cur);
        return;
      case 'Flatten':
        add({ kind: 'flatten' }, [], [cur.reduce((a, b) => a * b, 1)]);
        return;
      case 'GlobalAveragePooling2D':
        if (cur.length !== 3) throw unsupported('needs images');
        if (config['keepdims'] === true) throw unsupported('keeps dims: only keepdims false');
        add({ kind: 'gap' }, [], [cur[2] as number]);
        return;
      case 'Activation': {
        // Folded into the layer before it when that one is linear (Keras users write Conv2D then Activation).
        const a = act();
        const prev = layers[layers.length - 1];
        if (prev === undefined || (prev.spec.kind !== 'dense' && prev.spec.kind !== 'conv2d') || prev.spec.activation !== 'linear' || softmaxAt >= 0) {
          throw unsupported('follows a layer it cannot be folded into (only an Activation right after a linear Dense or Conv2D is supported)');
        }
        if (a === 'softmax') {
          if (prev.spec.kind !== 'dense') throw unsupported('is a softmax after a convolution');
          softmaxAt = layers.length - 1;
        } else layers[layers.length - 1] = { ...prev, spec: { ...prev.spec, activation: a } };
        return;
      }
      default:
        throw unsupported(`is not a supported layer type (supported: ${SUPPORTED_LAYER_CLASSES.join(', ')})`);
    }
  });
  if (input === null || layers.length === 0) throw fail(dir, 'no layers');
  const last = layers[layers.length - 1] as LoadedLayer;
  const hasOutput = last.spec.kind === 'dense' && last.spec.activation === 'linear';
  const metadata = (json['userDefinedMetadata'] as Json | undefined) ?? null;
  return { dir, input: input as FeatureShape, layers, hasOutput, metadata };
}

/** Keras' class name and config of one of our layers (tf.layers arguments). */
function kerasLayer(tf: Tf, spec: LayerSpec, name: string, inputShape: readonly number[] | undefined, output: boolean) {
  const first = inputShape === undefined ? {} : { inputShape: [...inputShape] };
  switch (spec.kind) {
    case 'dense':
      return tf.layers.dense({ ...first, name, units: spec.units, activation: output ? 'softmax' : spec.activation });
    case 'conv2d':
      return tf.layers.conv2d({ ...first, name, filters: spec.filters, kernelSize: spec.kernel, padding: spec.padding, activation: spec.activation });
    case 'maxpool':
      return tf.layers.maxPooling2d({ ...first, name, poolSize: spec.size, strides: spec.size, padding: 'valid' });
    case 'avgpool':
      return tf.layers.averagePooling2d({ ...first, name, poolSize: spec.size, strides: spec.size, padding: 'valid' });
    case 'batchnorm':
      return tf.layers.batchNormalization({ ...first, name, epsilon: spec.epsilon ?? 1e-3, momentum: spec.momentum ?? 0.99 });
    case 'dropout':
      return tf.layers.dropout({ ...first, name, rate: spec.rate });
    case 'flatten':
      return tf.layers.flatten({ ...first, name });
    case 'gap':
      return tf.layers.globalAveragePooling2d({ ...first, name });
  }
}

const KERAS_NAMES: Readonly<Record<LayerSpec['kind'], string>> = {
  dense: 'dense',
  conv2d: 'conv2d',
  maxpool: 'max_pooling2d',
  avgpool: 'average_pooling2d',
  batchnorm: 'batch_normalization',
  dropout: 'dropout',
  flatten: 'flatten',
  gap: 'global_average_pooling2d',
};

/**
 * Writes a trained network to `dir` as model.json and weights.bin. `layers` is the plan (the last layer is the
 * output, saved with a softmax so that `predict` gives probabilities, as a Keras classifier does); `weights` are
 * the trainable params of every layer in order, then the batch-norm moving statistics in order (net.ts's snapshot).
 */
export async function saveLayersModel(
  tf: Tf,
  dir: string,
  layers: readonly PlannedLayer[],
  weights: readonly WeightArray[],
  metadata: Readonly<Record<string, unknown>>,
): Promise<void> {
  const counts = new Map<string, number>();
  const model = tf.sequential();
  const own: number[][] = [];
  let p = 0;
  const nParams = layers.reduce((a, l) => a + (l.spec.kind === 'dense' || l.spec.kind === 'conv2d' || l.spec.kind === 'batchnorm' ? 2 : 0), 0);
  let q = nParams;
  layers.forEach((l, i) => {
    const base = KERAS_NAMES[l.spec.kind];
    const n = (counts.get(base) ?? 0) + 1;
    counts.set(base, n);
    model.add(kerasLayer(tf, l.spec, `${base}_${n}`, i === 0 ? l.inShape : undefined, i === layers.length - 1));
    const idx: number[] = [];
    if (l.spec.kind === 'dense' || l.spec.kind === 'conv2d') idx.push(p++, p++);
    if (l.spec.kind === 'batchnorm') idx.push(p++, p++, q++, q++);
    own.push(idx);
  });
  if (q !== weights.length) throw new Error(`saveLayersModel: ${weights.length} weight arrays for a plan needing ${q}`);
  const made: { dispose(): void }[] = [];
  try {
    model.layers.forEach((layer, i) => {
      const ws = (own[i] as number[]).map((k) => {
        const w = weights[k] as WeightArray;
        const t = tf.tensor(w.data, [...w.shape]);
        made.push(t);
        return t;
      });
      if (ws.length > 0) layer.setWeights(ws);
    });
    let artifacts: import('@tensorflow/tfjs').io.ModelArtifacts | null = null;
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const a = artifacts as import('@tensorflow/tfjs').io.ModelArtifacts | null;
    if (a === null || a.weightData === undefined) throw new Error('saveLayersModel: tf.layers gave no artifacts');
    const data = Buffer.from(tf.io.CompositeArrayBuffer.join(a.weightData));
    const json = {
      format: a.format,
      generatedBy: a.generatedBy,
      convertedBy: 'hyperzone',
      modelTopology: a.modelTopology,
      weightsManifest: [{ paths: [WEIGHTS_FILE], weights: a.weightSpecs }],
      userDefinedMetadata: metadata,
    };
    writeModelFiles(dir, JSON.stringify(json), data);
  } finally {
    made.forEach((t) => t.dispose());
    model.dispose();
  }
}

/** Writes model.json and weights.bin, each through a temporary name, so a reader never sees half a file. */
export function writeModelFiles(dir: string, modelJson: string, weights: Uint8Array): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${WEIGHTS_FILE}.tmp`), weights);
  renameSync(join(dir, `${WEIGHTS_FILE}.tmp`), join(dir, WEIGHTS_FILE));
  writeFileSync(join(dir, `${MODEL_FILE}.tmp`), modelJson);
  renameSync(join(dir, `${MODEL_FILE}.tmp`), join(dir, MODEL_FILE));
}

/** The files of a model directory: model.json and the weight files its manifest names. */
export function modelFiles(dir: string): string[] {
  const json = JSON.parse(readFileSync(join(dir, MODEL_FILE), 'utf8')) as Json;
  const manifest = (json['weightsManifest'] ?? []) as Json[];
  return [MODEL_FILE, ...manifest.flatMap((g) => (g['paths'] as string[] | undefined) ?? [])];
}
