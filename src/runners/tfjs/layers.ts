import type { Tensor, Tensor1D, Tensor2D, Tensor4D } from '@tensorflow/tfjs';
import type { Rng } from '../../core/rng.js';
import type { Tf } from './backend.js';
import { convForward, convInputGrad, convParamGrads } from './conv.js';
import { dropoutMasks } from './dropout.js';
import { maxPoolGrad } from './pool-grad.js';
import type { LayerActivation, PlannedLayer } from './model-spec.js';

/**
 * Forward and backward passes of each layer kind, written with plain TF.js ops (no autodiff: see fnn.ts and conv.ts
 * for why). A layer's trainable params come in a fixed order: dense [W, b], conv2d [W, b], batchnorm [γ, β]; batch
 * norm also keeps non-trainable moving statistics [mean, variance].
 */

/** Keras' BatchNormalization defaults. */
export const BATCHNORM = { momentum: 0.99, epsilon: 1e-3 } as const;

/** Applies an activation. */
export function activate(tf: Tf, z: Tensor, act: LayerActivation): Tensor {
  switch (act) {
    case 'relu':
      return tf.relu(z);
    case 'tanh':
      return tf.tanh(z);
    case 'sigmoid':
      return tf.sigmoid(z);
    case 'elu':
      return tf.elu(z);
    case 'linear':
      return z;
  }
}

/** Gradient through an activation, from its output `a`. */
export function activationGrad(tf: Tf, g: Tensor, a: Tensor, act: LayerActivation): Tensor {
  switch (act) {
    case 'relu':
      return tf.mul(g, tf.step(a));
    case 'tanh':
      return tf.mul(g, tf.sub(1, tf.square(a)));
    case 'sigmoid':
      return tf.mul(g, tf.mul(a, tf.sub(1, a)));
    case 'elu':
      return tf.mul(g, tf.where(tf.greater(a, 0), tf.onesLike(a), tf.add(a, 1)));
    case 'linear':
      return g;
  }
}

/** Glorot-uniform (Keras' default for Dense and Conv2D) from the trial's generator. */
function glorot(tf: Tf, shape: number[], fanIn: number, fanOut: number, rng: Rng): Tensor {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const size = shape.reduce((a, b) => a * b, 1);
  const w = new Float32Array(size);
  for (let i = 0; i < size; i++) w[i] = (rng.next() * 2 - 1) * limit;
  return tf.tensor(w, shape);
}

/** Initial trainable params and moving statistics of one layer. */
export function initLayer(tf: Tf, layer: PlannedLayer, rng: Rng): { params: Tensor[]; stats: Tensor[] } {
  const s = layer.spec;
  switch (s.kind) {
    case 'dense': {
      const f = layer.inShape[0];
      return { params: [glorot(tf, [f, s.units], f, s.units, rng), tf.zeros([s.units])], stats: [] };
    }
    case 'conv2d': {
      const c = layer.inShape[2] as number;
      const k = s.kernel;
      return { params: [glorot(tf, [k, k, c, s.filters], k * k * c, k * k * s.filters, rng), tf.zeros([s.filters])], stats: [] };
    }
    case 'batchnorm': {
      const c = layer.inShape[layer.inShape.length - 1] as number;
      return { params: [tf.ones([c]), tf.zeros([c])], stats: [tf.zeros([c]), tf.ones([c])] };
    }
    default:
      return { params: [], stats: [] };
  }
}

/** What a layer's forward pass keeps for its backward pass. */
export interface LayerCache {
  readonly x: Tensor;
  readonly y: Tensor;
  /** Dropout mask; batch norm's normalised input and 1/σ. */
  readonly extra?: readonly Tensor[];
}

/** How a forward pass runs: training (dropout on, batch statistics) or evaluation. */
export interface ForwardContext {
  readonly training: boolean;
  /** Draws dropout masks; needed when training. */
  readonly rng?: Rng;
  /** Fixed masks by layer index (gradient checks); otherwise drawn from `rng`. */
  readonly masks?: ReadonlyMap<number, Tensor>;
  /** Layers below this index are frozen (fine-tuning): a batch norm among them uses its moving statistics. */
  readonly frozenBelow?: number;
}

