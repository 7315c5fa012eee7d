import { extent } from 'd3-array';
import type { Direction, ObjectiveSpec, Params } from '../../core/types.js';
import { paretoSummary, type ParetoTrial } from '../pareto.js';
import { bottomAxis, leftAxis, leftAxisMargin } from './axes.js';
import { paramsText, showValue, type ReportData } from './data.js';
import { truncate } from './escape.js';
import { makeScale, type Scale } from './scale.js';
import { niceDomain } from './ticks.js';
import { el, pathData, svgDocument, text, tooltip, type Chart } from './svg.js';

/** One complete trial as the front chart sees it: its number and its two objective values. */
interface FrontPoint extends ParetoTrial {
  readonly y: number;
  readonly x: number;
  readonly params: Params;
}

/** The two objectives a front chart draws (y: the first, x: the second) and its points; or why there is none. */
export type FrontInput =
  | {
    readonly kind: 'objectives' | 'size'; readonly y: ObjectiveSpec; readonly x: ObjectiveSpec; readonly points: readonly FrontPoint[];
    /** Complete trials in all (some may lack the values drawn). */
    readonly complete: number;
  }
  | { readonly kind: 'none'; readonly reason: string };

const SIZE: ObjectiveSpec = { metric: 'parameters', direction: 'minimize' };

/**
 * What the front chart draws: a study with two objectives draws them (the first up, the second across); a
 * single-objective one draws its objective against trainable parameters (the final metric `parameters`, fewest
 * best), the front of (best value, fewest parameters). Three objectives or more, or no sizes, give the reason instead.
 */
export function frontInput(data: ReportData): FrontInput {
  const objectives = data.objectives ?? [{ metric: data.metric, direction: data.direction }];
  const complete = data.trials.filter((t) => t.state === 'complete');
  if (objectives.length > 2) {
    return { kind: 'none', reason: `the study has ${objectives.length} objectives and the chart draws two (hyperzone status lists the front over all of them)` };
  }
  if (objectives.length === 2) {
    const points = complete.flatMap((t) => {
      const v = t.values;
      if (!v || v.length !== 2 || !v.every(Number.isFinite)) return [];
      return [{ number: t.number, state: t.state, value: v[0] as number, values: v, y: v[0] as number, x: v[1] as number, params: t.params }];
    });
    if (points.length === 0) return { kind: 'none', reason: 'no complete trial has both objective values yet' };
    return { kind: 'objectives', y: objectives[0] as ObjectiveSpec, x: objectives[1] as ObjectiveSpec, points, complete: complete.length };
  }
  const points = complete.flatMap((t) => (t.value !== null && Number.isFinite(t.value) && t.parameters !== undefined
    ? [{ number: t.number, state: t.state, value: t.value, values: [t.value, t.parameters], y: t.value, x: t.parameters, params: t.params }]
    : []));
  if (points.length === 0) return { kind: 'none', reason: `no complete ${data.order === 'trial' ? 'trial' : 'entry'} reports trainable parameters (the final metric \`parameters\`)` };
  return { kind: 'size', y: objectives[0] as ObjectiveSpec, x: SIZE, points, complete: complete.length };
}

/**
 * Whether values read best on a log axis (the report's front chart and the dashboard's): all positive and spanning a
 * factor of 10 for trainable parameters, of 100 for anything else (an accuracy from 0.02 to 0.93 stays linear; a loss over three decades does not).
 */
export function logAxisFor(values: readonly number[], metric: string): boolean {
  const [lo, hi] = extent(values);
  return lo !== undefined && hi !== undefined && lo > 0 && hi / lo >= (metric === 'parameters' ? 10 : 100);
}

/** An axis' scale over the values: log (decades) with a little room at each end, else linear over a nice domain. */
function axisScale(values: readonly number[], metric: string, range: readonly [number, number]): Scale {
  const [lo, hi] = extent(values) as [number, number];
  if (logAxisFor(values, metric)) return makeScale(true, [lo / 1.15, hi * 1.15], range, 10);
  return makeScale(false, niceDomain(lo, hi, 6), range);
}

