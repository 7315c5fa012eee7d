import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { InputError, describeError } from '../../core/errors.js';
import type { Direction, Metrics, Outcome } from '../../core/types.js';
import { bestStep, type RunContext, type Runner, type TrialInput } from '../runner.js';
import { resolveExecutable } from './executable.js';
import { GpuSlots } from './gpu-slots.js';
import { LineSplitter } from './line-splitter.js';
import { isProtocolLine, parseProtocolLine } from './protocol.js';
import { TrialLog } from './trial-log.js';

/** Options of the command runner: trials run as separate processes speaking the JSON-lines protocol. */
export interface CommandRunnerOptions {
  /** The executable and its arguments; spawned without a shell. */
  readonly command: readonly string[];
  /** Working directory of trials (default: the current directory). */
  readonly cwd?: string;
  /** Extra environment variables, on top of this process's environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** Wall-clock limit per trial in seconds; past it the trial is killed and fails. */
  readonly timeoutS?: number;
  /** Seconds between SIGTERM and SIGKILL when a trial is stopped (default 10). */
  readonly graceS?: number;
  /** Directory for per-trial logs (`trial-<number>.log`) and params files. */
  readonly logDir: string;
  /** GPU ids to spread trials over through CUDA_VISIBLE_DEVICES. */
  readonly gpus?: readonly string[];
  /** Trials per GPU at once (default 1). */
  readonly perGpu?: number;
  /** Longest stdout/stderr line kept, in bytes (default 64 KiB); longer lines are truncated. */
  readonly maxLineBytes?: number;
  /** Cap of each trial's log file in bytes (default 10 MiB): past it the head and the tail are kept (trial-log.ts). */
  readonly logMaxBytes?: number;
  /** The step metric that is the objective. */
  readonly metric: string;
  readonly direction: Direction;
}

const TAIL_LINES = 20;
/** Smallest accepted `log_max_bytes`: room for a head, a tail and the markers between them. */
const MIN_LOG_MAX_BYTES = 4096;

/**
 * Runs the trial command in place of a POSIX shell that first forks a watchdog. The worker holds the write end of
 * the shell's stdin; the watchdog keeps the read end (fd 3) and blocks on it. When the worker dies, even by
 * kill -9, the kernel closes the write end, the watchdog reads EOF and kills its process group: the trial and
 * everything it started, unless a descendant left the group (setsid, setpgid). The trial itself keeps the pid
 * (exec), reads /dev/null and does not inherit fd 3; the watchdog does not hold stdout/stderr, and the runner
 * kills it with the group when the trial exits.
 */
const WATCHDOG_SCRIPT = [
  'exec 3<&0 </dev/null',
  '{ while IFS= read -r _; do :; done <&3; kill -s KILL 0; } >/dev/null 2>&1 &',
  'exec "$@" 3<&-',
].join('\n');
const useWatchdog = process.platform !== 'win32';

/** Why hyperzone ended a trial early. */
type StopReason = { kind: 'abort' } | { kind: 'timeout' } | { kind: 'fail'; error: string };

function positive(name: string, v: number | undefined, integer: boolean): void {
  if (v === undefined) return;
  if (!Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) {
    throw new InputError(`Expected \`${name}\` to be ${integer ? 'an integer' : 'a number'} > 0, got ${v}`);
  }
}

/** The HZ_PARAM_<NAME> variable name for a parameter: upper-cased, other characters as `_`. */
export function paramEnvName(name: string): string {
  return `HZ_PARAM_${name.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`;
}

