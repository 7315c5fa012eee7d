// Development bench for auto's end-of-budget confirmation on the FCNet tables: at one budget, `auto` without
// confirmation (anytime run) against confirmation variants (AutoOptions as JSON), each scored with three rules
// for the returned configuration: auto's own, the best mean among configurations evaluated ≥ 2 and ≥ 3 times.
// Prints the number of configurations truly better than the returned one, per rep, and wins/losses vs the base.
// The default (share 0.2, round-robin among 5, best mean of the re-evaluated) was chosen with it on seeds 4000–4019:
//   npx tsx bench/auto-confirm.ts --seed-base 4000 --reps 20 --tables parkinsons_telemonitoring --variants \
//     '{"rr5-0.2":{"confirmShare":0.2},"rr3-0.2":{"confirmShare":0.2,"confirmAmong":3},"rr8-0.3":{"confirmShare":0.3,"confirmAmong":8}}'
// --pair A,B: also a paired comparison of variants A and B (same seeds): per pick rule, the sign test of their
// configurations-better counts and of their regrets (true value of the returned configuration minus the table's best,
// the mean over its seeds), and how many reps re-evaluated the very same configurations. The confirmation's cached
// kernel hyperparameters were checked with it (README, Proposal latency):
//   npx tsx bench/auto-confirm.ts --budget 200 --reps 10 --tables naval_propulsion,parkinsons_telemonitoring,protein_structure,slice_localization \
//     --variants '{"cached":{},"search":{"confirmHyper":"search"}}' --pair search,cached
import { existsSync } from 'node:fs';
import { TabularObjective } from './objectives/tabular.js';
import { AutoSampler, type AutoOptions } from '../src/samplers/auto.js';
import { askTell } from './support/loop.js';
import type { Params, TrialRecord } from '../src/core/types.js';
import { benchDataDir } from './support/data-dir.js';
import { signTest } from './support/sign-test.js';
const arg = (k: string, d: string) => { const i = process.argv.indexOf(k); return i > 0 ? process.argv[i + 1]! : d; };
const seedBase = Number(arg('--seed-base', '4000')), reps = Number(arg('--reps', '20'));
const tables = arg('--tables', 'parkinsons_telemonitoring,slice_localization').split(',');
const budget = Number(arg('--budget', '200'));
const variants: Record<string, AutoOptions> = JSON.parse(arg('--variants', '{"default":{}}'));
// --no-base: skip the run without confirmation (the wins/losses against it then read 0+ 0-).
const withBase = !process.argv.includes('--no-base');
const pair = process.argv.includes('--pair') ? arg('--pair', '').split(',') : null;
if (pair !== null && (pair.length !== 2 || pair.some((v) => !(v in variants)))) throw new Error(`Expected --pair A,B naming two variants, got ${pair.join(',')}`);
if (!Number.isInteger(budget) || budget < 10 || !Number.isInteger(reps) || reps < 1) throw new Error(`Expected --budget ≥ 10 and --reps ≥ 1, got ${budget}, ${reps}`);
const dir = `${benchDataDir()}/`;
const med = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = (s.length - 1) / 2; return (s[Math.floor(m)]! + s[Math.ceil(m)]!) / 2; };
const key = (p: Params) => JSON.stringify(p);
function meanPick(tr: readonly TrialRecord[], minN: number): Params | null {
  const m = new Map<string, { p: Params; s: number; n: number }>();
  for (const t of tr) { const e = m.get(key(t.params)) ?? { p: t.params, s: 0, n: 0 }; e.s += t.value!; e.n++; m.set(key(t.params), e); }
  let b: { p: Params; s: number; n: number } | null = null;
  for (const e of m.values()) if (e.n >= minN && (b === null || e.s / e.n < b.s / b.n)) b = e;
  return b?.p ?? null;
}
function run(obj: TabularObjective, s: AutoSampler, seed: number): readonly TrialRecord[] {
  let last: readonly TrialRecord[] = [];
  const loop = askTell(s, obj.space, obj.direction, budget, seed, (_i, tr) => { last = tr; });
  for (let x = loop.next(); !x.done; ) x = loop.next(obj.evaluate(x.value.params, x.value.noise));
  return last;
}
for (const t of tables) {
  if (!existsSync(`${dir}fcnet-${t}.csv.gz`)) { console.log(`(skipping ${t}: absent)`); continue; }
  const obj = await TabularObjective.load(`${dir}fcnet-${t}.csv.gz`, { metric: 'valid_mse', direction: 'minimize' });
  const N = obj.configurations().length;
  const rr = (p: Params | null) => (p ? obj.rankRegret(p) * N : NaN);
  const rows: Record<string, number[]> = { base: [] };
  const regrets: Record<string, number[]> = {};
  /** The configurations each variant re-evaluated (evaluated more than once), per rep. */
  const repeated: Record<string, string[]> = {};
  const bestValue = obj.best().value;
  const regret = (p: Params | null) => (p ? (obj.direction === 'minimize' ? obj.trueValue(p) - bestValue : bestValue - obj.trueValue(p)) : NaN);
  for (let rep = 0; rep < reps; rep++) {
    if (withBase) {
      const b = new AutoSampler();
      rows.base!.push(rr(b.returnedConfiguration(run(obj, b, seedBase + rep), obj.space, obj.direction)!.params));
    }
    for (const [name, o] of Object.entries(variants)) {
      const s = new AutoSampler({ ...o, trials: budget });
      const tr = run(obj, s, seedBase + rep);
      const mu = s.returnedConfiguration(tr, obj.space, obj.direction)!.params;
      (rows[`${name} mu`] ??= []).push(rr(mu));
      (rows[`${name} mean n>=2`] ??= []).push(rr(meanPick(tr, 2)));
      (rows[`${name} mean n>=3`] ??= []).push(rr(meanPick(tr, 3)));
      (regrets[`${name} mu`] ??= []).push(regret(mu));
      (regrets[`${name} mean n>=2`] ??= []).push(regret(meanPick(tr, 2)));
      (regrets[`${name} mean n>=3`] ??= []).push(regret(meanPick(tr, 3)));
      const counts = new Map<string, number>();
      for (const x of tr) counts.set(key(x.params), (counts.get(key(x.params)) ?? 0) + 1);
      (repeated[name] ??= []).push([...counts].filter(([, c]) => c > 1).map(([k]) => k).sort().join('|'));
    }
    process.stderr.write('.');
  }
  console.log(`\n${t} @${budget} (configs better than returned; median over ${reps}; [wins/losses vs base])`);
  if (!withBase) delete rows.base;
  for (const [name, v] of Object.entries(rows)) {
    const base = rows.base ?? [];
    const w = v.filter((x, i) => x < base[i]!).length, l = v.filter((x, i) => x > base[i]!).length;
    console.log(`  ${name.padEnd(20)} ${String(med(v.filter(Number.isFinite))).padStart(5)} [${w}+ ${l}-]   ${v.join(' ')}`);
  }
  if (pair !== null) {
    const [a, b] = pair as [string, string];
    const same = (repeated[a] ?? []).filter((x, i) => x === (repeated[b] ?? [])[i]).length;
    console.log(`  paired, ${b} against ${a} (same seeds): the same configurations re-evaluated in ${same} of ${reps} reps`);
    for (const rule of ['mu', 'mean n>=2', 'mean n>=3']) {
      const ra = rows[`${a} ${rule}`] ?? [], rb = rows[`${b} ${rule}`] ?? [];
      const ga = regrets[`${a} ${rule}`] ?? [], gb = regrets[`${b} ${rule}`] ?? [];
      const t = signTest(rb, ra), g = signTest(gb, ga);
      const mean = (xs: number[]) => xs.reduce((x, y) => x + y, 0) / xs.length;
      console.log(`    ${rule.padEnd(10)} configs better: ${b} fewer in ${t.less}, more in ${t.greater}, tied ${t.ties} (sign test p ${t.p.toFixed(2)}); ` +
        `regret median ${med(ga).toExponential(2)} → ${med(gb).toExponential(2)}, mean ${mean(ga).toExponential(2)} → ${mean(gb).toExponential(2)}, ` +
        `${b} lower in ${g.less}, higher in ${g.greater}, tied ${g.ties} (p ${g.p.toFixed(2)})`);
    }
  }
}
