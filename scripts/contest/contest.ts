// Issue 12's equal-compute contest (settings: docs/contest-2026-12-02/SETTINGS.md, fixed before any run).
// Per study seed: the zone strategy runs first and sets the compute E (epochs over all its trials); auto, random,
// the plain grid with a fixed schedule and TPE + Hyperband get E too; each strategy's pick (validation only) is
// rerun on the same 5 fresh seeds with the test set read, and compared with the zone strategy's pick by paired
// t-tests + Holm. Drives the compiled CLI (`npm run build` first).
// Usage: npx tsx scripts/contest/contest.ts --preset cpu|gpu|tiny [--dataset mnist|fashion-mnist] [--study-seeds 1,2,3] --out DIR
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { compareAgainstBest } from '../../src/stats/verdict.js';
import { meanInterval, withTestSetError } from '../../src/stats/intervals.js';
import { deriveSeed } from '../../src/core/rng.js';

interface Preset {
  readonly trainer: Record<string, unknown>;
  readonly units: Record<string, unknown>;
  readonly batch: Record<string, unknown>;
  readonly gridPoints: number;
  readonly epochs: number;
  readonly dropout: number;
  readonly schedules: readonly string[];
  readonly gridSchedule: string;
  readonly testSize: number;
  readonly parallel: number;
}

const PRESETS: Record<string, (dataset: string) => Preset> = {
  gpu: () => ({
    trainer: { type: 'command', command: ['python3', resolve('examples/torch/train.py'), '--device', 'cuda'], timeout_s: 1200 },
    units: { type: 'series', from: 128, to: 8192, base: 2, midpoints: true },
    batch: { type: 'series', from: 16, to: 1024, base: 2 },
    gridPoints: 91, epochs: 40, dropout: 0.5, schedules: ['none', 'step:7', 'plateau:3', 'plateau:10'], gridSchedule: 'step:7', testSize: 10_000, parallel: 14,
  }),
  cpu: (dataset) => ({
    trainer: { type: 'tfjs', dataset, train_limit: 12_000, validation_split: 0.2 },
    units: { type: 'series', from: 32, to: 512, base: 2, midpoints: true },
    batch: { type: 'series', from: 32, to: 256, base: 2 },
    gridPoints: 36, epochs: 8, dropout: 0.2, schedules: ['none', 'step:3', 'plateau:2', 'plateau:4'], gridSchedule: 'step:3', testSize: 10_000, parallel: 2,
  }),
  tiny: (dataset) => ({
    trainer: { type: 'tfjs', dataset, train_limit: 750, test_limit: 500, validation_split: 0.2 },
    units: { type: 'series', values: [16, 32, 48] },
    batch: { type: 'series', values: [64, 128] },
    gridPoints: 6, epochs: 2, dropout: 0.2, schedules: ['none', 'step:1'], gridSchedule: 'step:1', testSize: 500, parallel: 2,
  }),
};

