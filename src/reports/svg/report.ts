import type { ResultSet } from '../../results/resultset.js';
import { surfaceAt, analyzeZones, type ZonesOutput } from '../../strategies/zones/zones.js';
import { analyzeConfirm, type ConfirmOutput } from '../../strategies/zones/confirm.js';
import type { Zone, ZoneOptions } from '../../strategies/zones/options.js';
import { curvesChart } from './curves.js';
import { paramsText, pickAxes, showValue, type ReportData } from './data.js';
import { asConfirmOutput, forestChart } from './forest.js';
import { frontChart, frontInput } from './front.js';
import { paretoSummary } from '../pareto.js';
import { heatmapChart, type HeatMark, type SurfacePoint } from './heatmap.js';
import { historyChart } from './history.js';
import { importanceChart } from './importance.js';
import { parallelChart } from './parallel.js';
import { curvePoints, surfaceChart } from './surface3d.js';
import type { Chart } from './svg.js';

/** What `hyperzone report` may be told. */
export interface ReportOptions {
  /** Heatmap axes (default: the space's first two ordered params). */
  readonly x?: string | undefined;
  readonly y?: string | undefined;
  /** Learning curves of the best N (default 10). */
  readonly top?: number | undefined;
  /** Zone-strategy options (valSize, maxEpoch, …) for finding zones when the input has no stage-1 output. */
  readonly zoneOptions?: ZoneOptions | undefined;
  /** Stage 1's output found beside the input (its `1-zones.json`), used when the input is a later stage's document. */
  readonly stageZones?: ZonesOutput | undefined;
}

/** A chart that was not drawn, and why. */
export interface SkippedChart {
  readonly title: string;
  readonly reason: string;
}

/** The report's content: a summary, the charts in order, and the ones left out with the reason. */
export interface ReportContent {
  readonly title: string;
  readonly summary: readonly string[];
  readonly charts: readonly Chart[];
  readonly skipped: readonly SkippedChart[];
}

/** Zones for the heatmap: stage 1's own output when the input is one (or lies beside it), else found again from the stage-1 entries. */
function zonesFor(data: ReportData, opts: ReportOptions): { zones?: readonly Zone[]; note?: string } {
  const so = data.stageOutput;
  if (so && so.stage === 'zones' && Array.isArray((so as unknown as ZonesOutput).zones)) return { zones: (so as unknown as ZonesOutput).zones };
  if (opts.stageZones) return { zones: opts.stageZones.zones };
  const rs = data.resultSet;
  if (!rs || !data.trials.some((t) => t.stage === 'zones')) return {};
  try {
    return { zones: analyzeZones(rs, opts.zoneOptions ?? {}).zones };
  } catch (e) {
    // Not "the study found none": the report lacks the settings stage 1 ran with (a later stage's document carries no
    // noise settings), so it says where they are.
    const from = data.order === 'entry' ? 'this document alone' : 'the stored trials with the stored spec';
    return { note: `Zones not outlined: stage 1 could not be repeated from ${from} (${(e as Error).message}). Make the report from the study (--study), from stage 1's 1-zones.json, or give --val-size N.` };
  }
}

/** Stage 4's output: the input's own, else worked out again from the stage-4 entries of a zone study; else why there is none. */
function confirmFor(data: ReportData, opts: ReportOptions): { confirm: ConfirmOutput | null; rebuilt?: boolean; reason?: string } {
  const own = asConfirmOutput(data.stageOutput);
  if (own) return { confirm: own };
  const rs = data.resultSet;
  const stages = [...new Set(data.trials.map((t) => t.stage).filter((s): s is string => s !== undefined))];
  if (!rs || stages.length === 0) return { confirm: null };
  const what = data.order === 'trial' ? 'study' : 'result set';
  if (!rs.entries.some((e) => e.stage === 'confirm')) return { confirm: null, reason: `stage 4 (confirm) has no results in this ${what} yet (it has trials of ${stages.join(', ')})` };
  try {
    const r = analyzeConfirm(rs, opts.zoneOptions ?? {});
    if (r.output) return { confirm: asConfirmOutput({ ...r.output }), rebuilt: true };
    return { confirm: null, reason: `stage 4 is not finished: ${r.plan.length} of its planned runs have no result yet` };
  } catch (e) {
    return { confirm: null, reason: `stage 4's results could not be read again: ${(e as Error).message}` };
  }
}

/** The stage-1 surface (mean over seeds per grid point) of a zone study, or undefined for other inputs. */
function zoneSurface(rs: ResultSet | undefined, data: ReportData, opts: ReportOptions): SurfacePoint[] | undefined {
  if (!rs || !data.trials.some((t) => t.stage === 'zones')) return undefined;
  const pts = surfaceAt(rs, opts.zoneOptions?.maxEpoch, opts.zoneOptions ?? {});
  return pts.length ? pts.map((p) => ({ params: p.params, value: p.mean, n: p.n })) : undefined;
}

