import { powerSeries } from '../../space/distribution.js';
import { Space } from '../../space/space.js';

/** A one-dimensional search method of stage 2. */
export type LineMethod = 'split' | 'golden' | 'parabola';

/** A zone of stage 1 (or a remembered extremum of coordinate search), as stage 2 consumes it. */
export interface Zone {
  /** 1 = best. */
  readonly rank: number;
  /** The best configuration of the zone. */
  readonly peak: Readonly<Record<string, number | string | boolean>>;
  /** Mean objective value at the peak (at the surface's epoch). */
  readonly value: number;
  /** Number of runs (seeds) behind `value`. */
  readonly n: number;
  /** How far the peak rises above the saddle joining it to a better zone; null for the best zone. */
  readonly prominence: number | null;
  /** Grid points of the zone: contiguous with the peak and within the noise band of its value. */
  readonly extent: readonly Readonly<Record<string, number | string | boolean>>[];
  /** Earlier epochs at which a zone found on that epoch's surface peaks inside this zone's extent (absent without per-epoch metrics). */
  readonly persistsAt?: readonly number[];
}

/** Options of the four-stage zone strategy; every stage reads the ones it needs. */
export interface ZoneOptions {
  /** Training budget (epochs) of stages 3 and 4 (schedules, confirmation), and of stages 1–2 unless `surveyEpochs` is set (default 40). */
  readonly epochs?: number | undefined;
  /** Training budget of stages 1 and 2 (the grid and the line searches); default ⌈0.7 × epochs⌉ (DEFAULT_SURVEY_SHARE). */
  readonly surveyEpochs?: number | undefined;
  /** Base seed from which every trial seed is derived (default 0). */
  readonly seed?: number | undefined;
  /** Seeds per grid point in stage 1 (default 1); ≥ 2 repeats every point. */
  readonly repeats?: number | undefined;
  /**
   * With `repeats` 1: the share of grid points that stage 1 runs with a second seed, a fixed stratified lattice
   * spread over every axis, to measure the seed-to-seed noise (default 0.2; 0 = none, then the Wilson band of `valSize`).
   */
  readonly repeatShare?: number | undefined;
  /**
   * Give every zone peak resting on one run a second seed before reporting (default true): a peak picked out
   * of 91 noisy runs is high partly by luck, and a second run shows how much (one run per such zone, at most
   * 2 × maxZones in all).
   */
  readonly verifyPeaks?: boolean | undefined;
  /** Epochs at which stage 1 also reads the surface to report which zones persist (default: ¼, ½, ¾ of the survey budget). */
  readonly persistenceEpochs?: readonly number[] | undefined;
  /** Epoch at which stage 1 and 2 read the value surface (best value up to that step); default: the whole run. */
  readonly maxEpoch?: number | undefined;
  /** Validation-set size: with no repeats, the noise band comes from its Wilson interval. */
  readonly valSize?: number | undefined;
  /** An explicit absolute noise band (overrides repeats and valSize). */
  readonly noiseBand?: number | undefined;
  /** Confidence of noise bands and intervals (default 0.95). */
  readonly confidence?: number | undefined;
  /** Grid points per continuous axis (default 5). */
  readonly pointsPerAxis?: number | undefined;
  /** Analyse stage 1 even when part of its grid is not evaluated yet (default false). */
  readonly partial?: boolean | undefined;
  /** How many zones stage 2 refines (default 3). */
  readonly maxZones?: number | undefined;
  /** Stage 2's one-dimensional method (default 'split'). */
  readonly method?: LineMethod | undefined;
  /** Parts of the interval for 'split' (default 8). */
  readonly splitParts?: number | undefined;
  /** New points per line for 'golden' (default 6) and 'parabola' (default 4). */
  readonly iterations?: number | undefined;
  /** Zones to refine instead of stage 1's (e.g. coordinate-search extrema). */
  readonly zones?: readonly Zone[] | undefined;
  /** At most this many potentially optimal configurations leave stage 2 (default 8). */
  readonly maxCandidates?: number | undefined;
  /**
   * Also pass this many far-apart points of each zone's extent to stage 3 (see refine.ts `spreadPicks`); default
   * 'auto': one per ten points of the zone's extent, at most 3 (a zone of 64 indistinguishable points gets 3).
   */
  readonly spreadCandidates?: number | 'auto' | undefined;
  /** Learning-rate schedules of stage 3 (default none, step:7, plateau:3, plateau:10). */
  readonly schedules?: readonly string[] | undefined;
  /** The parameter name of the schedule (default 'lr_schedule'). */
  readonly scheduleParam?: string | undefined;
  /** Schedule the plain-grid baseline is rerun with in stage 4 (default 'none'). */
  readonly baselineSchedule?: string | undefined;
  /** Configurations confirmed in stage 4 (default 5; the article suggests 3, 5 or 7). */
  readonly topK?: number | undefined;
  /** Seeds per configuration in stage 4 (default 5). */
  readonly confirmSeeds?: number | undefined;
  /** Final metric holding the test result (default 'test_accuracy'). */
  readonly testMetric?: string | undefined;
  /** Test-set size for the Wilson interval of each test accuracy; none (no test-set intervals) when unknown. */
  readonly testSize?: number | undefined;
  /** Significance level of verdicts (default 0.05). */
  readonly alpha?: number | undefined;
  /** Training-set size, for image-epoch accounting. */
  readonly trainSize?: number | undefined;
}

