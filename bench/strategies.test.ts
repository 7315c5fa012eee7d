import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const hasOptuna = spawnSync('/usr/bin/python3', ['-c', 'import optuna'], { stdio: 'ignore' }).status === 0;
const hasLcbench = existsSync(fileURLToPath(new URL('../../shared/benchmarks/yahpo-lcbench/model.onnx', import.meta.url)));
const hasSchedulers = existsSync(fileURLToPath(new URL('../src/schedulers/index.ts', import.meta.url)));

const CELL = String.raw`(–|-?[\d.e+-]+ \(-?[\d.e+-]+–-?[\d.e+-]+\))`;
const ROW = new RegExp(String.raw`^\| [^|]+ \| ${CELL} \| ${CELL} \| [\d.]+ \|$`);

test('quick strategy benchmark prints a row per strategy for each problem', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/strategies.ts', '--quick'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const out = r.stdout;
  const sections = out.split('\n## ').slice(1);
  const section = (prefix: string): string => {
    const s = sections.find((x) => x.startsWith(prefix));
    assert.ok(s, `no section ${prefix} in:\n${out}`);
    return s;
  };
  const lines = (s: string): string[] => s.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| strategy') && !l.startsWith('| sampler'));
  const rows = (s: string): string[] => lines(s).map((l) => (l.split('|')[1] ?? '').trim());
  const hz = ['hyperzone random', 'hyperzone sobol', 'hyperzone tpe', 'hyperzone tpe-multivariate', 'hyperzone auto (default)'];
  const synthetic = section('synthetic');
  const synthRows = rows(synthetic);
  for (const n of [...hz, 'hyperzone coordinate', 'hyperzone random + confirm×3', 'hyperzone tpe + confirm×3']) assert.ok(synthRows.includes(n), `${n} missing from ${synthRows.join(', ')}`);
  if (hasOptuna) for (const n of ['optuna random (cat)', 'optuna tpe (cat)', 'optuna tpe (ordered)', 'optuna tpe-multivariate (cat)', 'optuna tpe-multivariate (ordered)']) assert.ok(synthRows.includes(n), n);
  const braninRows = rows(section('branin'));
  for (const n of [...hz, ...(hasOptuna ? ['optuna random', 'optuna tpe', 'optuna tpe-multivariate'] : [])]) assert.ok(braninRows.includes(n), n);
  assert.ok(!braninRows.some((n) => n.includes('confirm×') || n.includes('coordinate')), 'no confirm/coordinate rows on a deterministic continuous function');
  // Each row has one median (IQR) cell per budget (4, 8) and a timing.
  for (const l of [...lines(synthetic), ...lines(section('branin'))]) assert.match(l, ROW);
  if (hasLcbench) {
    const lc = section('lcbench 167168');
    assert.match(lc, /\| 4 FTE \| 8 FTE \|/);
    const lcRows = rows(lc);
    for (const n of [...hz, 'hyperzone tpe + confirm×3']) assert.ok(lcRows.includes(n), n);
    if (hasSchedulers) for (const n of ['hyperzone random + asha', 'hyperzone tpe + hyperband', 'hyperzone bohb (tpe + hyperband)']) assert.ok(lcRows.includes(n), n);
    if (hasOptuna) for (const n of ['optuna tpe', 'optuna tpe + hyperband', 'optuna tpe + asha (SuccessiveHalvingPruner)']) assert.ok(lcRows.includes(n), n);
    for (const l of lines(lc)) assert.match(l, ROW);
  }
  const overhead = section('Sampler overhead');
  const ohRows = rows(overhead);
  for (const n of [...hz.filter((x) => !x.includes('auto')), 'hyperzone auto (default; GP phase)', 'hyperzone coordinate']) assert.ok(ohRows.includes(n), n);
  for (const l of lines(overhead)) assert.match(l, /^\| [^|]+ \| ([\d.]+|–) \| ([\d.]+|–) \|$/);
});

test('--seed-base: repetition r uses seed base + r (default 1000); a bad base is refused', () => {
  const run = (...extra: string[]): string => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/strategies.ts', '--quick', '--no-optuna', '--no-functions', '--lcbench', '', '--reps', '3', '--only', 'hyperzone tpe-multivariate', ...extra], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
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
  const bad = spawnSync(process.execPath, ['--import', 'tsx', 'bench/strategies.ts', '--quick', '--seed-base', 'x'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /--seed-base/);
});