/** Creates a Runner that runs each trial as a command (any language or framework) speaking hyperzone's JSON-lines protocol. */
export function createCommandRunner(options: CommandRunnerOptions): Runner {
  const [exe, ...args] = options.command;
  if (exe === undefined || exe === '') throw new InputError('Expected `command` to be a non-empty array of strings, got []');
  positive('timeout_s', options.timeoutS, false);
  if (options.graceS !== undefined && !(Number.isFinite(options.graceS) && options.graceS >= 0)) {
    throw new InputError(`Expected \`grace_s\` to be a number ≥ 0, got ${options.graceS}`);
  }
  positive('per_gpu', options.perGpu, true);
  positive('max_line_bytes', options.maxLineBytes, true);
  if (options.logMaxBytes !== undefined && !(Number.isSafeInteger(options.logMaxBytes) && options.logMaxBytes >= MIN_LOG_MAX_BYTES)) {
    throw new InputError(`Expected \`log_max_bytes\` to be an integer ≥ ${MIN_LOG_MAX_BYTES}, got ${options.logMaxBytes}`);
  }
  if (options.gpus !== undefined && options.gpus.length === 0) throw new InputError('Expected `gpus` to list at least one GPU, got []');
  const cwd = resolve(options.cwd ?? process.cwd());
  const graceMs = (options.graceS ?? 10) * 1000;
  const maxLineBytes = options.maxLineBytes ?? 64 * 1024;
  const slots = options.gpus ? new GpuSlots(options.gpus, options.perGpu ?? 1) : null;
  const active = new Set<ChildProcess>();
  const name = `command ${[basename(exe), ...args.slice(0, 1)].join(' ')}`;

  const baseEnv = (): Record<string, string> => {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
    env.PYTHONUNBUFFERED = '1'; // Python block-buffers a piped stdout; steps should arrive as they happen
    return { ...env, ...options.env };
  };

  const runProcess = async (trial: TrialInput, ctx: RunContext, gpu: string | null): Promise<Outcome> => {
    // The attempt counts from here (after any wait for a GPU); an interruption before it leaves nothing started.
    await ctx.starting?.();
    if (ctx.signal.aborted) return { state: 'pruned', step: 0 };
    mkdirSync(options.logDir, { recursive: true });
    const paramsFile = resolve(options.logDir, `trial-${trial.number}.params.json`);
    writeFileSync(paramsFile, `${JSON.stringify(trial.params, null, 2)}\n`);
    const env = baseEnv();
    for (const [k, v] of Object.entries(trial.params)) env[paramEnvName(k)] = String(v);
    env.HZ_PARAMS_FILE = paramsFile;
    env.HZ_TRIAL_ID = String(trial.trialId);
    env.HZ_TRIAL_NUMBER = String(trial.number);
    env.HZ_SEED = String(trial.seed);
    env.HZ_BUDGET = trial.budget === null ? '' : String(trial.budget);
    if (trial.evaluateTest) env.HZ_EVALUATE_TEST = '1';
    if (gpu !== null) env.CUDA_VISIBLE_DEVICES = gpu;

    const log = new TrialLog(join(options.logDir, `trial-${trial.number}.log`), { tailLines: TAIL_LINES, ...(options.logMaxBytes !== undefined ? { maxBytes: options.logMaxBytes } : {}) });
    log.line(`=== hyperzone trial ${trial.number} (id ${trial.trialId}) started ${new Date().toISOString()}${gpu !== null ? ` on GPU ${gpu}` : ''}: ${JSON.stringify(options.command)}`);

    // What the trial recorded: only lines up to the step at which the scheduler stopped it (see `inOrder`).
    const steps: { step: number; metrics: Metrics }[] = [];
    let final: Metrics | null = null;
    let stopReason: StopReason | null = null;
    const currentStop = (): StopReason | null => stopReason;
    let reports: Promise<void> = Promise.resolve();
    /** The last step parsed (ahead of `steps` while reports are pending): steps must increase. */
    let lastParsed: number | null = null;
    /** A protocol failure is queued: later lines do not count. */
    let failing = false;
    /**
     * Lines take effect in order, each after the reports before it. A command may print many steps in one chunk
     * (its whole curve at once) before the scheduler has decided on the first: once it stops the trial (the signal
     * aborts), nothing printed after that step counts — no step, final line or malformed line.
     */
    const inOrder = (effect: () => void | Promise<void>): void => {
      reports = reports.then(() => (ctx.signal.aborted ? undefined : effect()));
    };
    const fail = (error: string): void => {
      failing = true;
      inOrder(() => stop({ kind: 'fail', error }));
    };

    let child: ChildProcess;
    try {
      if (!useWatchdog) {
        child = spawn(exe, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      } else {
        // The shell's exec would report a missing command only as exit 127; say it the way a direct spawn does.
        resolveExecutable(exe, cwd, env.PATH);
        child = spawn('/bin/sh', ['-c', WATCHDOG_SCRIPT, 'hyperzone-trial', exe, ...args], { cwd, env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
        // Never written to: the pipe only has to stay open while this process lives.
        child.stdin?.on('error', () => undefined);
      }
    } catch (e) {
      log.line(`=== could not start: ${describeError(e)}`);
      await log.close();
      return { state: 'failed', error: `could not start \`${exe}\`: ${describeError(e)}` };
    }
    active.add(child);

    let killTimer: NodeJS.Timeout | undefined;
    const killGroup = (sig: NodeJS.Signals): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, sig); // the whole process group: grandchildren too
      } catch {
        /* already gone */
      }
    };
    let exited = false;
    const stop = (reason: StopReason): void => {
      if (stopReason !== null) return;
      stopReason = reason;
      if (exited) return; // a queued failure taking effect after the process ended: nothing left to kill
      killGroup('SIGTERM');
      killTimer = setTimeout(() => killGroup('SIGKILL'), graceMs);
    };

    const onStdoutLine = (line: Buffer, dropped: number): void => {
      if (!isProtocolLine(line)) return log.line(line, dropped);
      if (stopReason !== null || failing) return; // already ending: nothing more counts
      if (dropped > 0) {
        log.line(line, dropped);
        return fail(`malformed JSON metric line: longer than ${maxLineBytes} bytes (max_line_bytes)`);
      }
      const parsed = parseProtocolLine(line.toString('utf8'), { metric: options.metric });
      if (!parsed.ok) {
        log.line(line);
        return fail(parsed.error);
      }
      const p = parsed.line;
      if (p.kind === 'final') {
        return inOrder(() => {
          final = { ...(final ?? {}), ...p.metrics };
        });
      }
      if (lastParsed !== null && p.step <= lastParsed) {
        return fail(`Expected steps to increase, got step ${p.step} after step ${lastParsed}`);
      }
      lastParsed = p.step;
      // Reports go out in order as they arrive, so a trial that later misbehaves loses nothing.
      inOrder(async () => {
        steps.push({ step: p.step, metrics: p.metrics });
        try {
          await ctx.report(p.step, p.metrics);
        } catch (e) {
          stop({ kind: 'fail', error: `reporting step ${p.step} failed: ${describeError(e)}` });
        }
      });
    };
    const outSplitter = new LineSplitter(maxLineBytes, onStdoutLine);
    const errSplitter = new LineSplitter(maxLineBytes, (line, dropped) => log.line(line, dropped));
    const stdout = child.stdout!;
    const stderr = child.stderr!;
    const feed = (splitter: LineSplitter) => (chunk: Buffer) => {
      splitter.push(chunk);
      if (log.isBlocked) {
        // Back-pressure: a flood of output waits for the disk instead of filling memory.
        stdout.pause();
        stderr.pause();
        void log.drained().then(() => {
          stdout.resume();
          stderr.resume();
        });
      }
    };
    stdout.on('data', feed(outSplitter));
    stderr.on('data', feed(errSplitter));

    const onAbort = (): void => stop({ kind: 'abort' });
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    const timeoutTimer =
      options.timeoutS !== undefined ? setTimeout(() => stop({ kind: 'timeout' }), options.timeoutS * 1000) : undefined;

    const ended = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; spawnError: Error | null }>((done) => {
      let closeTimer: NodeJS.Timeout | undefined;
      child.once('error', (e) => {
        clearTimeout(closeTimer);
        done({ code: null, signal: null, spawnError: e });
      });
      child.once('exit', () => {
        // Leftover processes of the group would keep the pipes open; they die with the trial.
        killGroup('SIGKILL');
        closeTimer = setTimeout(() => {
          stdout.destroy();
          stderr.destroy();
        }, 5000);
      });
      child.once('close', (code, signal) => {
        clearTimeout(closeTimer);
        done({ code, signal, spawnError: null });
      });
    });
    exited = true;
    active.delete(child);
    child.stdin?.destroy();
    clearTimeout(killTimer);
    clearTimeout(timeoutTimer);
    ctx.signal.removeEventListener('abort', onAbort);
    outSplitter.end();
    errSplitter.end();
    await reports;
    // Assigned in callbacks, which TypeScript cannot see. A stop decided while the last reports went out, after
    // the process had already printed everything and exited, still makes the trial pruned at that step.
    const reason = currentStop() ?? (ctx.signal.aborted ? { kind: 'abort' as const } : null);
    if (ended.spawnError) {
      log.line(`=== could not start: ${ended.spawnError.message}`);
    } else {
      log.line(`=== exited ${ended.signal ? `by signal ${ended.signal}` : `with code ${ended.code}`} at ${new Date().toISOString()}`);
    }
    await log.close();

    const withTail = (error: string): string => `${error}\n--- last lines of ${log.path} ---\n${log.tailText()}`;
    const best = bestStep(steps, options.metric, options.direction);
    const metrics = (): Metrics => ({ ...(best ? { ...best.metrics, best_step: best.step } : {}), ...(final ?? {}) });

    if (ended.spawnError) return { state: 'failed', error: `could not start \`${exe}\`: ${ended.spawnError.message}` };
    if (reason?.kind === 'abort') {
      const lastStep = steps[steps.length - 1]?.step ?? 0;
      return best ? { state: 'pruned', step: lastStep, value: best.value, metrics: metrics() } : { state: 'pruned', step: lastStep };
    }
    if (reason?.kind === 'timeout') return { state: 'failed', error: withTail(`timed out after ${options.timeoutS} s`), metrics: metrics() };
    if (reason?.kind === 'fail') return { state: 'failed', error: withTail(reason.error), metrics: metrics() };
    if (ended.signal) return { state: 'failed', error: withTail(`killed by signal ${ended.signal}`), metrics: metrics() };
    if (ended.code !== 0) return { state: 'failed', error: withTail(`exited with code ${ended.code}`), metrics: metrics() };
    if (steps.length === 0 && final === null) {
      return { state: 'failed', error: withTail('exited without reporting any step or final line') };
    }
    const value = best?.value ?? (final as Metrics | null)?.[options.metric];
    if (value === undefined) {
      return { state: 'failed', error: withTail(`never reported the objective metric \`${options.metric}\``), metrics: metrics() };
    }
    return { state: 'complete', value, metrics: metrics() };
  };

  return {
    name,
    marksStart: true,
    async prepare() {
      resolveExecutable(exe, cwd, options.env?.PATH ?? process.env.PATH);
      mkdirSync(options.logDir, { recursive: true });
    },
    async run(trial, ctx) {
      if (ctx.signal.aborted) return { state: 'pruned', step: 0 };
      const gpu = slots ? await slots.acquire(ctx.signal) : null;
      if (slots && gpu === null) return { state: 'pruned', step: 0 };
      try {
        return await runProcess(trial, ctx, gpu);
      } finally {
        if (slots && gpu !== null) slots.release(gpu);
      }
    },
    async close() {
      for (const c of active) {
        if (c.pid !== undefined) {
          try {
            process.kill(-c.pid, 'SIGKILL');
          } catch {
            /* gone */
          }
        }
      }
    },
  };
}