const arg = (name: string, dflt?: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const CLI = resolve('dist/cli/main.js');
const HYPERBAND_SHARE = 0.35;
const CONFIRM_SEEDS = 5;

type Params = Record<string, string | number | boolean>;
interface Trial { state: string; params: Params; value: number | null; steps: { step: number }[]; budget: number | null }

function hz(cwd: string, args: string[]): string {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', maxBuffer: 256 << 20, env: process.env });
  if (r.status !== 0) throw new Error(`hyperzone ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return r.stdout;
}

function writeSpec(dir: string, name: string, spec: Record<string, unknown>): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, JSON.stringify(spec, null, 2)); // JSON is YAML
  return file;
}

/** Epochs a study spent: every trial's recorded epochs (its steps; its budget when it stored none). */
const epochsOf = (trials: readonly Trial[]): number => trials.reduce((s, t) => s + (t.steps.length > 0 ? t.steps.length : (t.budget ?? 0)), 0);

function exportTrials(dir: string, study: string): Trial[] {
  return (JSON.parse(hz(dir, ['export', '--storage', `${study}.db`, '--study', study, '--format', 'json'])) as { trials: Trial[] }).trials;
}

function bestTrial(trials: readonly Trial[], minSteps = 0): Trial {
  const done = trials.filter((t) => t.state === 'complete' && t.value !== null && t.steps.length >= minSteps);
  if (done.length === 0) throw new Error('no complete trial to pick');
  return done.reduce((a, b) => ((b.value as number) > (a.value as number) ? b : a));
}

function contest(preset: Preset, dataset: string, studySeed: number, out: string): Record<string, unknown> {
  const dir = resolve(out, `seed-${studySeed}`);
  mkdirSync(dir, { recursive: true });
  const base = {
    objective: { metric: 'val_accuracy', direction: 'maximize' },
    budget: { epochs: preset.epochs },
    trainer: preset.trainer,
    seed: studySeed,
    parallel: preset.parallel,
  };
  const fixed = { dropout: preset.dropout, learning_rate: 0.001 };
  const space2 = { units: preset.units, batch_size: preset.batch };
  const space3 = { ...space2, lr_schedule: { type: 'categorical', choices: preset.schedules } };
  const picks: Record<string, { params: Params; epochs: number; trials: number }> = {};

  // 1. Zones with its defaults: its compute sets everyone's budget.
  writeSpec(dir, 'zones', { ...base, study: 'zones', space: space2, fixed: { ...fixed, lr_schedule: 'none' }, sampler: { type: 'zones', schedules: preset.schedules } });
  hz(dir, ['run', 'zones.yaml', '--storage', 'zones.db', '-q']);
  const zonesTrials = exportTrials(dir, 'zones');
  const E = epochsOf(zonesTrials);
  const conf = JSON.parse(readFileSync(join(dir, '.hyperzone', 'zones', '4-confirm.json'), 'utf8')) as { stage_output: { best: string; configs: { label: string; params: Params }[] } };
  const zp = conf.stage_output.configs.find((c) => c.label === conf.stage_output.best);
  if (!zp) throw new Error('zones: no selected configuration in 4-confirm.json');
  picks.zones = { params: zp.params, epochs: E, trials: zonesTrials.length };

  // 2. auto and random: ⌊E / epochs⌋ full-budget trials.
  const n = Math.max(1, Math.floor(E / preset.epochs));
  for (const type of ['auto', 'random'] as const) {
    writeSpec(dir, type, { ...base, study: type, space: space3, fixed, sampler: { type, trials: n } });
    const stdout = hz(dir, ['run', `${type}.yaml`, '--storage', `${type}.db`]);
    const trials = exportTrials(dir, type);
    let params = bestTrial(trials).params;
    // auto prints its own pick ("recommended by auto: units=… batch_size=… lr_schedule=… → …") when it differs.
    const rec = /recommended by auto: (.*?) → /.exec(stdout);
    if (type === 'auto' && rec) params = Object.fromEntries((rec[1] as string).split(' ').map((kv) => kv.split('=')).map(([k, v]) => [k as string, Number.isNaN(Number(v)) ? (v as string) : Number(v)]));
    picks[type] = { params, epochs: epochsOf(trials), trials: trials.length };
  }

  // 3. The plain grid with the schedule fixed in advance, at the epochs E allows (capped at the full budget).
  const gridEpochs = Math.max(1, Math.min(preset.epochs, Math.floor(E / preset.gridPoints)));
  writeSpec(dir, 'grid', { ...base, study: 'grid', budget: { epochs: gridEpochs }, space: space2, fixed: { ...fixed, lr_schedule: preset.gridSchedule }, sampler: { type: 'grid' } });
  hz(dir, ['run', 'grid.yaml', '--storage', 'grid.db', '-q']);
  const gridTrials = exportTrials(dir, 'grid');
  picks.grid = { params: { ...bestTrial(gridTrials).params, lr_schedule: preset.gridSchedule }, epochs: epochsOf(gridTrials), trials: gridTrials.length };

  // 4. TPE + Hyperband.
  const nh = Math.max(1, Math.floor(E / (HYPERBAND_SHARE * preset.epochs)));
  writeSpec(dir, 'tpe-hyperband', {
    ...base, study: 'tpe-hyperband', space: space3, fixed,
    sampler: { type: 'tpe', trials: nh }, scheduler: { type: 'hyperband', min_resource: 1, max_resource: preset.epochs, reduction_factor: 3 },
  });
  hz(dir, ['run', 'tpe-hyperband.yaml', '--storage', 'tpe-hyperband.db', '-q']);
  const hbTrials = exportTrials(dir, 'tpe-hyperband');
  picks['tpe-hyperband'] = { params: bestTrial(hbTrials, preset.epochs).params, epochs: epochsOf(hbTrials), trials: hbTrials.length };

  // 5. Confirmation: every pick × the same 5 fresh seeds, test set read here only.
  const seeds = Array.from({ length: CONFIRM_SEEDS }, (_, i) => deriveSeed(studySeed, 'contest-confirm', i));
  const names = Object.keys(picks);
  hz(dir, ['stage', 'zones', '--spec', 'zones.yaml', '--out', 'confirm-plan.json']);
  const doc = JSON.parse(readFileSync(join(dir, 'confirm-plan.json'), 'utf8')) as Record<string, unknown>;
  // Strategies that picked the same configuration share its runs (one plan entry per configuration × seed).
  const pickOf = (s: string): Params => (picks[s] as { params: Params }).params;
  const unique = [...new Map(names.map((s) => [JSON.stringify(Object.entries(pickOf(s)).sort()), pickOf(s)])).values()];
  doc.plan = unique.flatMap((params) => seeds.map((seed) => ({ params: { ...params }, seed, budget: preset.epochs, attrs: { evaluate_test: true, 'zones.stage': 'contest' } })));
  writeFileSync(join(dir, 'confirm-plan.json'), JSON.stringify(doc));
  hz(dir, ['evaluate', '--in', 'confirm-plan.json', '--spec', 'zones.yaml', '--out', 'confirmed.json', '--storage', 'confirm.db', '-q']);
  const confirmed = JSON.parse(readFileSync(join(dir, 'confirmed.json'), 'utf8')) as { entries: { params: Params; seed: number; value: number; metrics: Record<string, number> }[] };
  const key = (p: Params): string => JSON.stringify(Object.entries(p).sort());
  const runsOf = (s: string) => confirmed.entries.filter((e) => key(e.params) === key((picks[s] as { params: Params }).params) && seeds.includes(e.seed));
  const samples = names.map((s) => {
    const runs = runsOf(s);
    return { label: s, values: runs.map((e) => e.metrics.test_accuracy as number), seeds: runs.map((e) => e.seed) };
  });
  // The zone strategy is the reference, fixed in advance (SETTINGS.md): each other strategy against it, paired, Holm.
  const cmp = compareAgainstBest(samples, 'maximize', 0.05, 'zones', 'independent');
  const rows = names.map((s) => {
    const runs = runsOf(s);
    const test = meanInterval(runs.map((e) => e.metrics.test_accuracy as number));
    return {
      strategy: s, ...(picks[s] as object),
      validation: meanInterval(runs.map((e) => e.value)),
      test, testWithTestSet: withTestSetError(test, preset.testSize),
    };
  });
  return { studySeed, dataset, E, imageEpochsPerEpoch: 'training images of the preset', rows, comparisons: cmp.comparisons, seeds };
}

function main(): void {
  const presetName = arg('preset', 'tiny') as string;
  const make = PRESETS[presetName];
  if (!make) throw new Error(`Expected --preset gpu, cpu or tiny, got ${presetName}`);
  const dataset = arg('dataset', 'mnist') as string;
  const out = arg('out');
  if (!out) throw new Error('--out DIR is required');
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  const preset = make(dataset);
  const results = (arg('study-seeds', '1') as string).split(',').map(Number).map((s) => contest(preset, dataset, s, out));
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'results.json'), JSON.stringify({ preset: presetName, dataset, results }, null, 2));
  const lines: string[] = [`# Contest: preset ${presetName}, ${dataset} (settings: docs/contest-2026-12-02/SETTINGS.md)`, ''];
  type Interval = { mean: number; halfWidth: number };
  type Row = { strategy: string; params: Params; epochs: number; trials: number; test: Interval; testWithTestSet: { halfWidth: number } };
  for (const r of results as { studySeed: number; E: number; rows: Row[]; comparisons: { verdict: string }[] }[]) {
    lines.push(`## Study seed ${r.studySeed} (zone strategy's compute: ${r.E} epochs)`, '', '| strategy | pick | trials | epochs | test mean ± 95% (seeds) | ± with test-set error |', '|---|---|---|---|---|---|');
    for (const x of r.rows) lines.push(`| ${x.strategy} | ${Object.entries(x.params).map(([k, v]) => `${k}=${v}`).join(' ')} | ${x.trials} | ${x.epochs} | ${x.test.mean.toFixed(4)} ± ${x.test.halfWidth.toFixed(4)} | ± ${x.testWithTestSet.halfWidth.toFixed(4)} |`);
    lines.push('', ...r.comparisons.map((c) => `- ${c.verdict}`), '');
  }
  writeFileSync(join(out, 'results.md'), lines.join('\n'));
  console.log(lines.join('\n'));
}

main();