/** One layer forward. Returns the output, what backward needs, and (batch norm, training) the new moving statistics. */
export function forwardLayer(
  tf: Tf,
  layer: PlannedLayer,
  index: number,
  x: Tensor,
  params: readonly Tensor[],
  stats: readonly Tensor[],
  ctx: ForwardContext,
): { y: Tensor; cache: LayerCache; stats?: Tensor[] } {
  const s = layer.spec;
  const rows = x.shape[0] as number;
  switch (s.kind) {
    case 'dense': {
      const [w, b] = params as [Tensor2D, Tensor1D];
      const z =
        s.activation === 'relu' || s.activation === 'linear'
          ? tf.fused.matMul({ a: x as Tensor2D, b: w, bias: b, activation: s.activation })
          : activate(tf, tf.add(tf.matMul(x as Tensor2D, w), b), s.activation);
      return { y: z, cache: { x, y: z } };
    }
    case 'conv2d': {
      const [w, b] = params as [Tensor4D, Tensor1D];
      // One fused op for ReLU and linear (bias and activation in XNNPACK's output pass).
      const y =
        s.activation === 'relu' || s.activation === 'linear'
          ? tf.fused.conv2d({ x: x as Tensor4D, filter: w, strides: 1, pad: s.padding, bias: b, activation: s.activation })
          : activate(tf, tf.add(convForward(tf, x as Tensor4D, w, s.padding), b), s.activation);
      return { y, cache: { x, y } };
    }
    case 'maxpool':
    case 'avgpool': {
      const pool = s.kind === 'maxpool' ? tf.maxPool : tf.avgPool;
      const y = pool(x as Tensor4D, s.size, s.size, 'valid');
      return { y, cache: { x, y } };
    }
    case 'batchnorm': {
      const axes = x.rank === 4 ? [0, 1, 2] : [0];
      const [gamma, beta] = params as [Tensor1D, Tensor1D];
      const [movingMean, movingVar] = stats as [Tensor1D, Tensor1D];
      const eps = s.epsilon ?? BATCHNORM.epsilon;
      // A frozen batch norm runs as in evaluation (moving statistics, left as they are), as Keras' trainable=False.
      if (!ctx.training || (ctx.frozenBelow ?? 0) > index) {
        const y = tf.add(tf.mul(tf.div(tf.sub(x, movingMean), tf.sqrt(tf.add(movingVar, eps))), gamma), beta);
        return { y, cache: { x, y } };
      }
      const { mean, variance } = tf.moments(x, axes);
      const invStd = tf.rsqrt(tf.add(variance, eps));
      const xhat = tf.mul(tf.sub(x, mean), invStd);
      const y = tf.add(tf.mul(xhat, gamma), beta);
      const mo = s.momentum ?? BATCHNORM.momentum;
      const next = [tf.add(tf.mul(movingMean, mo), tf.mul(mean, 1 - mo)), tf.add(tf.mul(movingVar, mo), tf.mul(variance, 1 - mo))];
      return { y, cache: { x, y, extra: [xhat, invStd] }, stats: next };
    }
    case 'dropout': {
      if (!ctx.training || s.rate === 0) return { y: x, cache: { x, y: x } };
      const size = x.size / rows;
      const given = ctx.masks?.get(index);
      let mask: Tensor;
      if (given !== undefined) mask = given;
      else {
        if (ctx.rng === undefined) throw new Error('forwardLayer: training dropout needs a generator');
        mask = tf.reshape(dropoutMasks(tf, ctx.rng, rows, [size], [s.rate])[0] as Tensor2D, x.shape);
      }
      const y = tf.mul(x, mask);
      return { y, cache: { x, y, extra: [mask] } };
    }
    case 'flatten': {
      const y = tf.reshape(x, [rows, x.size / rows]);
      return { y, cache: { x, y } };
    }
    case 'gap': {
      const y = tf.mean(x, [1, 2]);
      return { y, cache: { x, y } };
    }
  }
}

