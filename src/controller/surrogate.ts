import { readFileSync, writeFileSync } from 'node:fs';
import type { Direction, Params } from '../core/types.js';
import { InputError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import type { Space } from '../space/space.js';
import { Ensemble, type EnsembleJSON, type EnsembleOptions } from './ensemble.js';
import { FeatureEncoder, checkpointSteps, type EncoderJSON, type Example, type Row } from './features.js';
import type { Mixture } from './mixture.js';
import { evaluateRows, type Evaluation } from './evaluate.js';
import { portfolioFromTrials, type Portfolio } from './portfolio.js';

/** The model file's format tag. */
export const MODEL_FORMAT = 'hyperzone-controller/1';

/** What the model file records about its training. */
export interface TrainingInfo {
  readonly examples: number;
  readonly rows: number;
  readonly groups: readonly string[];
  readonly seconds: number;
  readonly options: EnsembleOptions;
  /** Checked on a held-out share of the examples (split by example, never by row), when there was one. */
  readonly validation: Evaluation | null;
}

/** The model file. */
export interface SurrogateJSON {
  readonly format: typeof MODEL_FORMAT;
  readonly encoder: EncoderJSON;
  readonly ensemble: EnsembleJSON;
  /** Curve lengths (steps) of the training rows, as a share of the budget; the scheduler decides at these. */
  readonly checkpoints: readonly number[];
  readonly training: TrainingInfo;
  /**
   * The warm-start portfolio learned from the training trials' final values (src/controller/portfolio.ts), when they
   * came from two or more tasks; absent in older files.
   */
  readonly portfolio?: Portfolio;
}

/** Options of `Surrogate.train`. */
export interface SurrogateTrainOptions extends EnsembleOptions {
  /** Descriptor names (inputs), when the examples carry them. */
  readonly descriptors?: readonly string[];
  /** Share of examples held out to check the model (default 0.2; 0: none). */
  readonly validationShare?: number;
  /** Size of the warm-start portfolio learned from the examples' final values (default 20; 0: none). */
  readonly portfolioSize?: number;
}

/**
 * The controller's neural surrogate: predicts a trial's final objective value, as a mixture (deep ensemble), from its
 * hyperparameters, task descriptors and the learning curve so far. Saved and loaded as one JSON file.
 */
export class Surrogate {
  readonly encoder: FeatureEncoder;
  readonly ensemble: Ensemble;
  constructor(readonly json: SurrogateJSON) {
    if (json.format !== MODEL_FORMAT) throw new InputError(`Expected a controller model file (format ${MODEL_FORMAT}), got format ${JSON.stringify(json.format)}`);
    this.encoder = FeatureEncoder.fromJSON(json.encoder);
    this.ensemble = new Ensemble(json.ensemble);
    if (this.ensemble.inputs !== this.encoder.columns.length) throw new InputError(`Model file is inconsistent: ${this.ensemble.inputs} network inputs for ${this.encoder.columns.length} encoded columns`);
  }

  get direction(): Direction {
    return this.encoder.direction;
  }
  get space(): Space {
    return this.encoder.space;
  }

  /** The predicted final value: a mixture in the objective's own units. */
  predict(params: Params, curve: readonly number[], budget: number, descriptors: Readonly<Record<string, number>> = {}): Mixture {
    return this.ensemble.predict(this.encoder.encode(params, curve, budget, descriptors), this.encoder.anchor(curve), this.encoder.yStd);
  }

  /** The mixture of a prepared row (its anchor and scale applied). */
  predictRow(row: Row): Mixture {
    return this.ensemble.predict(row.x, row.anchor, this.encoder.yStd);
  }

  /** The steps (below `budget`) at which this model was trained to look at a curve. */
  checkpointSteps(budget: number): number[] {
    const steps = new Set<number>();
    for (const f of this.json.checkpoints) {
      const s = Math.round(f * budget);
      if (s >= 1 && s < budget) steps.add(s);
    }
    return [...steps].sort((a, b) => a - b);
  }

  /** Rows of examples, at the model's checkpoints. */
  rowsOf(examples: readonly Example[]): Row[] {
    return examples.flatMap((e) => this.encoder.rows(e, this.checkpointSteps(e.budget)));
  }

  /** Checks the model on examples: error, calibration of its intervals, input importance. */
  evaluate(examples: readonly Example[], seed = 0): Evaluation {
    return evaluateRows(this, this.rowsOf(examples), seed);
  }

  /**
   * Trains on finished examples. Rows: each example without its curve and at each checkpoint step (1, 2, 3, 4, 6, 8,
   * 12, … of its budget). A `validationShare` of the examples (chosen by the seed) is held out and evaluated, then
   * the model is trained on the rest (the returned model has not seen them).
   */
  static async train(space: Space, direction: Direction, examples: readonly Example[], options: SurrogateTrainOptions = {}): Promise<Surrogate> {
    const t0 = performance.now();
    const share = options.validationShare ?? 0.2;
    if (!(share >= 0 && share < 1)) throw new InputError(`Expected \`validation_share\` in [0, 1), got ${share}`);
    const seed = options.seed ?? 0;
    const order = new Rng(seed).shuffle(examples.map((_, i) => i));
    const nVal = examples.length >= 10 ? Math.round(share * examples.length) : 0;
    const valSet = new Set(order.slice(0, nVal));
    const train = examples.filter((_, i) => !valSet.has(i));
    const val = examples.filter((_, i) => valSet.has(i));
    const encoder = FeatureEncoder.fit(space, options.descriptors ?? [], direction, train);
    const maxBudget = train.reduce((m, e) => Math.max(m, e.budget), -Infinity); // not Math.max(...xs): more examples than a call takes
    const checkpoints = checkpointSteps(maxBudget).map((s) => s / maxBudget);
    const stepsFor = (b: number): number[] => [...new Set(checkpoints.map((f) => Math.round(f * b)))].filter((s) => s >= 1 && s < b);
    const rows = train.flatMap((e) => encoder.rows(e, stepsFor(e.budget)));
    const { descriptors: _d, validationShare: _v, portfolioSize: _p, ...ensembleOptions } = options;
    const ensemble = await Ensemble.train(rows.map((r) => r.x), rows.map((r) => r.y), ensembleOptions);
    const seconds = (performance.now() - t0) / 1000;
    const portfolioSize = options.portfolioSize ?? 20;
    if (!Number.isInteger(portfolioSize) || portfolioSize < 0) throw new InputError(`Expected \`portfolio_size\` to be an integer ≥ 0, got ${portfolioSize}`);
    const groups = [...new Set(train.map((e) => e.group ?? ''))].sort();
    // The portfolio, like the network, from the training examples only (the returned model has not seen the held-out ones).
    const portfolio = portfolioSize > 0 && groups.length >= 2
      ? portfolioFromTrials(train.map((e) => ({ params: e.params, value: e.final, group: e.group ?? '' })), direction, portfolioSize)
      : undefined;
    const base: SurrogateJSON = {
      format: MODEL_FORMAT, encoder: encoder.toJSON(), ensemble: ensemble.json, checkpoints,
      training: { examples: train.length, rows: rows.length, groups, seconds, options: ensembleOptions, validation: null },
      ...(portfolio ? { portfolio } : {}),
    };
    const model = new Surrogate(base);
    if (val.length === 0) return model;
    return new Surrogate({ ...base, training: { ...base.training, validation: model.evaluate(val, seed) } });
  }

  toJSON(): SurrogateJSON {
    return this.json;
  }

  save(file: string): void {
    writeFileSync(file, JSON.stringify(this.json));
  }

  static load(file: string): Surrogate {
    let j: unknown;
    try {
      j = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new InputError(`Cannot read controller model \`${file}\`: ${(e as Error).message}`, { cause: e });
    }
    return new Surrogate(j as SurrogateJSON);
  }
}
