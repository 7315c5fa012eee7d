import { InputError } from '../../core/errors.js';

/** Activations a layer may carry. */
export const LAYER_ACTIVATIONS = ['relu', 'tanh', 'sigmoid', 'elu', 'linear'] as const;
/** One layer activation. */
export type LayerActivation = (typeof LAYER_ACTIVATIONS)[number];

/** One layer of a model, as the `model` param describes it. The output layer (dense, one unit per class) is implied. */
export type LayerSpec =
  | { readonly kind: 'dense'; readonly units: number; readonly activation: LayerActivation }
  | { readonly kind: 'conv2d'; readonly filters: number; readonly kernel: number; readonly padding: 'same' | 'valid'; readonly activation: LayerActivation }
  | { readonly kind: 'maxpool' | 'avgpool'; readonly size: number }
  // ε and momentum: Keras' defaults (1e-3, 0.99, layers.ts) unless a loaded base model says otherwise.
  | { readonly kind: 'batchnorm'; readonly epsilon?: number; readonly momentum?: number }
  | { readonly kind: 'dropout'; readonly rate: number }
  | { readonly kind: 'flatten' }
  | { readonly kind: 'gap' };

/** The grammar in words, for error messages and the contract. */
export const MODEL_GRAMMAR =
  "layers joined by '-': convF[kK][:same|:valid][:act], denseN[:act], maxpool[S], avgpool[S], bn, dropoutR, flatten, gap " +
  "(e.g. 'conv32-conv64-maxpool-dropout0.25-flatten-dense128-dropout0.5')";

const POSITIVE = /^[1-9]\d*$/;

function bad(token: string, at: number, why: string): Error {
  return new Error(`layer ${at} \`${token}\`: ${why}`);
}

function activationOf(opts: string[], token: string, at: number, fallback: LayerActivation): LayerActivation {
  const acts = opts.filter((o) => (LAYER_ACTIVATIONS as readonly string[]).includes(o));
  if (acts.length > 1) throw bad(token, at, 'more than one activation');
  return (acts[0] as LayerActivation | undefined) ?? fallback;
}

function parseToken(token: string, at: number, fallback: LayerActivation): LayerSpec {
  const [head = '', ...opts] = token.split(':');
  const unknownOpt = (allowed: readonly string[]): void => {
    const o = opts.find((x) => !allowed.includes(x));
    if (o !== undefined) throw bad(token, at, `unknown option \`${o}\` (accepted: ${allowed.join(', ') || 'none'})`);
  };
  let m: RegExpExecArray | null;
  if ((m = /^dense(\d+)$/.exec(head))) {
    unknownOpt(LAYER_ACTIVATIONS);
    if (!POSITIVE.test(m[1] as string)) throw bad(token, at, 'units must be an integer ≥ 1');
    return { kind: 'dense', units: Number(m[1]), activation: activationOf(opts, token, at, fallback) };
  }
  if ((m = /^conv(\d+)(?:k(\d+))?$/.exec(head))) {
    unknownOpt([...LAYER_ACTIVATIONS, 'same', 'valid']);
    if (!POSITIVE.test(m[1] as string)) throw bad(token, at, 'filters must be an integer ≥ 1');
    if (m[2] !== undefined && !POSITIVE.test(m[2])) throw bad(token, at, 'kernel size must be an integer ≥ 1');
    if (opts.includes('same') && opts.includes('valid')) throw bad(token, at, 'both `same` and `valid`');
    return {
      kind: 'conv2d',
      filters: Number(m[1]),
      kernel: m[2] === undefined ? 3 : Number(m[2]),
      padding: opts.includes('same') ? 'same' : 'valid',
      activation: activationOf(opts, token, at, fallback),
    };
  }
  if ((m = /^(max|avg)pool(\d+)?$/.exec(head))) {
    unknownOpt([]);
    if (m[2] !== undefined && !POSITIVE.test(m[2])) throw bad(token, at, 'pool size must be an integer ≥ 1');
    return { kind: m[1] === 'max' ? 'maxpool' : 'avgpool', size: m[2] === undefined ? 2 : Number(m[2]) };
  }
  if ((m = /^dropout(\d*\.?\d+)$/.exec(head))) {
    unknownOpt([]);
    const rate = Number(m[1]);
    if (!(rate >= 0 && rate < 1)) throw bad(token, at, 'rate must be in [0, 1)');
    return { kind: 'dropout', rate };
  }
  unknownOpt([]);
  if (head === 'bn' || head === 'batchnorm') return { kind: 'batchnorm' };
  if (head === 'flatten') return { kind: 'flatten' };
  if (head === 'gap' || head === 'globalavgpool') return { kind: 'gap' };
  throw bad(token, at, 'unknown layer');
}