/** Options with defaults filled in (optional ones stay optional). */
export interface ResolvedZoneOptions {
  readonly epochs: number;
  readonly surveyEpochs: number;
  readonly seed: number;
  readonly repeats: number;
  readonly repeatShare: number;
  readonly verifyPeaks: boolean;
  readonly persistenceEpochs: readonly number[] | undefined;
  readonly maxEpoch: number | undefined;
  readonly valSize: number | undefined;
  readonly noiseBand: number | undefined;
  readonly confidence: number;
  readonly pointsPerAxis: number;
  readonly partial: boolean;
  readonly maxZones: number;
  readonly method: LineMethod;
  readonly splitParts: number;
  readonly iterations: number;
  readonly zones: readonly Zone[] | undefined;
  readonly maxCandidates: number;
  readonly spreadCandidates: number | 'auto';
  readonly schedules: readonly string[];
  readonly scheduleParam: string;
  readonly baselineSchedule: string;
  readonly topK: number;
  readonly confirmSeeds: number;
  readonly testMetric: string;
  /** Undefined when the trainer's test-set size is unknown (a command trainer without `test_size`): no test-set intervals. */
  readonly testSize: number | undefined;
  readonly alpha: number;
  readonly trainSize: number | undefined;
}

/**
 * Stage 1's default share of grid points run with a second seed. A fifth of the 13 × 7 grid is 18 pairs, 18
 * degrees of freedom: the sd is then known to within −24 % / +48 % (95 % chi-square interval), good enough to set the
 * band, for 20 % more stage-1 compute; a tenth (9 df: −31 % / +83 %) is too loose, a half buys little more.
 */
export const DEFAULT_REPEAT_SHARE = 0.2;

/**
 * Stages 1–2 train for this share of the full budget by default. Measured on MNIST (bench/zones-survey-rank.ts):
 * Spearman's ρ between the ranking at epoch e and at the final epoch stayed ≥ 0.9 from e = 0.63 of 30 epochs on
 * the GPU study's 12 full-budget configurations and from e = 0.7 of 10 epochs on the CPU study's 16; at a third of
 * the budget it was 0.48 (GPU). So 0.7: the survey's ranking holds, for 30 % less than a full-budget survey.
 */
export const DEFAULT_SURVEY_SHARE = 0.7;

/** Spread candidates of a zone under 'auto': one per this many points of its extent, at most AUTO_SPREAD_MAX. */
export const AUTO_SPREAD_PER = 10;
export const AUTO_SPREAD_MAX = 3;

/** The default learning-rate schedules of stage 3 (the article's four). */
export const DEFAULT_SCHEDULES: readonly string[] = ['none', 'step:7', 'plateau:3', 'plateau:10'];

/** Fills in defaults. */
export function resolveZoneOptions(o: ZoneOptions = {}): ResolvedZoneOptions {
  const method = o.method ?? 'split';
  return {
    epochs: o.epochs ?? 40,
    surveyEpochs: o.surveyEpochs ?? Math.ceil(DEFAULT_SURVEY_SHARE * (o.epochs ?? 40)),
    seed: o.seed ?? 0,
    repeats: o.repeats ?? 1,
    repeatShare: o.repeatShare ?? DEFAULT_REPEAT_SHARE,
    verifyPeaks: o.verifyPeaks ?? true,
    persistenceEpochs: o.persistenceEpochs,
    maxEpoch: o.maxEpoch,
    valSize: o.valSize,
    noiseBand: o.noiseBand,
    confidence: o.confidence ?? 0.95,
    pointsPerAxis: o.pointsPerAxis ?? 5,
    partial: o.partial ?? false,
    maxZones: o.maxZones ?? 3,
    method,
    splitParts: o.splitParts ?? 8,
    iterations: o.iterations ?? (method === 'parabola' ? 4 : 6),
    zones: o.zones,
    maxCandidates: o.maxCandidates ?? 8,
    spreadCandidates: o.spreadCandidates ?? 'auto',
    schedules: o.schedules ?? DEFAULT_SCHEDULES,
    scheduleParam: o.scheduleParam ?? 'lr_schedule',
    baselineSchedule: o.baselineSchedule ?? 'none',
    topK: o.topK ?? 5,
    confirmSeeds: o.confirmSeeds ?? 5,
    testMetric: o.testMetric ?? 'test_accuracy',
    testSize: o.testSize,
    alpha: o.alpha ?? 0.05,
    trainSize: o.trainSize,
  };
}

/** The article's coarse space: units 128…8192 (powers of two with midpoints) × batch_size 16…1024 (powers of two). */
export function defaultZoneSpace(): Space {
  return Space.fromSpec({
    units: { type: 'series', values: powerSeries(128, 8192, 2, true) },
    batch_size: { type: 'series', values: powerSeries(16, 1024, 2, false) },
  });
}
