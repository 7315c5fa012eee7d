// Runs every *.test.ts under src/, test/, bench/ and scripts/ with Node's test runner (TypeScript through tsx), then lists
// the skipped tests with their reasons (scripts/test-reporters/skip-summary.mjs).
// Usage: node scripts/run-tests.mjs [substring filter ...]
// Optional peers skip with a printed reason; HZ_REQUIRE_TORCH, HZ_REQUIRE_OPTUNA, HZ_REQUIRE_POSTGRES, HZ_REQUIRE_BROWSER,
// HZ_REQUIRE_FASHION_MNIST and HZ_REQUIRE_BENCH_DATA (=1) make a missing one a failure (test/support/peers.ts).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function find(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...find(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}
const filters = process.argv.slice(2);
const files = ['src', 'test', 'bench', 'scripts']
  .flatMap((d) => { try { return find(d); } catch { return []; } })
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) { console.error('no test files matched'); process.exit(1); }
const reporters = [
  '--test-reporter', process.stdout.isTTY ? 'spec' : 'tap', '--test-reporter-destination', 'stdout',
  '--test-reporter', './scripts/test-reporters/skip-summary.mjs', '--test-reporter-destination', 'stdout',
];
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...reporters, ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
