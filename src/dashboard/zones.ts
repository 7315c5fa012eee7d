import { HyperzoneError } from '../core/errors.js';
import type { Params, StudyRecord, TrialRecord } from '../core/types.js';
import { resultSetFromTrials, STAGE_ATTR } from '../results/from-trials.js';
import type { ResultSet } from '../results/resultset.js';
import { planOfStudy } from '../spec/index.js';
import { runStage, ZONE_STAGES, type ConfirmOutput, type RefineOutput, type ZoneOptions, type ZoneStageName, type ZonesOutput } from '../strategies/zones/index.js';

/** One stage of the zone strategy as the dashboard shows it. */
export interface ZoneStageView {
  readonly stage: ZoneStageName;
  /** done: its document is complete; running: trials of its plan are still to finish; waiting: an earlier stage is not done. */
  readonly status: 'done' | 'running' | 'waiting' | 'error';
  /** Its trials in storage by state (tagged `zones.stage`), and the epochs they ran. */
  readonly trials: { readonly complete: number; readonly running: number; readonly waiting: number; readonly failed: number; readonly pruned: number };
  readonly epochs: number;
  /** Trials its plan still needs (running). */
  readonly planned: number;
  /** Why it waits, or what failed. */
  readonly note: string | null;
  /** The stage's findings (its document's stage_output) once done. */
  readonly output: unknown;
}

/** A configuration the zone strategy singled out, to mark on the surface. */
export interface ZonePoint {
  /** peak: a zone's best grid point; extent: a grid point inside a zone; line: a point a stage-2 line search ran;
   * candidate: a refined configuration leaving stage 2; baseline: the plain grid's best; selected: stage 4's pick. */
  readonly kind: 'peak' | 'extent' | 'line' | 'candidate' | 'baseline' | 'selected';
  readonly params: Params;
  readonly zone: number | null;
  readonly value: number | null;
  readonly label: string;
}

/** The zone strategy's stages, documents and marks for a study, rebuilt from its trials as `hyperzone stage` would. */
export interface ZoneView {
  readonly stages: readonly ZoneStageView[];
  readonly points: readonly ZonePoint[];
  /** Stage 4's report (the forest plot's rows and verdicts) once it is done. */
  readonly confirm: ConfirmOutput | null;
}

const label = (p: Readonly<Record<string, unknown>>): string => Object.entries(p).map(([k, v]) => `${k}=${String(v)}`).join(' ');

/** The zone options of a study run with `sampler: { type: zones }`, or null for any other study (or an unreadable spec). */
export function zoneOptionsOfStudy(study: StudyRecord): ZoneOptions | null {
  try {
    const plan = planOfStudy(study, { checkParams: false });
    return plan !== null && plan.sampler.type === 'zones' ? plan.zoneOptions : null;
  } catch {
    return null;
  }
}

/**
 * The stages of a zone-strategy study from its stored trials: each stage is run on the study's results (the same
 * analysis `hyperzone stage NAME` does on a document), so a finished stage shows its document and a stage in
 * progress the trials it still needs. Nothing is written.
 */
export function zoneView(study: StudyRecord, options: ZoneOptions, trials: readonly TrialRecord[]): ZoneView {
  const plan = planOfStudy(study, { checkParams: false });
  const space = plan?.space.toJSON() ?? {};
  const rs: ResultSet = resultSetFromTrials({ space, metric: study.metric, direction: study.direction, fixed: plan?.fixed ?? {} }, trials);
  const stages: ZoneStageView[] = [];
  const outputs: Partial<Record<ZoneStageName, unknown>> = {};
  for (const stage of ZONE_STAGES) {
    const mine = trials.filter((t) => t.attrs[STAGE_ATTR] === stage);
    const count = { complete: 0, running: 0, waiting: 0, failed: 0, pruned: 0 };
    let epochs = 0;
    for (const t of mine) {
      count[t.state] += 1;
      epochs += t.steps.length;
    }
    let status: ZoneStageView['status'];
    let planned = 0;
    let note: string | null = null;
    let output: unknown = null;
    try {
      const out = runStage(stage, rs, options);
      if (out.stage_output !== undefined && (out.plan ?? []).length === 0) {
        status = 'done';
        output = out.stage_output;
        outputs[stage] = output;
      } else {
        status = 'running';
        planned = (out.plan ?? []).length;
      }
    } catch (e) {
      status = e instanceof HyperzoneError && e.code === 'STAGE_ERROR' ? 'waiting' : 'error';
      note = e instanceof Error ? e.message : String(e);
    }
    stages.push({ stage, status, trials: count, epochs, planned, note, output });
  }
  return { stages, points: pointsOf(outputs), confirm: (outputs.confirm as ConfirmOutput | undefined) ?? null };
}

/** The configurations to mark: zones (peaks, extents), stage 2's line points and candidates, the baseline and the pick. */
function pointsOf(outputs: Partial<Record<ZoneStageName, unknown>>): ZonePoint[] {
  const points: ZonePoint[] = [];
  const z = outputs.zones as ZonesOutput | undefined;
  if (z) {
    for (const zone of z.zones) {
      for (const p of zone.extent) points.push({ kind: 'extent', params: p, zone: zone.rank, value: null, label: `in zone ${zone.rank}` });
      points.push({ kind: 'peak', params: zone.peak, zone: zone.rank, value: zone.value, label: `zone ${zone.rank} peak: ${label(zone.peak)}` });
    }
    points.push({ kind: 'baseline', params: z.gridBest.params, zone: null, value: z.gridBest.value, label: `plain-grid best: ${label(z.gridBest.params)}` });
  }
  const r = outputs.refine as RefineOutput | undefined;
  if (r) {
    for (const line of r.lines) {
      const zone = r.zones.find((x) => x.rank === line.zone);
      if (!zone) continue;
      for (const e of line.evaluated) {
        const params = { ...zone.peak, [line.axis]: e.x };
        points.push({ kind: 'line', params, zone: line.zone, value: e.value, label: `stage 2, zone ${line.zone} along ${line.axis}: ${label(params)}` });
      }
    }
    for (const c of r.candidates) {
      points.push({ kind: 'candidate', params: c.params, zone: c.zone, value: c.value, label: `refined candidate (zone ${c.zone}, ${c.source}): ${label(c.params)}` });
    }
  }
  const c = outputs.confirm as ConfirmOutput | undefined;
  const picked = c?.configs.find((x) => x.label === c.best);
  if (c && picked) {
    points.push({ kind: 'selected', params: picked.params, zone: null, value: picked.validation.mean, label: `selected in stage 4: ${picked.label}` });
  }
  return points;
}
