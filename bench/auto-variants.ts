// Development bench for the default strategy `auto` on the FCNet tables: one trajectory per repetition
// (the same proposals and noise draws as `bench/strategies.ts --only auto` for the same seed), scored with
// several rules for the returned configuration, so rules are compared on identical data. Use it on held-out
// seeds (--seed-base 3000), not on the reported ones (1000–1019).
// Usage: npx tsx bench/auto-variants.ts [--seed-base 3000] [--reps 20] [--tables naval_propulsion,...]
//        [--budgets 50,100,200] [--proposals default|late-local] [--switch-at 40]
//   --proposals late-local: from 100 complete trials on, the GP's EI search uses 64 uniform and 448 local
//   candidates (around the 5 best observed) instead of 320 and 192 — late-phase exploitation.
//   --switch-at N: auto's TPE→GP switch (default 40). Every rule is scored from the GP posterior even below it
//   (AutoSampler itself returns the best observed there: the 'best observed' row).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TabularObjective } from './objectives/tabular.js';
import { AutoSampler } from '../src/samplers/auto.js';
import { GpSampler, type ObservedPosterior } from '../src/samplers/gp.js';
import type { Sampler, SamplerContext } from '../src/samplers/sampler.js';
import type { Params, TrialRecord } from '../src/core/types.js';
import { askTell } from './support/loop.js';
import { quantile } from '../src/stats/intervals.js';
import { benchDataDir } from './support/data-dir.js';

/** A rule for the returned configuration, from the GP posterior at the observed points (lower is better). */
export interface PickRule { name: string; pick: (post: readonly ObservedPosterior[], n: number) => Params }

const argmin = (post: readonly ObservedPosterior[], ok: (p: ObservedPosterior) => boolean, score: (p: ObservedPosterior) => number): Params => {
  let best: ObservedPosterior | null = null;
  for (const p of post) if (ok(p) && (best === null || score(p) < score(best))) best = p;
  return (best as ObservedPosterior).params;
};

export const RULES: PickRule[] = [
  { name: 'best observed', pick: (post) => argmin(post, () => true, (p) => p.y) },
  { name: 'mu, best 5 (current)', pick: (post) => argmin(post, (p) => p.rank < 5, (p) => p.mu) },
  { name: 'mu, best 10', pick: (post) => argmin(post, (p) => p.rank < 10, (p) => p.mu) },
  { name: 'mu, best n/20', pick: (post, n) => argmin(post, (p) => p.rank < Math.ceil(n / 20), (p) => p.mu) },
  { name: 'mu, all', pick: (post) => argmin(post, () => true, (p) => p.mu) },
  { name: 'mu+sd, best 5', pick: (post) => argmin(post, (p) => p.rank < 5, (p) => p.mu + p.sd) },
  { name: 'mu+sd, best 10', pick: (post) => argmin(post, (p) => p.rank < 10, (p) => p.mu + p.sd) },
  { name: 'mu+sd, best n/20', pick: (post, n) => argmin(post, (p) => p.rank < Math.ceil(n / 20), (p) => p.mu + p.sd) },
  { name: 'mu+sd, all', pick: (post) => argmin(post, () => true, (p) => p.mu + p.sd) },
  { name: 'mu+0.5sd, all', pick: (post) => argmin(post, () => true, (p) => p.mu + 0.5 * p.sd) },
];

/** `auto`, whose GP phase switches to a local-heavy EI search from `lateAt` complete trials on. */
class LateLocalAuto implements Sampler {
  readonly name = 'auto (late-local)';
  private readonly early: AutoSampler;
  private readonly late: AutoSampler;
  constructor(switchAt: number, private readonly lateAt = 100) {
    this.early = new AutoSampler({ switchAt });
    this.late = new AutoSampler({ switchAt, gp: { nRandomCandidates: 64, nLocalCandidates: 448 } });
  }
  sample(ctx: SamplerContext): { params: Params } {
    const done = ctx.trials.filter((t) => t.state === 'complete' && t.value !== null && Number.isFinite(t.value)).length;
    return (done < this.lateAt ? this.early : this.late).sample(ctx);
  }
}