/**
 * Parses a compact model string (one string, so that a categorical search space can choose among architectures).
 * Layers without an activation option get `fallback` (the `activation` param). Throws Error naming the bad token.
 */
export function parseModel(text: string, fallback: LayerActivation = 'relu'): LayerSpec[] {
  const tokens = text.trim().split('-');
  if (text.trim() === '') throw new Error('no layers');
  return tokens.map((t, i) => {
    if (t === '') throw new Error(`layer ${i + 1} is empty (two '-' in a row?)`);
    return parseToken(t, i + 1, fallback);
  });
}

/**
 * Why a value is not a model string, or null when it is one. Besides the grammar, checks the layer order on
 * images of any size (a convolution or pooling after flatten, dense or gap fails whatever the dataset); whether a
 * kernel or pool fits the images is known only when the dataset is loaded (planModel, at the trial).
 */
export function modelProblem(value: unknown): string | null {
  if (typeof value !== 'string') return 'not a string';
  try {
    const layers = parseModel(value);
    const flat = layers.findIndex((l) => l.kind === 'flatten' || l.kind === 'dense' || l.kind === 'gap');
    const image = flat < 0 ? -1 : layers.findIndex((l, i) => i > flat && (l.kind === 'conv2d' || l.kind === 'maxpool' || l.kind === 'avgpool' || l.kind === 'gap'));
    if (image >= 0) return `layer ${image + 1} (${layers[image]?.kind}) needs images, but layer ${flat + 1} (${layers[flat]?.kind}) made them flat`;
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

/** A tensor shape without the batch axis: [height, width, channels] or [features]. */
export type FeatureShape = readonly [number, number, number] | readonly [number];

/** A layer with the shapes it maps between, and its trainable parameter count. */
export interface PlannedLayer {
  readonly spec: LayerSpec;
  readonly inShape: FeatureShape;
  readonly outShape: FeatureShape;
  readonly parameters: number;
}

/**
 * Walks the layers from the input shape, inserting a flatten before a dense layer that follows images (as a
 * Keras user writes explicitly), and appending the output layer. Throws InputError naming the layer that cannot
 * take its input (a convolution after flatten, a pool larger than the image).
 */
export function planModel(layers: readonly LayerSpec[], input: FeatureShape, classes: number, field = 'model'): PlannedLayer[] {
  const out: PlannedLayer[] = [];
  let shape: FeatureShape = input;
  const fail = (i: number, why: string): InputError =>
    new InputError(`Expected \`${field}\` to fit ${input.join('×')} inputs: layer ${i + 1} (${layers[i]?.kind}) ${why}`, { code: 'INVALID_PARAM' });
  const push = (spec: LayerSpec, next: FeatureShape, parameters: number): void => {
    out.push({ spec, inShape: shape, outShape: next, parameters });
    shape = next;
  };
  const all: LayerSpec[] = [...layers, { kind: 'dense', units: classes, activation: 'linear' }];
  all.forEach((spec, i) => {
    switch (spec.kind) {
      case 'dense': {
        if (shape.length === 3) push({ kind: 'flatten' }, [shape[0] * shape[1] * shape[2]], 0);
        const f = shape[0];
        push(spec, [spec.units], f * spec.units + spec.units);
        return;
      }
      case 'conv2d': {
        if (shape.length !== 3) throw fail(i, 'needs images (height × width × channels), but its input is flat');
        const [h, w, c] = shape;
        const [oh, ow] = spec.padding === 'same' ? [h, w] : [h - spec.kernel + 1, w - spec.kernel + 1];
        if (oh < 1 || ow < 1) throw fail(i, `has a ${spec.kernel}×${spec.kernel} kernel larger than its ${h}×${w} input`);
        push(spec, [oh, ow, spec.filters], spec.kernel * spec.kernel * c * spec.filters + spec.filters);
        return;
      }
      case 'maxpool':
      case 'avgpool': {
        if (shape.length !== 3) throw fail(i, 'needs images, but its input is flat');
        const [h, w, c] = shape;
        const oh = Math.floor(h / spec.size);
        const ow = Math.floor(w / spec.size);
        if (oh < 1 || ow < 1) throw fail(i, `pools ${spec.size}×${spec.size} over a ${h}×${w} input`);
        push(spec, [oh, ow, c], 0);
        return;
      }
      case 'batchnorm':
        push(spec, shape, 2 * (shape[shape.length - 1] as number));
        return;
      case 'dropout':
        push(spec, shape, 0);
        return;
      case 'flatten':
        push(spec, shape.length === 3 ? [shape[0] * shape[1] * shape[2]] : shape, 0);
        return;
      case 'gap':
        if (shape.length !== 3) throw fail(i, 'needs images, but its input is flat');
        push(spec, [shape[2]], 0);
        return;
    }
  });
  return out;
}
