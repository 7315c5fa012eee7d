import type { Tensor } from '@tensorflow/tfjs';
import type { Tf } from './backend.js';

/**
 * Hand-written kernels over tensors' memory (the max-pool gradient, the filter gradient's layouts, dropout masks):
 * plain JS loops where a chain of TF.js ops would make several passes or copies. On the WASM backend the loops read
 * and write the WASM heap in place (no dataSync copy in, no upload out); on the CPU backend they read `dataSync()`
 * and upload new arrays. Other backends (tfjs-node) keep the TF.js-op paths: `jsKernelsOn` says which.
 */

/** The parts of tfjs-backend-wasm's BackendWasm used here (typed locally: the package's class is not exported as a type). */
interface WasmBackend {
  makeOutput(shape: number[], dtype: 'float32'): { dataId: object; shape: number[]; dtype: 'float32' };
  typedArrayFromHeap(t: { shape: number[]; dtype: string; dataId: object }): Float32Array;
}

/** Whether the current backend runs the hand-written kernels (wasm and cpu). */
export function jsKernelsOn(tf: Tf): boolean {
  const b = tf.getBackend();
  return b === 'wasm' || b === 'cpu';
}

/**
 * Runs `body` over float32 views of `inputs` and of new tensors of `outShapes`, and returns those tensors (tracked by
 * the enclosing tf.tidy). Outputs start uninitialised on WASM: `body` must write every element (or fill first).
 * Inputs must not be written.
 */
export function jsKernel(
  tf: Tf,
  inputs: readonly Tensor[],
  outShapes: readonly (readonly number[])[],
  body: (ins: readonly Float32Array[], outs: readonly Float32Array[]) => void,
): Tensor[] {
  for (const t of inputs) if (t.dtype !== 'float32') throw new Error(`jsKernel: input of dtype ${t.dtype}, float32 expected`);
  if (tf.getBackend() === 'wasm') {
    const b = tf.backend() as unknown as WasmBackend;
    const engine = tf.engine();
    // Allocate first: a malloc may grow the WASM memory, which detaches views taken before it.
    const outs = outShapes.map((s) => engine.makeTensorFromTensorInfo(b.makeOutput([...s], 'float32')));
    const inViews = inputs.map((t) => b.typedArrayFromHeap(t));
    const outViews = outs.map((t) => b.typedArrayFromHeap(t));
    body(inViews, outViews);
    return outs;
  }
  const inArrays = inputs.map((t) => t.dataSync() as Float32Array);
  const outArrays = outShapes.map((s) => new Float32Array(s.reduce((a, d) => a * d, 1)));
  body(inArrays, outArrays);
  return outArrays.map((a, i) => tf.tensor(a, [...(outShapes[i] as number[])]));
}
