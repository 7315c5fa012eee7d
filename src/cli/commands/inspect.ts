import { writeFileSync } from 'node:fs';
import { InputError } from '../../errors.js';
import { studyToJson, trialsToCsv } from '../../reports/export.js';
import { renderResults, resultRows, formatValue } from '../../reports/results.js';
import { formatDuration, renderTable } from '../../reports/text-table.js';
import { formatParams } from '../../reports/format.js';
import { renderTrial } from '../../reports/trial-detail.js';
import { bestOf } from '../../study/study.js';
import { redactUrl } from '../../storage/open.js';
import { resolveStudy, storageUrl, withStorage } from '../context.js';
import { workerTiming } from '../../study/engine.js';
import { recommendedLine } from '../../reports/recommended.js';
import { createSampler, planOfStudy } from '../../spec/index.js';
import type { StudyRecord, TrialRecord } from '../../study/types.js';

/** The sampler's own pick (see recommendedLine), or null (a study made in code, or the zone strategy). */
function recommendationOf(study: StudyRecord, trials: readonly TrialRecord[], best: TrialRecord | null): string | null {
  const plan = planOfStudy(study, { checkParams: false });
  if (plan === null || plan.sampler.type === 'zones') return null;
  return recommendedLine(createSampler(plan), trials, plan.space, study.direction, study.metric, best);
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
      studies.map((s) => [s.name, s.metric, s.direction, s.counts.complete, s.counts.running, s.counts.waiting, s.counts.pruned, s.counts.failed, new Date(s.createdAt).toISOString().slice(0, 16)])));
    return 0;
  }, { readOnly: true });
}

/** `hyperzone status`: counts, best so far, workers and their heartbeats, trials in flight. */
export function statusCommand(flags: { storage?: string; study?: string }): Promise<number> {
  return withStorage(flags.storage, async (storage) => {
    const study = await resolveStudy(storage, flags.study);
    const trials = await storage.listTrials(study.id);
    const c = await storage.countTrials(study.id);
    const { staleMs } = workerTiming({});
    const total = trials.length;
    out(`study ${study.name} (${study.direction} ${study.metric}) in ${redactUrl(storageUrl(flags.storage))}`);
    out(`trials: ${total} — ${c.complete} complete, ${c.running} running, ${c.waiting} waiting, ${c.pruned} pruned, ${c.failed} failed`);
    const best = bestOf(trials.filter((t) => t.state === 'complete'), study.direction);
    if (best) out(`best: #${best.number} ${formatParams(best.params)} → ${study.metric} = ${formatValue(best.value as number)}`);
    const rec = recommendationOf(study, trials, best ?? null);
    if (rec) out(rec);
    const now = Date.now();
    const workers = await storage.listWorkers(study.id);
    if (workers.length) {
      out('\nworkers:');
      // Only workers still holding trials or heard from recently: a long study accumulates many finished ones.
      const shown = workers.filter((w) => now - w.heartbeatAt <= staleMs || trials.some((t) => t.state === 'running' && t.workerId === w.id));
      const gone = workers.length - shown.length;
      out(renderTable(['worker', 'host', 'pid', 'last heartbeat', 'running'], shown.map((w) => [w.id, w.host, w.pid,
        `${formatDuration((now - w.heartbeatAt) / 1000)} ago${now - w.heartbeatAt > staleMs ? ' (presumed lost)' : ''}`,
        trials.filter((t) => t.state === 'running' && t.workerId === w.id).length])));
      if (gone > 0) out(`(${gone} earlier worker${gone === 1 ? '' : 's'} not heard from for over ${formatDuration(staleMs / 1000)})`);
    }
    const running = trials.filter((t) => t.state === 'running');
    if (running.length) {
      out('\nin flight:');
      out(renderTable(['#', 'params', 'step', 'worker', 'heartbeat'], running.map((t) => [t.number, formatParams(t.params), `${t.steps.length}/${t.budget ?? '?'}`, t.workerId, t.heartbeatAt === null ? null : `${formatDuration((now - t.heartbeatAt) / 1000)} ago`])));
    }
    const done = trials.filter((t) => t.state !== 'waiting' && t.state !== 'running');
    if (done.length) out('\n' + renderResults(resultRows(done, study.direction), study.metric, 10));
    return 0;
  }, { readOnly: true });
}

/** `hyperzone show N`: one trial with its learning curve. */
export function showCommand(number: string, flags: { storage?: string; study?: string }): Promise<number> {
  return withStorage(flags.storage, async (storage) => {
    const study = await resolveStudy(storage, flags.study);
    const n = Number(number.replace(/^#/, ''));
    if (!Number.isInteger(n) || n < 0) throw new InputError(`Expected a trial number ≥ 0, got ${JSON.stringify(number)}`);
    const t = (await storage.listTrials(study.id)).find((x) => x.number === n);
    if (!t) throw new InputError(`Study \`${study.name}\` has no trial #${n}`, { code: 'TRIAL_NOT_FOUND' });
    out(renderTrial(t, study.metric));
    return 0;
  }, { readOnly: true });
}

/** `hyperzone export`: trials as CSV or JSON, to a file or stdout. */
export function exportCommand(flags: { storage?: string; study?: string; format?: string; out?: string }): Promise<number> {
  return withStorage(flags.storage, async (storage) => {
    const format = flags.format ?? (flags.out?.endsWith('.json') ? 'json' : 'csv');
    if (format !== 'csv' && format !== 'json') throw new InputError(`Expected \`--format\` to be csv or json, got ${JSON.stringify(format)}`);
    const study = await resolveStudy(storage, flags.study);
    const trials = await storage.listTrials(study.id);
    const text = format === 'csv' ? trialsToCsv(trials) : studyToJson(study, trials);
    if (flags.out) {
      writeFileSync(flags.out, text);
      process.stderr.write(`wrote ${trials.length} trials to ${flags.out}\n`);
    } else process.stdout.write(text);
    return 0;
  }, { readOnly: true });
}
