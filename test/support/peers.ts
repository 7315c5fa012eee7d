// Test support: is an optional peer (PyTorch, Optuna, PostgreSQL, Chromium, Fashion-MNIST, benchmark data) here?
// A test that needs a missing peer skips with a printed reason (`{ skip: skipUnless(peers.torch()) }`); with the
// peer's HZ_REQUIRE_* variable set to 1 (.ci/run sets them all) a failing test says what is missing instead.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { benchDataPath } from '../../bench/support/data-dir.js';
import { pythonPath } from '../../bench/support/python.js';
import { resolveDataset } from '../../src/datasets/resolve.js';
import { redactUrl } from '../../src/storage/redact.js';
import { findTestPostgres } from '../../src/storage/test-postgres.js';

/** An optional peer and, when it is absent, why (null when present). */
export interface Peer {
  readonly name: string;
  /** The environment variable that turns a skip into a failure. */
  readonly requireVar: string;
  readonly missing: string | null;
}

const cache = new Map<string, Peer>();
function memo(key: string, make: () => Peer): Peer {
  let p = cache.get(key);
  if (!p) cache.set(key, (p = make()));
  return p;
}

/** Whether HZ_PYTHON (default /usr/bin/python3) imports `module`; null when it does, else the reason. */
function pythonLacks(module: string, debianPackage: string): string | null {
  const py = pythonPath();
  // Importing torch or optuna takes 1–3 s; the long limit keeps a loaded machine from skipping for nothing.
  const r = spawnSync(py, ['-c', `import ${module}`], { encoding: 'utf8', timeout: 180_000 });
  if (r.status === 0) return null;
  const fix = `install Debian's ${debianPackage}, or set HZ_PYTHON to an interpreter that has it`;
  const code = (r.error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ETIMEDOUT') return `${py} took over 180 s to import ${module} (an overloaded machine?)`;
  if (r.error) return `cannot run ${py} (${code ?? r.error.message}) to import ${module}: ${fix}`;
  return `${py} cannot import ${module} (${r.stderr.trim().split('\n').pop() || `exit ${r.status}`}): ${fix}`;
}

/** PyTorch for the command-runner trainer (examples/torch/train.py). */
export function torch(): Peer {
  return memo('torch', () => ({ name: 'PyTorch', requireVar: 'HZ_REQUIRE_TORCH', missing: pythonLacks('torch', 'python3-torch') }));
}

/** Optuna, the peer of the parity tests and benchmark rows. */
export function optuna(): Peer {
  return memo('optuna', () => ({ name: 'Optuna', requireVar: 'HZ_REQUIRE_OPTUNA', missing: pythonLacks('optuna', 'python3-optuna') }));
}

/** SciPy and statsmodels, the references every statistics formula is checked against live. */
export function scipy(): Peer {
  return memo('scipy', () => ({
    name: 'SciPy', requireVar: 'HZ_REQUIRE_SCIPY', missing: pythonLacks('scipy.stats, statsmodels.stats.multitest', 'python3-scipy and python3-statsmodels'),
  }));
}

/** The Chromium the report's browser test drives: HZ_CHROMIUM, default /usr/bin/chromium. */
export function browser(): Peer & { readonly executable: string } {
  const executable = process.env['HZ_CHROMIUM'] ?? '/usr/bin/chromium';
  const missing = existsSync(executable) ? null : `${executable} not found: install Debian's chromium, or set HZ_CHROMIUM`;
  return { name: 'Chromium', requireVar: 'HZ_REQUIRE_BROWSER', missing, executable };
}

/** Fashion-MNIST from Debian's dataset-fashion-mnist. */
export function fashionMnist(): Peer {
  return memo('fashion-mnist', () => {
    let missing: string | null = null;
    try {
      resolveDataset('fashion-mnist');
    } catch (e) {
      missing = (e as Error).message;
    }
    return { name: 'Fashion-MNIST', requireVar: 'HZ_REQUIRE_FASHION_MNIST', missing };
  });
}

/** A file or folder of the benchmark data (HZ_BENCH_DATA, ../shared/benchmarks or bench/data; see bench/support/data-dir.ts). */
export function benchData(...parts: string[]): Peer & { readonly path: string } {
  const path = benchDataPath(...parts);
  const fetch = process.env['HZ_BENCH_DATA'] ? 'node scripts/fetch-benchmarks.mjs --out "$HZ_BENCH_DATA"' : 'node scripts/fetch-benchmarks.mjs';
  const missing = existsSync(path) ? null : `benchmark data ${path} is absent: run \`${fetch}\`, or set HZ_BENCH_DATA to the folder that has it`;
  return { name: `benchmark data ${parts.join('/')}`, requireVar: 'HZ_REQUIRE_BENCH_DATA', missing, path };
}

/** A PostgreSQL server the tests may use (HZ_TEST_POSTGRES_URL, else the local `test` database); `url` when present. */
export async function postgres(): Promise<Peer & { readonly url: string | null }> {
  const url = await findTestPostgres();
  const configured = process.env['HZ_TEST_POSTGRES_URL'];
  const where = configured ? `at HZ_TEST_POSTGRES_URL=${redactUrl(configured)}` : 'at 127.0.0.1:5432/test (set HZ_TEST_POSTGRES_URL for another)';
  return { name: 'PostgreSQL', requireVar: 'HZ_REQUIRE_POSTGRES', missing: url === null ? `no PostgreSQL server answers ${where}` : null, url };
}

/** Whether every one of `peers` is present. */
export function present(...peers: readonly Peer[]): boolean {
  return peers.every((p) => p.missing === null);
}

const reported = new Set<string>();

/**
 * The `skip` option of a test that needs `peers`: false when all are present, else the reason, printed by the test
 * runner and listed at the end of `npm test`. A missing peer whose HZ_REQUIRE_* variable is 1 adds a failing test
 * (once per file) naming what is missing; the dependent tests then skip, so the failure is said once, clearly.
 */
export function skipUnless(...peers: readonly Peer[]): string | false {
  const missing = peers.filter((p) => p.missing !== null);
  if (missing.length === 0) return false;
  for (const p of missing) {
    if (process.env[p.requireVar] !== '1' || reported.has(p.name)) continue;
    reported.add(p.name);
    test(`${p.requireVar}=1 requires ${p.name}`, () => assert.fail(`${p.requireVar}=1 but ${p.missing}`));
  }
  return missing.map((p) => `${p.missing} (${p.requireVar}=1 makes this a failure${process.env[p.requireVar] === '1' ? ': see that test' : ''})`).join('; ');
}
