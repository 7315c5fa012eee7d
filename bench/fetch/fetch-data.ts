// Downloads, checks, converts and writes the benchmark data files (bench/fetch/sources.ts), saying what it does.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DatasetError } from '../../src/core/errors.js';
import type { DataFile } from './sources.js';

/** SHA-256 of some bytes, as lowercase hex. */
export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Throws, naming `what`, the expected and the actual checksum, unless `bytes` has SHA-256 `expected`. */
export function verifySha256(bytes: Uint8Array, expected: string, what: string): void {
  const got = sha256(bytes);
  if (got !== expected) throw new DatasetError(`Checksum mismatch for ${what}: expected SHA-256 ${expected}, got ${got}`);
}

/** Fetches a URL's bytes (injectable: tests and `--from` read files instead). */
export type Download = (url: string) => Promise<Uint8Array>;

/** Downloads over HTTPS with Node's fetch; an HTTP error names the URL and the status. */
export const httpDownload: Download = async (url) => {
  const r = await fetch(url, { redirect: 'follow' });
  if (!r.ok) throw new DatasetError(`Download of ${url} failed: HTTP ${r.status} ${r.statusText}`);
  return new Uint8Array(await r.arrayBuffer());
};

/** Reads the downloads from a folder instead, by the URL's last path segment (for machines without internet). */
export function folderDownload(dir: string): Download {
  return async (url) => {
    const file = join(dir, url.slice(url.lastIndexOf('/') + 1));
    if (!existsSync(file)) throw new DatasetError(`Expected the download of ${url} at ${file}`);
    return new Uint8Array(readFileSync(file));
  };
}

/** What happened to one file. */
export type FetchOutcome = 'present' | 'written';

/**
 * Makes `files` present in `outDir`: a file already there with the expected checksum is kept; otherwise it is
 * downloaded, its checksum checked, converted, the result's checksum checked, and written (through a temporary
 * name, so an interrupted run leaves no half file). Each step is logged. A mismatch stops with an error.
 */
export async function fetchData(files: readonly DataFile[], outDir: string, download: Download, log: (line: string) => void): Promise<FetchOutcome[]> {
  const outcomes: FetchOutcome[] = [];
  for (const f of files) {
    const target = join(outDir, f.path);
    const expected = f.outputSha256 ?? f.sha256;
    if (existsSync(target) && sha256(readFileSync(target)) === expected) {
      log(`ok       ${f.path} is present (SHA-256 ${expected.slice(0, 12)}…)`);
      outcomes.push('present');
      continue;
    }
    log(`download ${f.what}\n         ${f.url}`);
    const raw = await download(f.url);
    verifySha256(raw, f.sha256, `the download of ${f.url}`);
    log(`         ${raw.length.toLocaleString('en-US')} bytes, SHA-256 ${f.sha256.slice(0, 12)}… as recorded`);
    let bytes = raw;
    if (f.convert) {
      log(`convert  to ${f.path}`);
      bytes = f.convert(raw, f.url);
    }
    verifySha256(bytes, expected, f.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(`${target}.partial`, bytes);
    renameSync(`${target}.partial`, target);
    log(`write    ${target} (SHA-256 ${expected.slice(0, 12)}…, as the published data)`);
    outcomes.push('written');
  }
  return outcomes;
}
