import type { ResultSet } from '../../results/resultset.js';
import { surfaceAt, analyzeZones, type ZonesOutput } from '../../strategies/zones/zones.js';
import type { Zone, ZoneOptions } from '../../strategies/zones/options.js';
import { curvesChart } from './curves.js';
import { paramsText, pickAxes, showValue, type ReportData } from './data.js';
import { asConfirmOutput, forestChart } from './forest.js';
import { heatmapChart, type HeatMark, type SurfacePoint } from './heatmap.js';
import { historyChart } from './history.js';
import { parallelChart } from './parallel.js';
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

/** Zones for the heatmap: stage 1's own output when the input is one, else found again from the stage-1 entries. */
function zonesFor(data: ReportData, opts: ReportOptions): { zones?: readonly Zone[]; note?: string } {
  const so = data.stageOutput;
  if (so && so.stage === 'zones' && Array.isArray((so as unknown as ZonesOutput).zones)) return { zones: (so as unknown as ZonesOutput).zones };
  const rs = data.resultSet;
  if (!rs || !data.trials.some((t) => t.stage === 'zones')) return {};
  try {
    return { zones: analyzeZones(rs, opts.zoneOptions ?? {}).zones };
  } catch (e) {
    return { note: `Zones not outlined: ${(e as Error).message}` };
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

  const confirm = asConfirmOutput(data.stageOutput);
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
  } else skipped.push({ title: 'Heatmap', reason: 'it needs two ordered (numeric) params; this space has fewer' });

  add(curvesChart(data, { top: opts.top ?? 10 }), 'Learning curves', `no complete trial reported ${data.metric} per step`);
  if (confirm) charts.push(forestChart(confirm));
  add(parallelChart(data), 'Parallel coordinates', 'the trials have two params or fewer (the heatmap shows them)');

  const counts = new Map<string, number>();
  for (const t of data.trials) counts.set(t.state, (counts.get(t.state) ?? 0) + 1);
  const sign = data.direction === 'maximize' ? 1 : -1;
  const best = data.trials.filter((t) => t.state === 'complete' && t.value !== null).sort((a, b) => sign * ((b.value as number) - (a.value as number)))[0];
  const what = data.order === 'trial' ? 'trials' : 'entries';
  const summary = [
    `Source: ${data.source}`,
    `Objective: ${data.direction} ${data.metric}`,
    `${data.trials.length} ${what}: ${[...counts.entries()].map(([s, n]) => `${n} ${s}`).join(', ')}`,
    ...(best ? [`Best ${data.order === 'trial' ? 'trial' : 'entry'}: ${data.order === 'trial' ? '#' : ''}${best.number} ${paramsText(best.params)} → ${data.metric} = ${showValue(best.value as number)}${best.stage ? ` (stage ${best.stage})` : ''}`] : []),
    ...(confirm ? [`Selected in stage 4 (on ${confirm.metric}): ${confirm.best}`] : []),
  ];
  return { title: `hyperzone report: ${data.source}`, summary, charts, skipped };
}