/** Gradient through a non-overlapping average pool. */
function avgPoolGrad(tf: Tf, x: Tensor4D, dy: Tensor4D, size: number): Tensor {
  const [n, h, w, c] = x.shape;
  const [, oh, ow] = dy.shape;
  const spread = tf.tile(tf.div(tf.reshape(dy, [n, oh, 1, ow, 1, c]), size * size), [1, 1, size, 1, size, 1]);
  const dx = tf.reshape(spread, [n, oh * size, ow * size, c]);
  return oh * size === h && ow * size === w ? dx : tf.pad(dx, [[0, 0], [0, h - oh * size], [0, w - ow * size], [0, 0]]);
}

/** Fused steps between neighbouring layers' backward passes (backwardNet decides them). */
export interface BackwardFusion {
  /** A max pool whose input is a ReLU's output: its dx is taken through that ReLU too (pool-grad.ts). */
  readonly inputRelu?: boolean;
  /** A dense or conv2d layer's dy is already the gradient of its pre-activation output: no activation gradient. */
  readonly preActivation?: boolean;
}

/** One layer backward: the gradient of its input (unless `needDx` is false) and of its params, in params order. */
export function backwardLayer(
  tf: Tf,
  layer: PlannedLayer,
  dy: Tensor,
  cache: LayerCache,
  params: readonly Tensor[],
  needDx: boolean,
  fusion: BackwardFusion = {},
): { dx: Tensor | null; grads: Tensor[] } {
  const s = layer.spec;
  const x = cache.x;
  switch (s.kind) {
    case 'dense': {
      const g = (fusion.preActivation === true ? dy : activationGrad(tf, dy, cache.y, s.activation)) as Tensor2D;
      const w = params[0] as Tensor2D;
      // Explicit transposes: WASM's matMul with transposeA/B runs a slow path (fnn.ts).
      const grads = [tf.matMul(tf.transpose(x as Tensor2D), g), tf.sum(g, 0)];
      if (!needDx) return { dx: null, grads };
      // A wide fan-in (9216 → 128 after mnist_cnn's flatten) is cheaper as (W·gᵀ)ᵀ: XNNPACK then packs the small gᵀ
      // instead of the fresh 9216-wide Wᵀ (49 against 104 ms per batch of 128, WASM).
      const [fanIn, units] = w.shape;
      return { dx: fanIn > 4 * units ? tf.transpose(tf.matMul(w, tf.transpose(g))) : tf.matMul(g, tf.transpose(w)), grads };
    }
    case 'conv2d': {
      const g = (fusion.preActivation === true ? dy : activationGrad(tf, dy, cache.y, s.activation)) as Tensor4D;
      const w = params[0] as Tensor4D;
      const grads = convParamGrads(tf, x as Tensor4D, g, s.kernel, s.padding);
      return { dx: needDx ? convInputGrad(tf, g, w, s.padding) : null, grads };
    }
    case 'maxpool':
      return { dx: needDx ? maxPoolGrad(tf, x as Tensor4D, dy as Tensor4D, s.size, fusion.inputRelu === true) : null, grads: [] };
    case 'avgpool':
      return { dx: needDx ? avgPoolGrad(tf, x as Tensor4D, dy as Tensor4D, s.size) : null, grads: [] };
    case 'batchnorm': {
      const axes = x.rank === 4 ? [0, 1, 2] : [0];
      const [xhat, invStd] = cache.extra as [Tensor, Tensor];
      const gamma = params[0] as Tensor;
      const grads = [tf.sum(tf.mul(dy, xhat), axes), tf.sum(dy, axes)];
      if (!needDx) return { dx: null, grads };
      // dx = γ/σ · (dy − mean(dy) − x̂ · mean(dy · x̂)), the batch statistics' own gradients included.
      const dx = tf.mul(tf.mul(gamma, invStd), tf.sub(tf.sub(dy, tf.mean(dy, axes)), tf.mul(xhat, tf.mean(tf.mul(dy, xhat), axes))));
      return { dx, grads };
    }
    case 'dropout':
      return { dx: cache.extra === undefined ? dy : tf.mul(dy, cache.extra[0] as Tensor), grads: [] };
    case 'flatten':
      return { dx: tf.reshape(dy, x.shape), grads: [] };
    case 'gap': {
      const [n, h, w, c] = x.shape as [number, number, number, number];
      return { dx: tf.mul(tf.onesLike(x), tf.reshape(tf.div(dy, h * w), [n, 1, 1, c])), grads: [] };
    }
  }
}
