import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** Where scripts/fetch-benchmarks.mjs writes the benchmark data in a clone. */
export const FETCHED_DATA_DIR = join(REPO, 'bench', 'data');

/**
 * The benchmark data folder (FCNet tables, YAHPO LCBench surrogate): HZ_BENCH_DATA when set, else
 * ../shared/benchmarks next to the clone when it exists, else bench/data (filled by `node scripts/fetch-benchmarks.mjs`).
 */
export function benchDataDir(): string {
  const configured = process.env['HZ_BENCH_DATA'];
  if (configured) return configured;
  const shared = join(REPO, '..', 'shared', 'benchmarks');
  return existsSync(shared) ? shared : FETCHED_DATA_DIR;
}

/** A file or folder inside the benchmark data folder. */
export function benchDataPath(...parts: string[]): string {
  return join(benchDataDir(), ...parts);
}
