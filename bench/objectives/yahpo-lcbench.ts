import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FloatDistribution, IntDistribution, type Distribution } from '../../src/space/distribution.js';
import { Space } from '../../src/space/space.js';
import type { Direction, Params } from '../../src/core/types.js';
import { DatasetError, InputError } from '../../src/core/errors.js';

/** YAHPO Gym's single-objective LCBench development tasks (OpenML task ids). */
export const LCBENCH_DEV_TASKS = ['167168', '189873', '189906'] as const;
/** The largest epoch the surrogate knows (the full-training fidelity). */
export const LCBENCH_MAX_EPOCH = 52;
/** The searched parameters, in the order of the model's `x_cont` columns after `epoch`. */
export const LCBENCH_PARAMS = ['batch_size', 'learning_rate', 'momentum', 'weight_decay', 'num_layers', 'max_units', 'max_dropout'] as const;
/** Column of `val_accuracy` (percent) in the model's `output` [B,6]. */
const VAL_ACCURACY_COLUMN = 1;
const OUTPUT_WIDTH = 6;

/** LCBench's search space (epoch excluded: it is the fidelity). */
export function lcbenchSpace(): Space {
  const m = new Map<string, Distribution>([
    ['batch_size', new IntDistribution(16, 512, 1, true)],
    ['learning_rate', new FloatDistribution(1e-4, 0.1, true)],
    ['momentum', new FloatDistribution(0.1, 0.99)],
    ['weight_decay', new FloatDistribution(1e-5, 0.1)],
    ['num_layers', new IntDistribution(1, 5)],
    ['max_units', new IntDistribution(64, 1024, 1, true)],
    ['max_dropout', new FloatDistribution(0, 1)],
  ]);
  return new Space(m);
}

// The slice of onnxruntime-node's API used here, so the module loads lazily and types stay strict.
interface OrtTensor { readonly data: ArrayLike<number> | ArrayLike<bigint>; readonly dims: readonly number[] }
interface OrtSession { run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>> }
interface OrtModule {
  InferenceSession: { create(path: string, options?: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: 'int32' | 'float32', data: Int32Array | Float32Array, dims: number[]) => OrtTensor;
}

let ortPromise: Promise<OrtModule> | null = null;
function loadOrt(): Promise<OrtModule> {
  ortPromise ??= import('onnxruntime-node').then((m) => ((m as { default?: OrtModule }).default ?? (m as unknown as OrtModule)));
  return ortPromise;
}

/** Whether the shared LCBench surrogate files are present in `dir`. */
export function lcbenchAvailable(dir: string): boolean {
  return ['model.onnx', 'encoding.json', 'target_statistics.csv'].every((f) => existsSync(join(dir, f)));
}

/** A task's min/max of `val_accuracy` from `target_statistics.csv`. */
function readTargetRange(dir: string, task: string): { min: number; max: number } {
  const lines = readFileSync(join(dir, 'target_statistics.csv'), 'utf8').split('\n');
  let min: number | undefined, max: number | undefined;
  for (const line of lines.slice(1)) {
    const [metric, stat, value, , instance] = line.trim().split(',');
    if (metric !== 'val_accuracy' || instance !== task) continue;
    if (stat === 'min') min = Number(value);
    if (stat === 'max') max = Number(value);
  }
  if (min === undefined || max === undefined || !(max > min)) throw new DatasetError(`No val_accuracy min/max for task \`${task}\` in ${join(dir, 'target_statistics.csv')}`);
  return { min, max };
}

/**
 * The YAHPO Gym LCBench surrogate (an ONNX model of learning curves) on one OpenML task:
 * maximise val_accuracy (percent); the epoch (1–52) is the fidelity. Deterministic.
 */
export class YahpoLcbench {
  /** The search space (without epoch). */
  readonly space: Space = lcbenchSpace();
  /** Always `maximize` (val_accuracy). */
  readonly direction: Direction = 'maximize';
  /** The full-training epoch count. */
  readonly maxEpoch = LCBENCH_MAX_EPOCH;

