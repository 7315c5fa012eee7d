import { createWriteStream } from 'node:fs';
import { InputError } from '../../core/errors.js';
import { CsvColumns, studyJsonChunks } from '../../reports/export.js';
import { renderResults, resultRows, formatValue } from '../../reports/results.js';
import { formatDuration, renderTable } from '../../reports/text-table.js';
import { formatParams } from '../../reports/format.js';
import { renderTrial } from '../../reports/trial-detail.js';
import { ParetoAccumulator, renderPareto, type ParetoSummary } from '../../reports/pareto.js';
import { redactUrl } from '../../storage/open.js';
import { resolveStudy, storageUrl, withStorage } from '../context.js';
import { workerTiming } from '../../study/engine.js';
import { isDeadLocalWorker } from '../../study/worker-id.js';
import type { Storage, TrialDigest } from '../../storage/storage.js';
import { recommendedLine } from '../../reports/recommended.js';
import { createSampler, planOfStudy } from '../../spec/index.js';
import type { StudyRecord, TrialRecord } from '../../core/types.js';

/** Above this many trials `status` skips the sampler's recommendation, which reads every trial. */
const RECOMMEND_MAX_TRIALS = 5000;

/**
 * The sampler's own pick (see recommendedLine), or null (a study made in code, the zone strategy, a sampler without
 * one). Only such a sampler costs a read of the complete trials, and only up to RECOMMEND_MAX_TRIALS of them.
 */
async function recommendationOf(storage: Storage, study: StudyRecord, total: number, best: TrialRecord | null): Promise<string | null> {
  let plan;
  try {
    plan = planOfStudy(study, { checkParams: false });
  } catch {
    return null; // a stored spec this version cannot read: status shows the rest
  }
  if (plan === null || plan.sampler.type === 'zones') return null;
  const sampler = createSampler(plan);
  if (typeof (sampler as { returnedConfiguration?: unknown }).returnedConfiguration !== 'function') return null;
  if (total > RECOMMEND_MAX_TRIALS) return `(${sampler.name}'s own recommendation is skipped above ${RECOMMEND_MAX_TRIALS} trials)`;
  const trials = await storage.listTrials(study.id);
  return recommendedLine(sampler, trials, plan.space, study.direction, study.metric, best);
}

const out = (s: string): void => void process.stdout.write(s + '\n');

/** `hyperzone list`: studies with their trial counts. */
export function listCommand(flags: { storage?: string }): Promise<number> {
  return withStorage(flags.storage, async (storage) => {
    const studies = await storage.listStudies();
    if (studies.length === 0) {
      out(`No studies in ${redactUrl(storageUrl(flags.storage))}.`);
      return 0;
    }
    out(renderTable(['study', 'metric', 'direction', 'complete', 'running', 'waiting', 'pruned', 'failed', 'created'],
      studies.map((s) => [s.name, s.metric, s.direction, s.counts.complete, s.counts.running, s.counts.waiting, s.counts.pruned, s.counts.failed,
        new Date(s.createdAt).toISOString().slice(0, 16)])));
    return 0;
  }, { readOnly: true });
}

/** Rows of the results table in `status`. */
const STATUS_TOP = 10;

/**
 * `hyperzone status`: counts, best so far, workers and their heartbeats, trials in flight, the top results.
 * Everything is counted, sorted and limited in storage (countTrials, bestTrials, the running trials only), so time
 * and memory stay flat as the study grows (bench/status-scale.ts).
 */
