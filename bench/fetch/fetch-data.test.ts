import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DatasetError } from '../../src/core/errors.js';
import { FCNET_GRID, fcnetLongCsv, readFcnetPickle } from './fcnet.js';
import { fetchData, folderDownload, sha256, verifySha256, type Download } from './fetch-data.js';
import { DATA_FILES, type DataFile } from './sources.js';
import { benchDataPath } from '../support/data-dir.js';
import * as peers from '../../test/support/peers.js';

const samplePkl = readFileSync(new URL('./fixtures/fcnet-naval-sample.pkl', import.meta.url));
const sampleCsv = readFileSync(new URL('./fixtures/fcnet-naval-sample.csv', import.meta.url), 'utf8');
const grid = FCNET_GRID.map((p) => ({ ...p, rowOrder: p.name === 'activation_fn_1' ? p.rowOrder : p.name === 'n_units_2' ? [0, 1] : [0] }));
const sampleTable: DataFile = {
  path: 'fcnet-sample.csv.gz', url: 'https://example.org/data/sample.pkl', what: 'sample table', sha256: sha256(samplePkl),
  convert: (d, source) => gzipSync(fcnetLongCsv(readFcnetPickle(d, source), grid), { level: 9 }),
  outputSha256: sha256(gzipSync(sampleCsv, { level: 9 })),
};
const licence: DataFile = { path: 'sub/LICENSE.txt', url: 'https://example.org/LICENSE', what: 'a licence', sha256: sha256(Buffer.from('licence text')) };
const downloads: Record<string, Uint8Array> = { [sampleTable.url]: samplePkl, [licence.url]: Buffer.from('licence text') };

function recorder(): { download: Download; urls: string[] } {
  const urls: string[] = [];
  return { urls, download: async (url) => { urls.push(url); const b = downloads[url]; if (!b) throw new Error(`no ${url}`); return b; } };
}

test('fetchData downloads, checks, converts and writes each file, then keeps files already present', async () => {
  const out = mkdtempSync(join(tmpdir(), 'hz-fetch-'));
  const log: string[] = [];
  const first = recorder();
  assert.deepEqual(await fetchData([sampleTable, licence], out, first.download, (l) => log.push(l)), ['written', 'written']);
  assert.deepEqual(first.urls, [sampleTable.url, licence.url]);
  assert.equal(gunzipSync(readFileSync(join(out, 'fcnet-sample.csv.gz'))).toString('utf8'), sampleCsv);
  assert.equal(readFileSync(join(out, 'sub/LICENSE.txt'), 'utf8'), 'licence text');
  assert.ok(!readdirSync(out).some((f) => f.endsWith('.partial')));
  assert.match(log.join('\n'), /download sample table\n +https:\/\/example\.org\/data\/sample\.pkl\n +224 bytes, SHA-256 [0-9a-f]{12}… as recorded\nconvert +to fcnet-sample\.csv\.gz\nwrite/);
  const again = recorder();
  assert.deepEqual(await fetchData([sampleTable, licence], out, again.download, () => undefined), ['present', 'present']);
  assert.deepEqual(again.urls, []);
});

test('a download or a converted file with another checksum stops the run, naming it; nothing is written', async () => {
  const out = mkdtempSync(join(tmpdir(), 'hz-fetch-'));
  const tampered: Download = async () => Buffer.from('licence text, changed');
  await assert.rejects(fetchData([licence], out, tampered, () => undefined), (e: unknown) =>
    e instanceof DatasetError && /Checksum mismatch for the download of https:\/\/example\.org\/LICENSE: expected SHA-256 [0-9a-f]{64}, got [0-9a-f]{64}/.test(e.message));
  const wrongOutput = { ...sampleTable, outputSha256: '0'.repeat(64) };
  await assert.rejects(fetchData([wrongOutput], out, recorder().download, () => undefined), /Checksum mismatch for fcnet-sample\.csv\.gz: expected SHA-256 0{64}/);
  assert.equal(existsSync(join(out, 'sub/LICENSE.txt')) || existsSync(join(out, 'fcnet-sample.csv.gz')), false);
  // A file present with other bytes is replaced, not trusted.
  writeFileSync(join(out, 'stale'), '');
  const staleLicence = { ...licence, path: 'stale' };
  assert.deepEqual(await fetchData([staleLicence], out, recorder().download, () => undefined), ['written']);
});

test('folderDownload reads a download by the last segment of its URL, and names what is missing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hz-from-'));
  writeFileSync(join(dir, 'sample.pkl'), samplePkl);
  assert.deepEqual(Buffer.from(await folderDownload(dir)(sampleTable.url)), samplePkl);
  await assert.rejects(folderDownload(dir)('https://example.org/none.pkl'), (e: unknown) => e instanceof DatasetError && e.message.includes(join(dir, 'none.pkl')));
});

test('every data file has a pinned source and SHA-256 checksums; the paths are those the benches read', () => {
  assert.equal(DATA_FILES.length, 10);
  for (const f of DATA_FILES) {
    assert.match(f.url, /^https:\/\/raw\.githubusercontent\.com\/[^/]+\/[^/]+\/[0-9a-f]{40}\//, f.path);
    assert.match(f.sha256, /^[0-9a-f]{64}$/, f.path);
    if (f.convert) assert.match(f.outputSha256 ?? '', /^[0-9a-f]{64}$/, f.path);
  }
  const paths = DATA_FILES.map((f) => f.path);
  for (const t of ['naval_propulsion', 'parkinsons_telemonitoring', 'protein_structure', 'slice_localization']) assert.ok(paths.includes(`fcnet-${t}.csv.gz`), t);
  for (const f of ['model.onnx', 'encoding.json', 'config_space.json', 'target_statistics.csv']) assert.ok(paths.includes(`yahpo-lcbench/${f}`), f);
  assert.doesNotThrow(() => verifySha256(Buffer.from('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', 'abc'));
});

const dataFolder = peers.benchData('fcnet-naval_propulsion.csv.gz');
test('the recorded checksums are those of the benchmark data folder the README figures come from', { skip: peers.skipUnless(dataFolder) }, () => {
  for (const f of DATA_FILES) verifySha256(readFileSync(benchDataPath(f.path)), f.outputSha256 ?? f.sha256, benchDataPath(f.path));
});
