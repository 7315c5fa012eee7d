import { readFile, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { InputError } from '../core/errors.js';
import type { DistributionSpec } from '../space/distribution.js';
import type { Direction, Metrics, ParamValue, Params, TrialPlan } from '../core/types.js';

/** The format tag every result-set document carries. */
export const RESULTSET_FORMAT = 'hyperzone.resultset/1';

/** Metrics reported after one step (an epoch), as stored in a result set. */
export interface ResultStep {
  readonly step: number;
  readonly metrics: Metrics;
}

/** One evaluated trial: its configuration, seed, budget, objective value, per-step and final metrics. */
export interface ResultEntry {
  readonly params: Params;
  readonly seed: number;
  readonly budget: number | null;
  /** The objective value (best validation metric over the steps, as the runner defines it). */
  readonly value: number;
  readonly steps: readonly ResultStep[];
  /** Final metrics; test metrics only appear in entries of the `confirm` stage. */
  readonly metrics: Metrics;
  /** Which zone-strategy stage planned it ('zones', 'refine', 'schedules', 'confirm'); absent for imported results. */
  readonly stage?: string;
  /** The plan's attributes (e.g. `evaluate_test`, `coord.*`), when it had any. */
  readonly attrs?: Readonly<Record<string, unknown>>;
}

/** Compute spent by one stage. */
export interface StageCompute {
  readonly trials: number;
  readonly epochs: number;
  /** epochs × training-set size: comparable across datasets and batch sizes. */
  readonly image_epochs: number;
  readonly wall_seconds: number;
  /** Ids of the evaluations (`hyperzone evaluate` runs) summed here, so merging a part twice counts it once. */
  readonly runs?: readonly string[] | undefined;
}

/** The document every stage reads and writes (JSON): space, objective, constants, results, findings, next plan. */
export interface ResultSet {
  readonly format: typeof RESULTSET_FORMAT;
  /** The search space, as `Space.toJSON()` writes it. */
  readonly space: Readonly<Record<string, DistributionSpec>>;
  readonly objective: { readonly metric: string; readonly direction: Direction };
  /** Parameters held constant for every entry (optimizer, dataset, ...). */
  readonly fixed: Readonly<Record<string, ParamValue>>;
  readonly entries: readonly ResultEntry[];
  /** Compute per stage name. */
  readonly compute?: Readonly<Record<string, StageCompute>>;
  /** The last stage's own findings (zones, candidates, report); `stage` names it. */
  readonly stage_output?: Readonly<Record<string, unknown>>;
  /** Trials the next step must evaluate (empty or absent when the stage is complete). */
  readonly plan?: readonly TrialPlan[];
}

const paramValue = z.union([z.number(), z.string(), z.boolean()]);
const params = z.record(z.string(), paramValue);
const metrics = z.record(z.string(), z.number());
const finite = z.number().refine(Number.isFinite, 'expected a finite number');

const distributionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('int'), low: z.number().int(), high: z.number().int(), step: z.number().int().positive().optional(), log: z.boolean().optional() }),
  z.object({ type: z.literal('float'), low: z.number(), high: z.number(), log: z.boolean().optional() }),
  z.object({ type: z.literal('categorical'), choices: z.array(paramValue).min(1) }),
  z.object({ type: z.literal('series'), values: z.array(z.number()).min(1) }),
]);

const stepSchema = z.object({ step: z.number(), metrics });
const entrySchema = z.object({
  params,
  seed: z.number().int(),
  budget: z.number().nullable(),
  value: finite,
  steps: z.array(stepSchema).default([]),
  metrics: metrics.default({}),
  stage: z.string().optional(),
  attrs: z.record(z.string(), z.unknown()).optional(),
});
const computeSchema = z.object({
  trials: z.number(), epochs: z.number(), image_epochs: z.number(), wall_seconds: z.number(), runs: z.array(z.string()).optional(),
});
const planSchema = z.object({ params, seed: z.number().int(), budget: z.number().nullable(), attrs: z.record(z.string(), z.unknown()).optional() });

const resultSetSchema = z.object({
  format: z.literal(RESULTSET_FORMAT),
  space: z.record(z.string(), distributionSchema),
  objective: z.object({ metric: z.string().min(1), direction: z.enum(['maximize', 'minimize']) }),
  fixed: z.record(z.string(), paramValue).default({}),
  entries: z.array(entrySchema).default([]),
  compute: z.record(z.string(), computeSchema).optional(),
  stage_output: z.record(z.string(), z.unknown()).optional(),
  plan: z.array(planSchema).optional(),
});

function issuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out === '' ? '(document)' : out;
}

/**
 * Validates a parsed JSON value as a result set; throws an InputError naming the first bad fields
 * ("Invalid result set in a.json: `entries[3].value`: expected number, received string").
 */
export function parseResultSet(json: unknown, source = 'input'): ResultSet {
  const r = resultSetSchema.safeParse(json);
  if (!r.success) {
    const issues = r.error.issues.slice(0, 5).map((i) => `\`${issuePath(i.path)}\`: ${i.message}`);
    throw new InputError(`Invalid result set in ${source}: ${issues.join('; ')}`);
  }
  // zod's output types optional fields as `T | undefined`; rebuild without undefined keys.
  const d = r.data;
  const entries: ResultEntry[] = d.entries.map((e) => ({
    params: e.params,
    seed: e.seed,
    budget: e.budget,
    value: e.value,
    steps: e.steps,
    metrics: e.metrics,
    ...(e.stage !== undefined ? { stage: e.stage } : {}),
    ...(e.attrs !== undefined ? { attrs: e.attrs } : {}),
  }));
  return {
    format: RESULTSET_FORMAT,
    space: d.space as Record<string, DistributionSpec>,
    objective: d.objective,
    fixed: d.fixed,
    entries,
    ...(d.compute !== undefined ? { compute: d.compute } : {}),
    ...(d.stage_output !== undefined ? { stage_output: d.stage_output } : {}),
    ...(d.plan !== undefined
      ? { plan: d.plan.map((p) => ({ params: p.params, seed: p.seed, budget: p.budget, ...(p.attrs !== undefined ? { attrs: p.attrs } : {}) })) }
      : {}),
  };
}

/** Reads and validates a result-set JSON file. */
export async function readResultSet(path: string): Promise<ResultSet> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new InputError(`Cannot read result set ${path}: ${(e as Error).message}`, { cause: e });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputError(`Result set ${path} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  return parseResultSet(json, path);
}

/** The document as pretty JSON text (stable key order as built). */
export function serializeResultSet(rs: ResultSet): string {
  return `${JSON.stringify(rs, null, 2)}\n`;
}

/** Writes a result set as JSON. */
export async function writeResultSet(path: string, rs: ResultSet): Promise<void> {
  await writeFile(path, serializeResultSet(rs), 'utf8');
}

/** An empty result set for a space and objective (the input of stage 1). */
export function emptyResultSet(
  space: Readonly<Record<string, DistributionSpec>>,
  objective: { metric: string; direction: Direction },
  fixed: Readonly<Record<string, ParamValue>> = {},
): ResultSet {
  return { format: RESULTSET_FORMAT, space, objective, fixed, entries: [] };
}