export function statusCommand(flags: { storage?: string; study?: string }): Promise<number> {
  return withStorage(flags.storage, async (storage) => {
    const study = await resolveStudy(storage, flags.study);
    const c = await storage.countTrials(study.id);
    const { staleMs } = workerTiming({});
    const total = c.complete + c.running + c.waiting + c.pruned + c.failed;
    const multi = study.objectives.length > 1;
    const goal = study.objectives.map((o) => `${o.direction} ${o.metric}`).join(', ');
    out(`study ${study.name} (${goal}) in ${redactUrl(storageUrl(flags.storage))}`);
    out(`trials: ${total} — ${c.complete} complete, ${c.running} running, ${c.waiting} waiting, ${c.pruned} pruned, ${c.failed} failed`);
    const best = (await storage.bestTrials(study.id, { n: 1, direction: study.direction }))[0] ?? null;
    if (best && !multi) out(`best: #${best.number} ${formatParams(best.params)} → ${study.metric} = ${formatValue(best.value as number)}`);
    // A multi-objective study has a front, not a best: it reads every trial (time O(study), unlike the rest), in pages.
    if (multi) out('\n' + renderPareto(await paretoOfStudy(storage, study), STATUS_TOP));
    const rec = multi ? null : await recommendationOf(storage, study, total, best);
    if (rec) out(rec);
    const now = Date.now();
    const running = await storage.listTrials(study.id, { states: ['running'] });
    const runningOf = (id: string) => running.filter((t) => t.workerId === id).length;
    const workers = await storage.listWorkers(study.id);
    // A worker whose process is gone from this host is lost at once (the engine requeues its trials on its next pass).
    const lostHere = new Set(workers.filter((w) => isDeadLocalWorker(w.id)).map((w) => w.id));
    if (workers.length) {
      out('\nworkers:');
      // Only workers still holding trials or heard from recently: a long study accumulates many finished ones.
      const shown = workers.filter((w) => (now - w.heartbeatAt <= staleMs && !lostHere.has(w.id)) || runningOf(w.id) > 0);
      const gone = workers.length - shown.length;
      out(renderTable(['worker', 'host', 'pid', 'last heartbeat', 'running'], shown.map((w) => [w.id, w.host, w.pid,
        `${formatDuration((now - w.heartbeatAt) / 1000)} ago${lostHere.has(w.id) ? ' (lost: process gone)' : now - w.heartbeatAt > staleMs ? ' (presumed lost)' : ''}`,
        runningOf(w.id)])));
      if (gone > 0) out(`(${gone} earlier worker${gone === 1 ? '' : 's'} gone or not heard from for over ${formatDuration(staleMs / 1000)})`);
    }
    if (running.length) {
      out('\nin flight:');
      out(renderTable(['#', 'params', 'step', 'worker', 'heartbeat'], running.map((t) => [t.number, formatParams(t.params), `${t.steps.length}/${t.budget ?? '?'}`,
        t.workerId === null ? null : `${t.workerId}${isDeadLocalWorker(t.workerId) ? ' (lost)' : ''}`,
        t.heartbeatAt === null ? null : `${formatDuration((now - t.heartbeatAt) / 1000)} ago`])));
    }
    const done = c.complete + c.pruned + c.failed;
    if (done > 0) {
      const top = await storage.bestTrials(study.id, { n: STATUS_TOP, direction: study.direction, states: ['complete', 'pruned', 'failed'] });
      out('\n' + renderResults(resultRows(top, study.direction), study.metric, top.length, study.objectives));
      if (done > top.length) out(`... ${done - top.length} more (hyperzone export for all)`);
    }
    return 0;
  }, { readOnly: true });
}