function parse(argv: string[]): { seedBase: number; reps: number; tables: string[]; budgets: number[]; proposals: 'default' | 'late-local'; switchAt: number } {
  const a = { switchAt: 40, seedBase: 3000, reps: 20, tables: ['naval_propulsion', 'parkinsons_telemonitoring', 'protein_structure', 'slice_localization'], budgets: [50, 100, 200], proposals: 'default' as 'default' | 'late-local' };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i], v = argv[++i];
    if (v === undefined) throw new Error(`Expected a value after ${k}`);
    if (k === '--seed-base') a.seedBase = Number(v);
    else if (k === '--reps') a.reps = Number(v);
    else if (k === '--switch-at') a.switchAt = Number(v);
    else if (k === '--tables') a.tables = v.split(',').filter((s) => s.length > 0);
    else if (k === '--budgets') a.budgets = v.split(',').map(Number).sort((x, y) => x - y);
    else if (k === '--proposals') { if (v !== 'default' && v !== 'late-local') throw new Error(`Unknown --proposals ${v}`); a.proposals = v; }
    else throw new Error(`Unknown option ${k}`);
  }
  if (!Number.isSafeInteger(a.seedBase) || !Number.isInteger(a.reps) || a.reps < 1) throw new Error('Expected integer --seed-base and --reps ≥ 1');
  if (!Number.isInteger(a.switchAt) || a.switchAt < 10) throw new Error('Expected --switch-at to be an integer ≥ 10');
  if (a.budgets.some((b) => !Number.isInteger(b) || b < 10)) throw new Error('Expected --budgets ≥ 10 (the GP’s start-up)');
  return a;
}

const fmt = (x: number): string => (x === 0 ? '0' : Math.abs(x) >= 0.01 ? x.toFixed(3) : x.toExponential(1));

async function main(): Promise<void> {
  const a = parse(process.argv.slice(2));
  const started = Date.now();
  const dir = `${benchDataDir()}/`;
  const gp = new GpSampler({ yTransform: 'rank', avoidRepeats: true }); // auto's GP phase, as AutoSampler builds it
  const all: Record<string, Record<string, number[][]>> = {};
  console.log(`# auto variants: proposals ${a.proposals}, switchAt ${a.switchAt}, seeds ${a.seedBase}–${a.seedBase + a.reps - 1}, budgets ${a.budgets.join(', ')}\n`);
  for (const t of a.tables) {
    const path = `${dir}fcnet-${t}.csv.gz`;
    if (!existsSync(path)) { console.log(`(skipping ${t}: absent)`); continue; }
    const obj = await TabularObjective.load(path, { metric: 'valid_mse', direction: 'minimize' });
    const regrets: Record<string, number[][]> = Object.fromEntries(RULES.map((r) => [r.name, []]));
    for (let rep = 0; rep < a.reps; rep++) {
      const sampler: Sampler = a.proposals === 'late-local' ? new LateLocalAuto(a.switchAt) : new AutoSampler({ switchAt: a.switchAt });
      const rows: Record<string, number[]> = Object.fromEntries(RULES.map((r) => [r.name, []]));
      const at = new Set(a.budgets);
      const loop = askTell(sampler, obj.space, obj.direction, Math.max(...a.budgets), a.seedBase + rep, (i, trials: readonly TrialRecord[]) => {
        if (!at.has(i + 1)) return;
        const post = gp.posteriorAtObserved(obj.space, obj.direction, trials);
        if (post === null) throw new Error('no GP posterior');
        for (const r of RULES) (rows[r.name] as number[]).push(obj.rankRegret(r.pick(post, i + 1)));
      });
      for (let s = loop.next(); !s.done; ) s = loop.next(obj.evaluate(s.value.params, s.value.noise));
      for (const r of RULES) (regrets[r.name] as number[][]).push(rows[r.name] as number[]);
      process.stderr.write(`  ${t} rep ${rep + 1}/${a.reps} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
    }
    all[t] = regrets;
    console.log(`## fcnet ${t}: median (IQR) rank regret, ${a.reps} reps\n`);
    console.log(`| rule | ${a.budgets.map((b) => `${b} evals`).join(' | ')} |\n|---|${a.budgets.map(() => '---').join('|')}|`);
    for (const r of RULES) {
      const m = regrets[r.name] as number[][];
      const cells = a.budgets.map((_, j) => { const xs = m.map((row) => row[j] as number); return `${fmt(quantile(xs, 0.5))} (${fmt(quantile(xs, 0.25))}–${fmt(quantile(xs, 0.75))})`; });
      console.log(`| ${r.name} | ${cells.join(' | ')} |`);
    }
    console.log('');
  }
  const out = fileURLToPath(new URL('./out/', import.meta.url));
  mkdirSync(out, { recursive: true });
  const file = `${out}auto-variants-${a.proposals}${a.switchAt === 40 ? '' : `-switch${a.switchAt}`}-${a.seedBase}.json`;
  writeFileSync(file, JSON.stringify({ args: a, seconds: (Date.now() - started) / 1000, regrets: all }));
  console.log(`per-rep regrets: ${file}; total ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
