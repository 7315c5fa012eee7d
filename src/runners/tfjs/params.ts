import { InputError } from '../../errors.js';
import type { Params, ParamValue } from '../../study/types.js';
import { parseLrSchedule, type LrScheduleSpec } from '../lr-schedule.js';

/** Hidden-layer activations the FNN supports. */
export const ACTIVATIONS = ['relu', 'tanh', 'sigmoid', 'elu', 'linear'] as const;
/** One of the supported hidden-layer activations. */
export type Activation = (typeof ACTIVATIONS)[number];

/** A validated FNN training configuration, derived from a trial's params and budget. */
export interface FnnConfig {
  /** Units of each hidden layer, input side first. */
  readonly units: readonly number[];
  readonly dropout: number;
  readonly activation: Activation;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly lrSchedule: LrScheduleSpec;
  readonly epochs: number;
}

function invalid(field: string, expected: string, got: unknown): InputError {
  return new InputError(`Expected \`${field}\` to be ${expected}, got ${JSON.stringify(got)}`, { code: 'INVALID_PARAM' });
}

function num(v: ParamValue | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number') return v;
  // Command lines and categorical choices may carry numbers as strings ("128").
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return Number.NaN;
}

function int(params: Params, field: string, min: number): number | undefined {
  const raw = params[field];
  const v = num(raw);
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || v < min) throw invalid(field, `an integer ≥ ${min}`, raw);
  return v;
}

/**
 * Reads FNN settings from trial params: `units` (one hidden layer) or `units_1`, `units_2`, …
 * (several; `units` then is not allowed), `dropout` (0), `activation` ('relu'), `batch_size`
 * (required), `learning_rate` (0.001, Adam), `lr_schedule` ('none'); epochs = `budget`, else `epochs`.
 */
export function parseFnnParams(params: Params, budget: number | null): FnnConfig {
  const layered = Object.keys(params)
    .map((k) => /^units_(\d+)$/.exec(k))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
  let units: number[];
  if (layered.length > 0) {
    if (params['units'] !== undefined) {
      throw new InputError('Give either `units` (one hidden layer) or `units_1`, `units_2`, … (several), not both', { code: 'INVALID_PARAM' });
    }
    layered.forEach((n, i) => {
      if (n !== i + 1) throw new InputError(`Expected hidden layers \`units_1\`…\`units_${layered.length}\` without gaps, got \`units_${n}\` at position ${i + 1}`, { code: 'INVALID_PARAM' });
    });
    // A layer of 0 units means "no such layer" (architecture search may switch layers off),
    // but only at the end: units_1=0 with units_2=64 is a spec mistake.
    units = layered.map((n) => int(params, `units_${n}`, 0) as number);
    while (units.length > 0 && units[units.length - 1] === 0) units.pop();
    const zero = units.indexOf(0);
    if (zero >= 0) throw invalid(`units_${zero + 1}`, 'an integer ≥ 1 (0 only for trailing layers)', params[`units_${zero + 1}`]);
  } else {
    const u = int(params, 'units', 1);
    if (u === undefined) throw new InputError('Missing hidden layer size: give `units` or `units_1`, `units_2`, …', { code: 'INVALID_PARAM' });
    units = [u];
  }
  if (units.length === 0) throw invalid('units_1', 'an integer ≥ 1', params['units_1']);

  const dropoutRaw = params['dropout'];
  const dropout = num(dropoutRaw) ?? 0;
  if (!(dropout >= 0 && dropout < 1)) throw invalid('dropout', 'a number in [0, 1)', dropoutRaw);

  const activation = params['activation'] ?? 'relu';
  if (typeof activation !== 'string' || !(ACTIVATIONS as readonly string[]).includes(activation)) {
    throw invalid('activation', `one of ${ACTIVATIONS.join(', ')}`, activation);
  }

  if (params['batch_size'] === undefined) throw new InputError('Missing required parameter `batch_size`', { code: 'INVALID_PARAM' });
  const batchSize = int(params, 'batch_size', 1) as number;

  const lrRaw = params['learning_rate'];
  const learningRate = num(lrRaw) ?? 0.001;
  if (!(Number.isFinite(learningRate) && learningRate > 0)) throw invalid('learning_rate', 'a number > 0', lrRaw);

  const lrSchedule = parseLrSchedule(params['lr_schedule'] ?? 'none');

  let epochs: number;
  if (budget !== null) {
    if (!Number.isInteger(budget) || budget < 1) throw invalid('budget', 'an integer ≥ 1 (epochs)', budget);
    epochs = budget;
  } else {
    const e = int(params, 'epochs', 1);
    if (e === undefined) throw new InputError('Missing epochs: the trial has no `budget` and no `epochs` parameter', { code: 'INVALID_PARAM' });
    epochs = e;
  }
  return { units, dropout, activation: activation as Activation, batchSize, learningRate, lrSchedule, epochs };
}

/** Trainable parameters of an FNN: weights and biases of every dense layer. */
export function countParameters(features: number, units: readonly number[], classes: number): number {
  let total = 0;
  let fanIn = features;
  for (const u of [...units, classes]) {
    total += fanIn * u + u;
    fanIn = u;
  }
  return total;
}