/** A value in the front's list: integers with thousands separators (parameter counts), others as showValue. */
const cell = (v: number): string => (Number.isInteger(v) && Math.abs(v) < 1e15 ? v.toLocaleString('en-US') : showValue(v));

/** "maximize" → "max". */
const short = (d: Direction): string => (d === 'maximize' ? 'max' : 'min');

/**
 * The staircase through the front (sorted along x) and the region it dominates up to the reference point, in data
 * units. In minimisation form the front falls as x grows; between two of its points the boundary turns at the corner
 * both dominate: (u_{i+1}, v_i).
 */
export function frontOutline(front: readonly { x: number; y: number }[], dirs: { x: Direction; y: Direction }, ref: { x: number; y: number }):
  { line: [number, number][]; region: [number, number][] } {
  const sx = dirs.x === 'maximize' ? -1 : 1;
  const sy = dirs.y === 'maximize' ? -1 : 1;
  const pts = front.map((p) => [sx * p.x, sy * p.y] as [number, number]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const line: [number, number][] = [];
  pts.forEach((p, i) => {
    if (i > 0) line.push([p[0], (pts[i - 1] as [number, number])[1]]);
    line.push(p);
  });
  const ru = sx * ref.x;
  const rv = sy * ref.y;
  const first = pts[0];
  const last = pts[pts.length - 1];
  const region = first && last ? [[first[0], rv] as [number, number], ...line, [ru, last[1]] as [number, number], [ru, rv] as [number, number]] : [];
  const back = (p: [number, number]): [number, number] => [sx * p[0], sy * p[1]];
  return { line: line.map(back), region: region.map(back) };
}

/** "better ↖": the corner both objectives improve towards. */
function betterArrow(x: Direction, y: Direction): string {
  return x === 'minimize' ? (y === 'maximize' ? '↖' : '↙') : (y === 'maximize' ? '↗' : '↘');
}

/**
 * The Pareto front over two objectives: every complete trial as a grey dot, the front's trials in red joined by the
 * staircase that bounds what they dominate (shaded up to the reference point), and beside the plot the front listed
 * (trial numbers and both values) with its hypervolume and reference point. A study with two objectives draws them;
 * a single-objective one its objective against trainable parameters. Null when frontInput gives a reason.
 */
export function frontChart(data: ReportData, o: { id?: string; width?: number; height?: number; maxRows?: number } = {}): Chart | null {
  const input = frontInput(data);
  if (input.kind === 'none') return null;
  const id = o.id ?? 'front';
  const W = o.width ?? 880;
  const H = o.height ?? 460;
  const { x: ox, y: oy, points } = input;
  const summary = paretoSummary(points, [oy, ox]);
  const front = summary.front;
  const onFront = new Set(front.map((p) => p.number));
  const ref = { y: summary.ranges[0]?.worst as number, x: summary.ranges[1]?.worst as number };
  const what = data.order === 'trial' ? 'trial' : 'entry';
  const mark = (n: number): string => (data.order === 'trial' ? `#${n}` : `entry ${n}`);

  const panelW = 270;
  const plotRight = W - panelW - 24;
  const ysProbe = axisScale(points.map((p) => p.y), oy.metric, [H - 60, 56]);
  const yLabels = ysProbe.ticks(6).map((v) => ysProbe.format(v, 6));
  const M = { left: leftAxisMargin(yLabels), top: 56, bottom: 60 };
  const ys = axisScale(points.map((p) => p.y), oy.metric, [H - M.bottom, M.top]);
  const xs = axisScale(points.map((p) => p.x), ox.metric, [M.left, plotRight]);
  const X = (v: number): number => xs.map(v);
  const Y = (v: number): number => ys.map(v);
  const xLog = xs.kind === 'log';
  const yLog = ys.kind === 'log';
  const xName = input.kind === 'size' ? 'trainable parameters' : ox.metric;

  const tip = (p: FrontPoint): string => `${what} ${p.number}${onFront.has(p.number) ? ' (on the Pareto front)' : ''}: ${oy.metric} = ${showValue(p.y)}, ${ox.metric} = ${showValue(p.x)}; ${paramsText(p.params)}`;
  const r = points.length > 2000 ? 1.6 : points.length > 300 ? 2.2 : 3;
  const dots = points.filter((p) => !onFront.has(p.number)).map((p) =>
    el('circle', { class: 'mark trial', cx: X(p.x), cy: Y(p.y), r, fill: '#8a94a6', 'fill-opacity': 0.55 }, tooltip(tip(p))));
  const outline = frontOutline(front, { x: ox.direction, y: oy.direction }, ref);
  const toPx = (pts: readonly [number, number][]): [number, number][] => pts.map(([x, y]) => [X(x), Y(y)]);
  const region = outline.region.length ? el('path', { class: 'dominated', d: `${pathData(toPx(outline.region))}Z`, fill: '#e4572e', 'fill-opacity': 0.09, stroke: 'none' }) : '';
  const stairs = el('path', { class: 'front-line', d: pathData(toPx(outline.line)), fill: 'none', stroke: '#e4572e', 'stroke-width': 2 });
  const frontDots = front.map((p) =>
    el('circle', { class: 'mark front', cx: X(p.x), cy: Y(p.y), r: 4.5, fill: '#e4572e', stroke: '#5a1a08', 'stroke-width': 1 }, tooltip(tip(p))));
  const rx = X(ref.x);
  const ry = Y(ref.y);
  const refMark = el('g', { class: 'reference' },
    el('path', { d: `M${rx - 5} ${ry}L${rx + 5} ${ry}M${rx} ${ry - 5}L${rx} ${ry + 5}`, stroke: '#222', 'stroke-width': 1.6 }),
    tooltip(`reference point of the hypervolume (the worst observed value of each objective): ${oy.metric} = ${showValue(ref.y)}, ${ox.metric} = ${showValue(ref.x)}`));

  // Legend across the top, and which corner is better.
  const legend: string[] = [];
  let lx = M.left;
  const item = (m: string, label: string): void => {
    legend.push(m, text(lx + 14, 24, label, { class: 'tick' }));
    lx += 26 + label.length * 6.2;
  };
  const partial = points.length < input.complete ? ` of ${input.complete}` : '';
  item(el('circle', { cx: lx + 5, cy: 20, r: 3, fill: '#8a94a6' }), `${what === 'trial' ? 'trials' : 'entries'} (${points.length}${partial})`);
  item(el('circle', { cx: lx + 5, cy: 20, r: 4.5, fill: '#e4572e', stroke: '#5a1a08' }), `Pareto front (${front.length})`);
  item(el('rect', { x: lx, y: 15, width: 11, height: 10, fill: '#e4572e', 'fill-opacity': 0.18 }), 'what it dominates');
  item(el('path', { d: `M${lx} 20L${lx + 10} 20M${lx + 5} 15L${lx + 5} 25`, stroke: '#222', 'stroke-width': 1.6 }), 'reference');
  const arrow = betterArrow(ox.direction, oy.direction);
  const cornerX = ox.direction === 'minimize' ? M.left + 8 : plotRight - 8;
  const cornerY = oy.direction === 'maximize' ? M.top + 14 : H - M.bottom - 8;
  const better = text(cornerX, cornerY, `better ${arrow}`, { class: 'note', 'text-anchor': ox.direction === 'minimize' ? 'start' : 'end' });

  // The front listed beside the plot: number, then the two values; as many rows as fit.
  const px = W - panelW;
  const hv = summary.hypervolume;
  const panel: string[] = [
    text(px, 66, `Pareto front: ${front.length} of ${points.length}`, { class: 'label', 'font-weight': 600 }),
    text(px, 84, hv === null ? 'hypervolume: – (no spread yet)' : `hypervolume ${hv.toFixed(4)}`, { class: 'tick' }),
    text(px, 99, 'objectives scaled 0–1, best to worst;', { class: 'note' }),
    text(px, 113, 'reference point = the worst observed:', { class: 'note' }),
    text(px + 8, 127, `${truncate(oy.metric, 22)} ${cell(ref.y)}`, { class: 'note' }),
    text(px + 8, 141, `${truncate(ox.metric, 22)} ${cell(ref.x)}`, { class: 'note' }),
  ];
  // Columns: the number, then each value right-aligned at its column's right edge; headers on two lines (name, direction).
  const c1 = px + 130;
  const c2 = W - 16;
  const head = 164;
  panel.push(
    text(px, head + 14, what === 'trial' ? '#' : 'entry', { class: 'tick', 'font-weight': 600 }),
    text(c1, head, truncate(oy.metric, 15), { class: 'tick', 'font-weight': 600, 'text-anchor': 'end' }),
    text(c1, head + 14, `(${oy.direction})`, { class: 'note', 'text-anchor': 'end' }),
    text(c2, head, truncate(ox.metric, 15), { class: 'tick', 'font-weight': 600, 'text-anchor': 'end' }),
    text(c2, head + 14, `(${ox.direction})`, { class: 'note', 'text-anchor': 'end' }),
    el('line', { class: 'axis', x1: px, y1: head + 20, x2: W - 12, y2: head + 20 }),
  );
  const top = head + 22;
  const rowH = 15;
  const fits = Math.max(1, Math.floor((H - 24 - top) / rowH));
  const maxRows = Math.min(o.maxRows ?? Infinity, front.length > fits ? fits - 1 : fits);
  front.slice(0, maxRows).forEach((p, i) => {
    const y = top + (i + 1) * rowH - 3;
    panel.push(el('g', { class: 'front-row' },
      text(px, y, String(p.number), { class: 'tick' }),
      text(c1, y, cell(p.y), { class: 'tick', 'text-anchor': 'end' }),
      text(c2, y, cell(p.x), { class: 'tick', 'text-anchor': 'end' }),
      tooltip(tip(p))));
  });
  if (front.length > maxRows) panel.push(text(px, top + (maxRows + 1) * rowH - 3, `… ${front.length - maxRows} more (the caption lists them)`, { class: 'note' }));

  const body = [
    leftAxis({ scale: ys, at: M.left, gridTo: plotRight, label: `${oy.metric} (${oy.direction}${yLog ? ', log scale' : ''})`, tickCount: 6 }),
    bottomAxis({ scale: xs, at: H - M.bottom, gridTo: M.top, label: `${xName} (${ox.direction}${xLog ? ', log scale' : ''})`, tickCount: xLog ? 8 : 6 }),
    region,
    el('g', { class: 'marks' }, ...dots),
    stairs,
    el('g', { class: 'marks' }, ...frontDots),
    refMark,
    better,
    el('g', { class: 'legend' }, ...legend),
    el('g', { class: 'front-list' }, ...panel),
  ].join('');
  const title = input.kind === 'size' ? `${oy.metric} against trainable parameters: the Pareto front` : `Pareto front: ${oy.metric} against ${ox.metric}`;
  const hvText = hv === null ? 'Hypervolume: none yet (an objective has a single value).'
    : `Hypervolume ${hv.toFixed(4)} of 1, with each objective scaled to [0, 1] from its best to its worst observed value and the reference point at the worst observed (${oy.metric} = ${showValue(ref.y)}, ${ox.metric} = ${showValue(ref.x)}).`;
  const listed = front.slice(0, 30).map((p) => `${mark(p.number)} (${showValue(p.y)}, ${showValue(p.x)})`).join(', ');
  const without = input.kind === 'size' ? 'report no trainable parameters' : 'lack a value of each objective';
  const desc = `${points.length} complete ${what === 'trial' ? 'trials' : 'entries'}${partial ? ` (the other ${input.complete - points.length} ${without})` : ''}; ${front.length} on the Pareto front of ${short(oy.direction)} ${oy.metric} and ${short(ox.direction)} ${ox.metric}: ${listed}${front.length > 30 ? `, and ${front.length - 30} more` : ''}.`;
  const how = input.kind === 'size'
    ? `The front: no other ${what} reaches a better ${oy.metric} with as few parameters or fewer.`
    : `The front: no other ${what} is as good in both objectives and better in one.`;
  return {
    id,
    title,
    caption: `${desc} ${how} ${hvText} The shaded region is what the front dominates up to the reference point (+). Hover a point for its configuration.`,
    svg: svgDocument({ id, width: W, height: H, title, desc }, body),
  };
}