/** `hyperzone show N`: one trial with its learning curve. */
export function showCommand(number: string, flags: { storage?: string; study?: string }): Promise<number> {
  return withStorage(flags.storage, async (storage) => {
    const study = await resolveStudy(storage, flags.study);
    const n = Number(number.replace(/^#/, ''));
    if (!Number.isInteger(n) || n < 0) throw new InputError(`Expected a trial number ≥ 0, got ${JSON.stringify(number)}`);
    const [t] = (await storage.listTrialsPage(study.id, n, 1)).filter((x) => x.number === n);
    if (!t) throw new InputError(`Study \`${study.name}\` has no trial #${n}`, { code: 'TRIAL_NOT_FOUND' });
    out(renderTrial(t, study.metric, study.objectives));
    return 0;
  }, { readOnly: true });
}

/**
 * The front of a multi-objective study, read a page of digests (no per-step metrics) at a time: memory holds one page
 * and the front, whatever the study's size.
 */
async function paretoOfStudy(storage: Storage, study: StudyRecord): Promise<ParetoSummary<TrialDigest>> {
  const acc = new ParetoAccumulator<TrialDigest>(study.objectives);
  for (let from = 0; ;) {
    const page = await storage.listTrialDigests(study.id, { fromNumber: from, limit: EXPORT_PAGE, metrics: [] });
    if (page.length === 0) return acc.summary();
    acc.add(page);
    from = (page[page.length - 1] as TrialDigest).number + 1;
  }
}

/** Trials read per storage query by `export`: its memory holds one page, whatever the study's size. */
export const EXPORT_PAGE = 1000;

/** The study's trials numbered below `end`, a page at a time (Storage.listTrialsPage). */
async function* trialPages(storage: Storage, studyId: number, end: number): AsyncGenerator<readonly TrialRecord[]> {
  for (let from = 0; from < end;) {
    const page = (await storage.listTrialsPage(studyId, from, Math.min(EXPORT_PAGE, end - from))).filter((t) => t.number < end);
    if (page.length === 0) return;
    yield page;
    from = (page[page.length - 1] as TrialRecord).number + 1;
  }
}

/** Writes to a file or stdout, waiting whenever the stream's buffer is full (so output never piles up in memory). */
function outputTo(path: string | undefined): { write(text: string): Promise<void>; close(): Promise<void> } {
  const stream: NodeJS.WritableStream = path ? createWriteStream(path) : process.stdout;
  let failed: Error | null = null;
  if (path) stream.on('error', (e: Error) => { failed = e; });
  const check = (): void => { if (failed) throw failed; };
  const settle = (event: string): Promise<void> => new Promise((resolve, reject) => {
    const onError = (e: Error): void => { stream.off(event, onEvent); reject(e); };
    const onEvent = (): void => { stream.off('error', onError); resolve(); };
    stream.once(event, onEvent);
    stream.once('error', onError);
  });
  return {
    async write(text) {
      check();
      if (!stream.write(text)) await settle('drain');
      check();
    },
    async close() {
      check();
      if (!path) return;
      const done = settle('finish');
      stream.end();
      await done;
    },
  };
}

/**
 * `hyperzone export`: trials as CSV or JSON, to a file or stdout. Streams: the trials are read a page at a time
 * (EXPORT_PAGE) and each page written before the next is read, so memory stays flat however large the study. The
 * trials exported are those that existed when the export began; CSV reads them twice (its columns, then its rows).
 */
export function exportCommand(flags: { storage?: string; study?: string; format?: string; out?: string }): Promise<number> {
  return withStorage(flags.storage, async (storage) => {
    const format = flags.format ?? (flags.out?.endsWith('.json') ? 'json' : 'csv');
    if (format !== 'csv' && format !== 'json') throw new InputError(`Expected \`--format\` to be csv or json, got ${JSON.stringify(format)}`);
    const study = await resolveStudy(storage, flags.study);
    const counts = await storage.countTrials(study.id);
    const end = Object.values(counts).reduce((a, b) => a + b, 0);
    const out = outputTo(flags.out);
    let n = 0;
    if (format === 'csv') {
      const cols = new CsvColumns();
      for await (const page of trialPages(storage, study.id, end)) cols.add(page);
      await out.write(cols.header());
      for await (const page of trialPages(storage, study.id, end)) {
        await out.write(cols.rows(page));
        n += page.length;
      }
    } else {
      const counted = async function* (): AsyncGenerator<readonly TrialRecord[]> {
        for await (const page of trialPages(storage, study.id, end)) {
          n += page.length;
          yield page;
        }
      };
      for await (const chunk of studyJsonChunks(study, counted())) await out.write(chunk);
    }
    await out.close();
    if (flags.out) process.stderr.write(`wrote ${n} trials to ${flags.out}\n`);
    return 0;
  }, { readOnly: true });
}