  private constructor(
    private readonly session: OrtSession,
    private readonly ort: OrtModule,
    /** The OpenML task id. */
    readonly task: string,
    private readonly taskCode: number,
    /** The task's val_accuracy range over YAHPO's 0.5M random points (for normalised regret). */
    readonly range: { readonly min: number; readonly max: number },
  ) {}

  /** Loads the surrogate from a directory holding model.onnx, encoding.json and target_statistics.csv. */
  static async load(dir: string, task: string): Promise<YahpoLcbench> {
    if (!lcbenchAvailable(dir)) throw new DatasetError(`LCBench surrogate files (model.onnx, encoding.json, target_statistics.csv) are missing in \`${dir}\``);
    const enc = JSON.parse(readFileSync(join(dir, 'encoding.json'), 'utf8')) as { OpenML_task_id?: Record<string, number> };
    const code = enc.OpenML_task_id?.[task];
    if (code === undefined || task === '#na#') throw new InputError(`Unknown LCBench task \`${task}\`; known: ${Object.keys(enc.OpenML_task_id ?? {}).filter((k) => k !== '#na#').join(', ')}`);
    const ort = await loadOrt();
    const session = await ort.InferenceSession.create(join(dir, 'model.onnx'), { intraOpNumThreads: 1, interOpNumThreads: 1 });
    return new YahpoLcbench(session, ort, task, code, readTargetRange(dir, task));
  }

  /** val_accuracy (percent) of each configuration at its epoch, in one model call. */
  async evaluateBatch(configs: readonly Params[], epochs: number | readonly number[]): Promise<number[]> {
    const b = configs.length;
    if (b === 0) return [];
    if (typeof epochs !== 'number' && epochs.length !== b) throw new InputError(`Expected \`epochs\` to have ${b} entries, got ${epochs.length}`);
    const cat = new Int32Array(b).fill(this.taskCode);
    const cont = new Float32Array(b * 8);
    configs.forEach((p, i) => {
      const epoch = typeof epochs === 'number' ? epochs : (epochs[i] as number);
      if (!Number.isInteger(epoch) || epoch < 1 || epoch > LCBENCH_MAX_EPOCH) throw new InputError(`Expected \`epoch\` to be an integer in 1–${LCBENCH_MAX_EPOCH}, got ${epoch}`);
      this.space.check(p);
      cont[i * 8] = epoch;
      LCBENCH_PARAMS.forEach((n, j) => (cont[i * 8 + 1 + j] = p[n] as number));
    });
    const out = await this.session.run({ x_cat: new this.ort.Tensor('int32', cat, [b, 1]), x_cont: new this.ort.Tensor('float32', cont, [b, 8]) });
    const data = out['output']?.data as ArrayLike<number> | undefined;
    if (!data || data.length !== b * OUTPUT_WIDTH) throw new DatasetError(`LCBench surrogate returned ${data?.length ?? 0} values, expected ${b * OUTPUT_WIDTH}`);
    return Array.from({ length: b }, (_, i) => data[i * OUTPUT_WIDTH + VAL_ACCURACY_COLUMN] as number);
  }

  /** val_accuracy (percent) of one configuration at `epoch` (default: the full 52). */
  async evaluate(params: Params, epoch = LCBENCH_MAX_EPOCH): Promise<number> {
    return (await this.evaluateBatch([params], epoch))[0] as number;
  }

  /** The learning curve: val_accuracy at epochs 1..`upTo`, in one model call. */
  async curve(params: Params, upTo = LCBENCH_MAX_EPOCH): Promise<number[]> {
    return this.evaluateBatch(Array.from({ length: upTo }, () => params), Array.from({ length: upTo }, (_, i) => i + 1));
  }

  /** (max − value) / (max − min) with the task's range: 0 at the best known value, can be < 0 or > 1. */
  normalizedRegret(valAccuracy: number): number {
    return (this.range.max - valAccuracy) / (this.range.max - this.range.min);
  }
}
