import cliProgress from 'cli-progress';
import type { EngineEvents } from '../study/engine.js';
import type { Params, TrialRecord } from '../core/types.js';
import { formatParams } from '../reports/format.js';
import { formatValue } from '../reports/results.js';
import { formatDuration } from '../reports/text-table.js';

/** Progress display of a running study: bars on a terminal, one line per finished trial otherwise, nothing with --quiet. */
export interface ProgressView {
  readonly events: EngineEvents;
  /** Total trials planned (may grow as samplers propose). */
  setTotal(total: number, done: number): void;
  stop(): void;
}

function shortParams(p: Params): string {
  return formatParams(p);
}

/** Chooses bars (TTY), plain lines, or silence. */
export function createProgress(options: { quiet: boolean; tty: boolean; metric: string; direction: 'maximize' | 'minimize'; log?: (line: string) => void }): ProgressView {
  const log = options.log ?? ((l: string) => process.stderr.write(l + '\n'));
  if (options.quiet) return { events: {}, setTotal: () => undefined, stop: () => undefined };
  const endLine = (t: TrialRecord): string =>
    `trial #${t.number} ${shortParams(t.params)} ${t.state}` + (t.value !== null ? ` ${options.metric}=${formatValue(t.value)}` : '') + (t.error ? `: ${t.error.split('\n')[0]}` : '');
  if (!options.tty) {
    let done = 0;
    let total = 0;
    return {
      events: { onTrialEnd: (t) => log(`[${++done}/${total}] ${endLine(t)}`) },
      setTotal: (n, d) => { total = n; done = d; },
      stop: () => undefined,
    };
  }
  const multi = new cliProgress.MultiBar(
    { clearOnComplete: false, hideCursor: true, stopOnComplete: false, format: '{label} |{bar}| epoch {epoch}/{total} {info}', barsize: 24, fps: 5 },
    cliProgress.Presets.shades_classic,
  );
  // ETA from this run's pace (finished trials per second), '…' until the first trial ends.
  const started = Date.now();
  let doneAtStart = 0;
  let doneNow = 0;
  let totalNow = 0;
  const eta = (): string => {
    const finished = doneNow - doneAtStart;
    if (finished <= 0) return '…';
    return formatDuration(((Date.now() - started) / 1000 / finished) * Math.max(0, totalNow - doneNow));
  };
  const study = multi.create(0, 0, { label: 'study', info: '', remaining: '…' }, { format: '{label} |{bar}| {value}/{total} trials | ETA {remaining} | {info}' });
  const bars = new Map<number, cliProgress.SingleBar>();
  let best: number | null = null;
  return {
    setTotal: (n, d) => {
      if (totalNow === 0) doneAtStart = d;
      totalNow = n;
      doneNow = d;
      study.setTotal(n);
      study.update(d, { remaining: eta() });
    },
    stop: () => multi.stop(),
    events: {
      onTrialStart: (t) => {
        bars.set(t.id, multi.create(t.budget ?? 1, 0, { label: `#${t.number}`.padEnd(5), epoch: 0, info: shortParams(t.params) }));
      },
      onStep: (t, step, metrics) => {
        const v = metrics[options.metric];
        bars.get(t.id)?.update(step, { epoch: step, info: `${shortParams(t.params)} ${v !== undefined ? `${options.metric}=${formatValue(v)}` : ''}` });
      },
      onProgress: (t, p) => {
        bars.get(t.id)?.update(p.step - 1 + p.batch / Math.max(1, p.batches), { epoch: p.step, info: `${shortParams(t.params)} batch ${p.batch}/${p.batches}` });
      },
      onTrialEnd: (t) => {
        const bar = bars.get(t.id);
        if (bar) { multi.remove(bar); bars.delete(t.id); }
        if (t.value !== null && (best === null || (options.direction === 'maximize' ? t.value > best : t.value < best))) best = t.value;
        doneNow++;
        study.increment(1, { remaining: eta(), info: best !== null ? `best ${options.metric}=${formatValue(best)}` : '' });
        if (t.state !== 'complete') multi.log(endLine(t) + '\n');
      },
    },
  };
}
