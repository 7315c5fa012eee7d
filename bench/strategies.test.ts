import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as peers from '../test/support/peers.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const optuna = peers.optuna();
const lcbench = peers.benchData('yahpo-lcbench', 'model.onnx');

const CELL = String.raw`(–|-?[\d.e+-]+ \(-?[\d.e+-]+–-?[\d.e+-]+\))`;
const ROW = new RegExp(String.raw`^\| [^|]+ \| ${CELL} \| ${CELL} \| [\d.]+ \|$`);

/** Runs `bench/strategies.ts --quick` with `extra` flags; returns its sections by title prefix. */
function quick(...extra: string[]): { out: string; section: (prefix: string) => string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/strategies.ts', '--quick', ...extra], { cwd: root, encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, r.error ? `${r.error.message} (a loaded machine?)` : r.stderr);
  const out = r.stdout;
  const sections = out.split('\n## ').slice(1);
  return {
    out,
    section: (prefix) => {
      const s = sections.find((x) => x.startsWith(prefix));
      assert.ok(s, `no section ${prefix} in:\n${out}`);
      return s;
    },
  };
}
const lines = (s: string): string[] => s.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| strategy') && !l.startsWith('| sampler'));
const rows = (s: string): string[] => lines(s).map((l) => (l.split('|')[1] ?? '').trim());
const hz = ['hyperzone random', 'hyperzone sobol', 'hyperzone tpe', 'hyperzone tpe-multivariate', 'hyperzone auto (default)'];
function expectRows(section: string, names: readonly string[]): void {
  const have = rows(section);
  for (const n of names) assert.ok(have.includes(n), `${n} missing from ${have.join(', ')}`);
  // Each row has one median (IQR) cell per budget (4, 8) and a timing.
  for (const l of lines(section)) assert.match(l, ROW);
}

test('quick strategy benchmark prints a row per hyperzone strategy for each problem, and the sampler overhead', () => {
  const { section } = quick('--no-optuna', '--lcbench', '');
  expectRows(section('synthetic'), [...hz, 'hyperzone coordinate', 'hyperzone random + confirm×3', 'hyperzone tpe + confirm×3']);
  const branin = section('branin');
  expectRows(branin, hz);
  assert.ok(!rows(branin).some((n) => n.includes('confirm×') || n.includes('coordinate')), 'no confirm/coordinate rows on a deterministic continuous function');
  const overhead = section('Sampler overhead');
  for (const n of [...hz.filter((x) => !x.includes('auto')), 'hyperzone auto (default; GP phase)', 'hyperzone coordinate']) assert.ok(rows(overhead).includes(n), n);
  for (const l of lines(overhead)) assert.match(l, /^\| [^|]+ \| ([\d.]+|–) \| ([\d.]+|–) \|$/);
});

test('quick strategy benchmark: Optuna rows, with the same confirmation as auto on noisy tables', { skip: peers.skipUnless(optuna) }, () => {
  const { out, section } = quick('--lcbench', '', '--only', 'optuna', '--no-overhead');
  const cat = ['optuna random (cat)', 'optuna tpe (cat)', 'optuna tpe (ordered)', 'optuna tpe-multivariate (cat)', 'optuna tpe-multivariate (ordered)'];
  const confirming = ["optuna tpe-multivariate (cat) + auto's confirmation", "optuna tpe-multivariate (ordered) + auto's confirmation"];
  expectRows(section('synthetic'), [...cat, ...confirming]);
  const branin = section('branin');
  expectRows(branin, ['optuna random', 'optuna tpe', 'optuna tpe-multivariate']);
  assert.ok(!rows(branin).some((n) => n.includes('confirmation')), 'the confirming row is for noisy problems only');
  assert.doesNotMatch(out, /Sampler overhead/);
});

test('quick strategy benchmark on LCBench: hyperzone rows, with schedulers', { skip: peers.skipUnless(lcbench) }, () => {
  const { section } = quick('--no-optuna', '--no-overhead');
  const lc = section('lcbench 167168');
  assert.match(lc, /\| 4 FTE \| 8 FTE \|/);
  expectRows(lc, [...hz, 'hyperzone tpe + confirm×3', 'hyperzone random + asha', 'hyperzone tpe + hyperband', 'hyperzone bohb (tpe + hyperband)']);
});

test('quick strategy benchmark on LCBench: Optuna rows with pruners', { skip: peers.skipUnless(optuna, lcbench) }, () => {
  const { section } = quick('--only', 'optuna', '--no-overhead');
  expectRows(section('lcbench 167168'), ['optuna tpe', 'optuna tpe + hyperband', 'optuna tpe + asha (SuccessiveHalvingPruner)', "optuna tpe-multivariate + auto's confirmation"]);
});

test('--seed-base: repetition r uses seed base + r (default 1000); a bad base is refused', () => {
  const run = (...extra: string[]): string => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/strategies.ts', '--quick', '--no-optuna', '--no-functions', '--lcbench', '', '--reps', '3', '--only', 'hyperzone tpe-multivariate', ...extra], { cwd: root, encoding: 'utf8', timeout: 300_000 });
    assert.equal(r.status, 0, r.error ? `${r.error.message} (a loaded machine?)` : r.stderr);
    return r.stdout;
  };
  // The regret cells of the synthetic table's row (its s/run timing left out).
  const cells = (out: string): string => {
    const row = out.split('\n').find((l) => l.startsWith('| hyperzone tpe-multivariate |'));
    assert.ok(row, out);
    return row.split('|').slice(2, 4).join('|');
  };
  const dflt = run();
  assert.match(dflt, /seeds 1000–1002/);
  const same = run('--seed-base', '1000');
  const other = run('--seed-base', '3000');
  assert.match(other, /seeds 3000–3002/);
  assert.equal(cells(same), cells(dflt));
  assert.notEqual(cells(other), cells(dflt));
  const bad = spawnSync(process.execPath, ['--import', 'tsx', 'bench/strategies.ts', '--quick', '--seed-base', 'x'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /--seed-base/);
});
