import { test } from 'node:test';
import assert from 'node:assert/strict';
import { greedyPortfolio, portfolioFromTrials, type PortfolioTrial } from './portfolio.js';
import { Rng } from '../core/rng.js';

const meanRegret = (score: number[][], set: number[]): number => {
  const tasks = (score[0] as number[]).length;
  let s = 0;
  for (let t = 0; t < tasks; t++) s += 1 - Math.max(...set.map((c) => (score[c] as number[])[t] as number));
  return s / tasks;
};

test('greedy: the all-round candidate first, then the one that covers what it serves worst', () => {
  const score = [[1, 1, 0], [0, 0, 1], [0.9, 0.9, 0.9]];
  const { chosen, regret } = greedyPortfolio(score, 2);
  assert.deepEqual(chosen, [2, 0]);
  assert.ok(Math.abs((regret[0] as number) - 0.1) < 1e-12);
  assert.ok(Math.abs((regret[1] as number) - 0.1 / 3) < 1e-12);
});

test('greedy: every step is the best single addition (checked by brute force on random scores)', () => {
  const rng = new Rng(7);
  for (let rep = 0; rep < 20; rep++) {
    const score = Array.from({ length: 15 }, () => Array.from({ length: 6 }, () => rng.next()));
    const { chosen, regret } = greedyPortfolio(score, 5);
    assert.equal(new Set(chosen).size, 5);
    for (let k = 0; k < 5; k++) {
      const before = chosen.slice(0, k);
      let best = Infinity;
      for (let c = 0; c < score.length; c++) if (!before.includes(c)) best = Math.min(best, meanRegret(score, [...before, c]));
      assert.ok(Math.abs(meanRegret(score, chosen.slice(0, k + 1)) - best) < 1e-12, `step ${k}`);
      assert.ok(Math.abs((regret[k] as number) - best) < 1e-12);
    }
    // Adding members never raises the regret.
    for (let k = 1; k < 5; k++) assert.ok((regret[k] as number) <= (regret[k - 1] as number) + 1e-15);
  }
});

test('greedy: missing scores count as 0, the size is capped by the candidates, bad sizes are refused', () => {
  const { chosen, regret } = greedyPortfolio([[NaN, 0.5], [0.4, NaN]], 5);
  assert.deepEqual(chosen, [0, 1]); // 0.5 on task 1 gains more than 0.4 on task 0
  assert.deepEqual(regret.map((r) => Number(r.toFixed(12))), [0.75, 0.55]);
  assert.throws(() => greedyPortfolio([[1]], 1.5), /integer ≥ 1, got 1.5/);
});

test('portfolioFromTrials: direction, repeats averaged, shared configurations, per-task scaling', () => {
  const p = (x: number): { x: number } => ({ x });
  const trials: PortfolioTrial[] = [
    // task a: x=1 best (lowest loss, minimise), x=2 mid, x=3 worst
    { params: p(1), value: 0.1, group: 'a' }, { params: p(1), value: 0.3, group: 'a' },
    { params: p(2), value: 0.5, group: 'a' }, { params: p(3), value: 0.9, group: 'a' },
    // task b (other scale): x=3 best, x=2 nearly as good, x=1 worst
    { params: p(1), value: 90, group: 'b' }, { params: p(2), value: 12, group: 'b' }, { params: p(3), value: 10, group: 'b' },
  ];
  const pf = portfolioFromTrials(trials, 'minimize', 2);
  // Scores: x=1 [1, 0], x=2 [(0.9-0.5)/0.7=0.571, (90-12)/80=0.975], x=3 [0, 1]. x=2 first (mean 0.773).
  assert.deepEqual(pf.params, [p(2), p(1)]);
  assert.equal(pf.groups, 2);
  assert.equal(pf.candidates, 3);
  assert.equal(pf.shared, 3);
  assert.ok(Math.abs((pf.regret[0] as number) - (1 - (0.4 / 0.7 + 78 / 80) / 2)) < 1e-12);
  // Maximising the same numbers reverses every task's order.
  assert.deepEqual(portfolioFromTrials(trials, 'maximize', 1).params, [p(1)]);
});

test('portfolioFromTrials: unshared configurations give each task\'s best in turn; one task is refused', () => {
  const trials: PortfolioTrial[] = [];
  for (const [g, best] of [['a', 5], ['b', 7], ['c', 9]] as const) for (let x = 0; x < 10; x++) trials.push({ params: { x: x + (g === 'a' ? 0 : g === 'b' ? 100 : 200) }, value: -Math.abs(x - best), group: g });
  const pf = portfolioFromTrials(trials, 'maximize', 3);
  assert.deepEqual(pf.params.map((q) => q.x).sort((u, v) => (u as number) - (v as number)), [5, 107, 209]);
  assert.equal(pf.shared, 0);
  assert.throws(() => portfolioFromTrials(trials.filter((t) => t.group === 'a'), 'maximize', 3), /at least two tasks \(groups\) for a portfolio, got 1/);
  assert.throws(() => portfolioFromTrials(trials, 'maximize', 0), /portfolio size to be an integer ≥ 1, got 0/);
});

test('portfolioFromTrials: 400,000 trials, 200,000 per task (Math.min(...xs) overflows the stack there)', () => {
  const trials: PortfolioTrial[] = [];
  for (let i = 0; i < 400_000; i++) trials.push({ params: { x: i }, value: Math.sin(i), group: i % 2 === 0 ? 'a' : 'b' });
  const pf = portfolioFromTrials(trials, 'maximize', 2);
  assert.equal(pf.candidates, 400_000);
  assert.equal(pf.params.length, 2);
  for (const p of pf.params) assert.ok(Math.sin(p.x as number) > 0.99999);
});