/** Builds every chart the data allows; the heatmap's axes are checked first, so a bad `--x` fails before any work. */
export function buildReport(data: ReportData, opts: ReportOptions = {}): ReportContent {
  const axes = pickAxes(data, opts.x, opts.y);
  const charts: Chart[] = [];
  const skipped: SkippedChart[] = [];
  const add = (c: Chart | null, title: string, reason: string): void => {
    if (c) charts.push(c);
    else skipped.push({ title, reason });
  };
  add(historyChart(data), 'Optimisation history', 'no complete trials');
  const fi = frontInput(data);
  const frontTitle = data.objectives && data.objectives.length > 1 ? 'Pareto front' : `${data.metric} against trainable parameters (Pareto front)`;
  add(fi.kind === 'none' ? null : frontChart(data), frontTitle, fi.kind === 'none' ? fi.reason : '');

  const cf = confirmFor(data, opts);
  const confirm = cf.confirm;
  if (axes) {
    const surface = zoneSurface(data.resultSet, data, opts);
    const z = zonesFor(data, opts);
    const marks: HeatMark[] = [];
    if (confirm) {
      const sel = confirm.configs.find((c) => c.label === confirm.best);
      const base = confirm.configs.find((c) => c.baseline);
      if (sel?.params) marks.push({ params: sel.params, label: 'selected in stage 4', shape: 'star' });
      if (base?.params && base !== sel) marks.push({ params: base.params, label: 'plain-grid best (baseline)', shape: 'square' });
    }
    add(heatmapChart(data, {
      x: axes.x,
      y: axes.y,
      ...(surface ? { surface, surfaceNote: 'stage-1 grid; mean over seeds per point' } : {}),
      ...(z.zones ? { zones: z.zones } : {}),
      ...(z.note ? { zonesNote: z.note } : {}),
      ...(marks.length ? { marks } : {}),
    }), `${data.metric} over two params`, `no complete trial has numeric values of ${axes.x} and ${axes.y}`);
    const zone = data.trials.some((t) => t.stage === 'zones');
    add(surfaceChart(data, curvePoints(data), axes.x, axes.y, zone ? { note: 'stage-1 grid; mean over seeds per point' } : {}),
      `${data.metric} surface by epoch (3D)`, `no trials reported ${data.metric} per step on at least a 2 × 2 grid of ${axes.x} × ${axes.y}`);
  } else skipped.push({ title: 'Heatmap and 3D surface', reason: 'they need two ordered (numeric) params; this space has fewer' });

  add(curvesChart(data, { top: opts.top ?? 10 }), 'Learning curves', `no complete or pruned trial reported ${data.metric} per step`);
  add(importanceChart(data), 'Parameter importance', 'it needs at least 4 complete trials whose values differ, over params that take 2 values or more');
  if (confirm) {
    const f = forestChart(confirm);
    charts.push(cf.rebuilt ? { ...f, caption: `${f.caption} Worked out again from the stored stage-4 runs.` } : f);
  } else if (cf.reason) skipped.push({ title: 'Stage 4: confirmation over seeds (forest plot)', reason: cf.reason });
  add(parallelChart(data), 'Parallel coordinates', 'the trials have two params or fewer (the heatmap shows them)');

  const counts = new Map<string, number>();
  for (const t of data.trials) counts.set(t.state, (counts.get(t.state) ?? 0) + 1);
  const sign = data.direction === 'maximize' ? 1 : -1;
  const best = data.trials.filter((t) => t.state === 'complete' && t.value !== null).sort((a, b) => sign * ((b.value as number) - (a.value as number)))[0];
  const what = data.order === 'trial' ? 'trials' : 'entries';
  const objectives = data.objectives ?? [];
  const paretoLine = (): string => {
    const ps = paretoSummary(data.trials.map((t) => ({ ...t, values: t.values ?? null })), objectives);
    return `Pareto front: ${ps.front.length} of ${ps.complete} complete ${what} (${ps.front.slice(0, 12).map((t) => `#${t.number}`).join(', ')}${ps.front.length > 12 ? ', …' : ''}); hypervolume ${ps.hypervolume === null ? '–' : ps.hypervolume.toFixed(4)} (each objective scaled to [0, 1], reference: the worst observed)`;
  };
  const summary = [
    `Source: ${data.source}`,
    ...(objectives.length > 1
      ? [`Objectives: ${objectives.map((o) => `${o.direction} ${o.metric}`).join(', ')}`, paretoLine()]
      : [`Objective: ${data.direction} ${data.metric}`]),
    `${data.trials.length} ${what}: ${[...counts.entries()].map(([s, n]) => `${n} ${s}`).join(', ')}`,
    ...(best ? [`Best ${data.order === 'trial' ? 'trial' : 'entry'}: ${data.order === 'trial' ? '#' : ''}${best.number} ${paramsText(best.params)} → ${data.metric} = ${showValue(best.value as number)}${best.stage ? ` (stage ${best.stage})` : ''}`] : []),
    ...(confirm ? [`Selected in stage 4 (on ${confirm.metric}): ${confirm.best}`] : []),
  ];
  return { title: `hyperzone report: ${data.source}`, summary, charts, skipped };
}
