// Diagnostic for the default strategy on FCNet: is a loss at the end due to the search (the best configurations
// never evaluated) or to the pick? Per rep, configurations truly better than: auto's returned one, the best observed
// value, and the best configuration it evaluated (oracle). Usage: npx tsx bench/auto-oracle.ts [seedBase] [reps] [tables] [budget] [confirm]
import { TabularObjective } from './objectives/tabular.js';
import { AutoSampler } from '../src/samplers/auto.js';
import { askTell } from './support/loop.js';
import type { TrialRecord } from '../src/core/types.js';
import { benchDataDir } from './support/data-dir.js';
const seedBase = Number(process.argv[2] ?? 4000), reps = Number(process.argv[3] ?? 20);
const budget = Number(process.argv[5] ?? 200);
const tables = (process.argv[4] ?? 'parkinsons_telemonitoring,slice_localization').split(',');
const dir = `${benchDataDir()}/`;
const med = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = (s.length - 1) / 2; return (s[Math.floor(m)]! + s[Math.ceil(m)]!) / 2; };
for (const t of tables) {
  const obj = await TabularObjective.load(`${dir}fcnet-${t}.csv.gz`, { metric: 'valid_mse', direction: 'minimize' });
  const N = obj.configurations().length;
  const pick: number[] = [], oracle: number[] = [], bestObs: number[] = [];
  for (let rep = 0; rep < reps; rep++) {
    const s = new AutoSampler(process.argv[6] === 'confirm' ? { trials: budget } : {});
    let last: readonly TrialRecord[] = [];
    const loop = askTell(s, obj.space, obj.direction, budget, seedBase + rep, (_i, tr) => { last = tr; });
    for (let x = loop.next(); !x.done; ) x = loop.next(obj.evaluate(x.value.params, x.value.noise));
    const r = s.returnedConfiguration(last, obj.space, obj.direction)!;
    pick.push(obj.rankRegret(r.params) * N);
    oracle.push(Math.min(...last.map((q) => obj.rankRegret(q.params))) * N);
    const bo = [...last].sort((a, b) => a.value! - b.value!)[0]!;
    bestObs.push(obj.rankRegret(bo.params) * N);
  }
  console.log(t, 'configs better than: pick', med(pick), 'bestObs', med(bestObs), 'oracle', med(oracle));
  console.log('  pick  ', pick.join(' '));
  console.log('  bestOb', bestObs.join(' '));
  console.log('  oracle', oracle.join(' '));
}
