import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { InputError } from '../../core/errors.js';
import type { Metrics, Outcome } from '../../core/types.js';
import type { TrialInput } from '../runner.js';
import { createCommandRunner, type CommandRunnerOptions } from './runner.js';
import { MemoryStorage } from '../../storage/memory.js';
import { gridSampler } from '../../samplers/grid.js';
import type { Scheduler } from '../../schedulers/scheduler.js';
import { Space } from '../../space/space.js';
import { runWorker } from '../../study/engine.js';

const dir = mkdtempSync(join(tmpdir(), 'hz-cmd-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Writes an executable script into the temp dir and returns its path. */
function script(name: string, body: string): string {
  const p = join(dir, name);
  writeFileSync(p, body);
  chmodSync(p, 0o755);
  return p;
}

function trial(number: number, params: TrialInput['params'] = { units: 64 }, budget: number | null = 3): TrialInput {
  return { trialId: 100 + number, number, params, seed: 42 + number, budget };
}

function ctx(signal: AbortSignal = new AbortController().signal) {
  const reports: { step: number; metrics: Metrics }[] = [];
  return { reports, signal, report: (step: number, metrics: Metrics) => void reports.push({ step, metrics }) };
}

function runner(command: string[], extra: Partial<CommandRunnerOptions> = {}) {
  return createCommandRunner({ command, logDir: join(dir, 'logs'), metric: 'val_accuracy', direction: 'maximize', graceS: 1, ...extra });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether a process runs (a zombie waiting for its new parent to reap it counts as dead). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \([^)]*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function failed(o: Outcome): string {
  assert.equal(o.state, 'failed', `expected failure, got ${JSON.stringify(o)}`);
  return o.state === 'failed' ? o.error : '';
}

describe('createCommandRunner', () => {
  it('reports steps, merges the final line, picks the best step and logs other output', async () => {
    const sh = script('happy.sh', `#!/bin/sh
echo "starting up"
echo '{"step": 1, "val_accuracy": 0.5, "val_loss": 1.0}'
echo "a warning" >&2
echo '{"step": 2, "val_accuracy": 0.9, "val_loss": 0.5, "note": "text is ignored"}'
echo '{"step": 3, "val_accuracy": 0.8, "val_loss": 0.7}'
echo '{"final": {"test_accuracy": 0.85, "device": "cpu"}}'
`);
    const c = ctx();
    const out = await runner([sh]).run(trial(0), c);
    assert.deepEqual(c.reports.map((r) => r.step), [1, 2, 3]);
    assert.deepEqual(c.reports[1]?.metrics, { val_accuracy: 0.9, val_loss: 0.5 });
    assert.equal(out.state, 'complete');
    if (out.state !== 'complete') return;
    assert.equal(out.value, 0.9);
    assert.equal(out.metrics?.test_accuracy, 0.85);
    assert.equal(out.metrics?.best_step, 2);
    const log = readFileSync(join(dir, 'logs', 'trial-0.log'), 'utf8');
    assert.match(log, /starting up/);
    assert.match(log, /a warning/);
    assert.doesNotMatch(log, /"step": 1/);
  });

  it('minimizes and falls back to the final metric when there are no steps', async () => {
    const sh = script('final-only.sh', `#!/bin/sh\necho '{"final": {"loss": 0.25}}'\n`);
    const out = await runner([sh], { metric: 'loss', direction: 'minimize' }).run(trial(1), ctx());
    assert.deepEqual(out, { state: 'complete', value: 0.25, metrics: { loss: 0.25 } });
    const steps = script('min.sh', `#!/bin/sh\necho '{"step":0,"loss":3}'\necho '{"step":1,"loss":1}'\necho '{"step":2,"loss":2}'\n`);
    const out2 = await runner([steps], { metric: 'loss', direction: 'minimize' }).run(trial(2), ctx());
    assert.equal(out2.state === 'complete' && out2.value, 1);
  });

  it('passes params through a JSON file and HZ_* environment variables', async () => {
    const js = script('env.mjs', `#!${process.execPath}
import { readFileSync } from 'node:fs';
const params = JSON.parse(readFileSync(process.env.HZ_PARAMS_FILE, 'utf8'));
const e = process.env;
console.log(JSON.stringify({ final: { val_accuracy: 1, file_units: params.units, file_lr: params.learning_rate,
  env_units: Number(e.HZ_PARAM_UNITS), env_lr: Number(e.HZ_PARAM_LEARNING_RATE), trial_id: Number(e.HZ_TRIAL_ID),
  trial_number: Number(e.HZ_TRIAL_NUMBER), seed: Number(e.HZ_SEED), budget_empty: e.HZ_BUDGET === '' ? 1 : 0,
  extra: Number(e.MY_EXTRA), act_is_relu: e.HZ_PARAM_ACTIVATION === 'relu' ? 1 : 0 } }));
`);
    const out = await runner([js], { env: { MY_EXTRA: '7' } }).run(
      trial(3, { units: 256, learning_rate: 0.001, activation: 'relu' }, null),
      ctx(),
    );
    assert.equal(out.state, 'complete');
    assert.deepEqual(out.state === 'complete' && out.metrics, {
      val_accuracy: 1, file_units: 256, file_lr: 0.001, env_units: 256, env_lr: 0.001, trial_id: 103,
      trial_number: 3, seed: 45, budget_empty: 1, extra: 7, act_is_relu: 1,
    });
  });

  it('fails on a malformed JSON line, keeping what was reported before', async () => {
    const sh = script('malformed.sh', `#!/bin/sh\necho '{"step": 1, "val_accuracy": 0.5}'\necho '{"step": 2, "val_accuracy": 0.6'\nsleep 30\n`);
    const c = ctx();
    const err = failed(await runner([sh]).run(trial(4), c));
    assert.match(err, /malformed JSON metric line/);
    assert.deepEqual(c.reports.map((r) => r.step), [1]);
  });

  it('fails when steps do not increase, keeping the steps before', async () => {
    const sh = script('repeat.sh', `#!/bin/sh\necho '{"step": 1, "val_accuracy": 0.5}'\necho '{"step": 2, "val_accuracy": 0.6}'\necho '{"step": 2, "val_accuracy": 0.7}'\nsleep 30\n`);
    const c = ctx();
    assert.match(failed(await runner([sh]).run(trial(18), c)), /Expected steps to increase, got step 2 after step 2/);
    assert.deepEqual(c.reports.map((r) => r.step), [1, 2]);
  });

  it('fails on a NaN metric (Python writes bare NaN) and on null', async () => {
    const sh = script('nan.sh', `#!/bin/sh\necho '{"step": 1, "val_accuracy": 0.5}'\necho '{"step": 2, "val_accuracy": NaN, "val_loss": 1}'\n`);
    const c = ctx();
    assert.match(failed(await runner([sh]).run(trial(5), c)), /non-finite metric `val_accuracy`: NaN/);
    assert.equal(c.reports.length, 1);
    const js = script('null.sh', `#!/bin/sh\necho '{"step": 1, "val_loss": null}'\n`);
    assert.match(failed(await runner([js]).run(trial(6), ctx())), /non-finite metric `val_loss`: null/);
  });

  it('fails on a non-zero exit with the tail of the log', async () => {
    const sh = script('crash.sh', `#!/bin/sh
for i in $(seq 1 40); do echo "log line $i"; done
echo '{"step": 1, "val_accuracy": 0.5}'
echo "Traceback: something broke" >&2
exit 3
`);
    const c = ctx();
    const err = failed(await runner([sh]).run(trial(7), c));
    assert.match(err, /exited with code 3/);
    assert.match(err, /Traceback: something broke/);
    assert.match(err, /log line 40/);
    assert.doesNotMatch(err, /log line 5\n/);
    assert.equal(c.reports.length, 1);
  });

  it('fails when the command exits without any step or final line', async () => {
    const sh = script('silent.sh', `#!/bin/sh\necho hello\n`);
    assert.match(failed(await runner([sh]).run(trial(8), ctx())), /without reporting any step or final line/);
  });

  it('kills a hung trial and its grandchildren at the timeout', async () => {
    const pidFile = join(dir, 'grandchild.pid');
    const sh = script('hang.sh', `#!/bin/sh
trap '' TERM
sleep 60 &
echo $! > ${pidFile}
echo '{"step": 1, "val_accuracy": 0.5}'
wait
`);
    const c = ctx();
    const err = failed(await runner([sh], { timeoutS: 0.5, graceS: 0.3 }).run(trial(9), c));
    assert.match(err, /timed out after 0.5 s/);
    assert.equal(c.reports.length, 1);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    // Dead means gone, or a zombie waiting for its new parent to reap it.
    const dead = (): boolean => {
      try {
        return /^\d+ \([^)]*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      } catch {
        return true;
      }
    };
    for (let i = 0; i < 50 && !dead(); i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(dead(), 'the grandchild sleep must be dead');
  });

  it('ends as pruned at the last reported step when aborted', async () => {
    const sh = script('slow.sh', `#!/bin/sh\necho '{"step": 1, "val_accuracy": 0.5}'\necho '{"step": 2, "val_accuracy": 0.7}'\nsleep 60\n`);
    const ac = new AbortController();
    const c = {
      ...ctx(ac.signal),
      report(step: number, metrics: Metrics) {
        c.reports.push({ step, metrics });
        if (step === 2) ac.abort();
      },
    };
    const out = await runner([sh]).run(trial(10), c);
    assert.equal(out.state, 'pruned');
    assert.equal(out.state === 'pruned' && out.step, 2);
    assert.equal(out.state === 'pruned' && out.value, 0.7);
  });

  it('records nothing after the step at which it was stopped, when the command prints its whole curve at once', async () => {
    // One write: every step (and the final line) arrive in one chunk, before the first report is even decided.
    const js = script('burst.mjs', `#!${process.execPath}
const lines = [1, 2, 3, 4, 5].map((s) => JSON.stringify({ step: s, val_accuracy: s / 10 }));
lines.push(JSON.stringify({ final: { test_accuracy: 0.99 } }), '{"step": 6, "val_accuracy": ');
process.stdout.write(lines.join('\\n') + '\\n');
`);
    const ac = new AbortController();
    const c = {
      ...ctx(ac.signal),
      async report(step: number, metrics: Metrics) {
        await sleep(5); // a storage write and a scheduler decision take time
        c.reports.push({ step, metrics });
        if (step === 2) ac.abort();
      },
    };
    const out = await runner([js]).run(trial(17, { units: 64 }, 5), c);
    assert.deepEqual(c.reports.map((r) => r.step), [1, 2]);
    assert.deepEqual(out, { state: 'pruned', step: 2, value: 0.2, metrics: { val_accuracy: 0.2, best_step: 2 } });
  });

  it('through the engine, a scheduler stop leaves the trial\'s stored steps ending at the stop step', async () => {
    const js = script('burst-study.mjs', `#!${process.execPath}
const budget = Number(process.env.HZ_BUDGET);
const lines = [];
for (let s = 1; s <= budget; s++) lines.push(JSON.stringify({ step: s, val_accuracy: s / 100 }));
process.stdout.write(lines.join('\\n') + '\\n');
`);
    const storage = new MemoryStorage();
    const study = await storage.createStudy({ name: 'burst', direction: 'maximize', metric: 'val_accuracy', spec: {} });
    const stopAt3: Scheduler = { name: 'stop-at-3', async onReport(_t, step, _v, sctx) {
      if (step !== 3) return 'continue';
      await sctx.note?.({ stop: { step } });
      return 'stop';
    } };
    const space = Space.fromSpec({ units: { type: 'series', values: [64] } });
    const s = await runWorker({ storage, study, space, sampler: gridSampler({ seeds: [1], budget: 10 }), runner: runner([js]), scheduler: stopAt3,
      seed: 1, budget: 10, maxAttempts: 1, heartbeatMs: 1000, workerId: 'w', parallel: 1 });
    assert.equal(s.pruned, 1);
    const [t] = await storage.listTrials(study.id);
    assert.equal(t?.state, 'pruned');
    assert.deepEqual(t?.attrs.stop, { step: 3 });
    assert.deepEqual(t?.steps.map((x) => x.step), [1, 2, 3], 'the stored curve ends at the stop step');
    assert.equal(t?.metrics.best_step, 3);
  });

  it('streams a flood of output to the log without holding it in memory, and truncates long lines', async () => {
    const sh = script('flood.sh', `#!/bin/sh
yes 'flooding the log with a line of text that repeats many, many times over' | head -c 50000000; echo
head -c 300000 /dev/zero | tr '\\0' x; echo
echo '{"step": 1, "val_accuracy": 0.5}'
`);
    let peak = 0;
    const base = process.memoryUsage();
    const sample = setInterval(() => {
      const m = process.memoryUsage();
      peak = Math.max(peak, m.heapUsed + m.arrayBuffers - base.heapUsed - base.arrayBuffers);
    }, 5);
    const out = await runner([sh], { logMaxBytes: 100_000_000 }).run(trial(11), ctx());
    clearInterval(sample);
    assert.equal(out.state, 'complete');
    const logPath = join(dir, 'logs', 'trial-11.log');
    assert.ok(statSync(logPath).size > 50_000_000, 'the whole flood reaches the log');
    assert.ok(peak < 40_000_000, `memory grew by ${peak} bytes while streaming 50 MB`);
    const tail = readFileSync(logPath, 'utf8').slice(-200);
    assert.match(tail, /x … \[truncated: 234464 more bytes\]/);
    const long = script('long-json.sh', `#!/bin/sh\nprintf '{"step": 1, "val_accuracy": 0.5, "pad": "'; head -c 2000 /dev/zero | tr '\\0' x; echo '"}'\n`);
    assert.match(failed(await runner([long], { maxLineBytes: 1000 }).run(trial(12), ctx())), /longer than 1000 bytes/);
  });

  it('caps the log at log_max_bytes, keeping the head and the tail with a marker of what was dropped; retries share the cap', async () => {
    const sh = script('chatty.sh', `#!/bin/sh
echo FIRST-LINE
yes 'a line of output that repeats' | head -c 5000000
printf 'binary \\000 and \\377 bytes\\n'
echo LAST-LINE
echo '{"step": 1, "val_accuracy": 0.5}'
`);
    const cap = 200_000;
    const out = await runner([sh], { logMaxBytes: cap }).run(trial(14), ctx());
    assert.equal(out.state, 'complete');
    const logPath = join(dir, 'logs', 'trial-14.log');
    const size1 = statSync(logPath).size;
    assert.ok(size1 <= cap, `log of ${size1} bytes within its cap of ${cap}`);
    assert.ok(size1 > cap - 1000, `the cap is used (${size1} bytes)`);
    const text = readFileSync(logPath, 'latin1');
    assert.match(text.slice(0, 300), /=== hyperzone trial 14 .*\nFIRST-LINE\n/);
    assert.match(text, /=== hyperzone: log_max_bytes \(200000\) reached; only the last part of the output follows ===/);
    const dropped = /=== hyperzone: (\d+) bytes dropped here ===/.exec(text);
    assert.ok(dropped, 'a marker says how much was dropped');
    assert.ok(Number(dropped[1]) > 4_700_000, dropped[1]);
    assert.match(text.slice(-400), /binary \0 and \xff bytes\nLAST-LINE\n(.|\n)*=== exited with code 0/);
    // A second attempt writes a fresh file; the first one's is kept beside it.
    assert.equal((await runner([sh], { logMaxBytes: cap }).run(trial(14), ctx())).state, 'complete');
    assert.equal(statSync(`${logPath}.1`).size, size1);
    assert.ok(statSync(logPath).size <= cap, `after a retry: ${statSync(logPath).size} bytes`);
    assert.throws(() => runner([sh], { logMaxBytes: 100 }), /Expected `log_max_bytes` to be an integer ≥ 4096, got 100/);
  });

  it('starts the process only once ctx.starting resolves, and not at all if the trial was stopped meanwhile', async () => {
    const marker = join(dir, 'started-marker');
    const sh = script('mark.sh', `#!/bin/sh\ntouch ${marker}\necho '{"step": 1, "val_accuracy": 0.5}'\n`);
    const r = runner([sh]);
    assert.equal(r.marksStart, true);
    const ac = new AbortController();
    const order: string[] = [];
    const out = await r.run(trial(15), { ...ctx(ac.signal), starting: async () => { order.push(existsSync(marker) ? 'late' : 'before spawn'); ac.abort(); } });
    assert.deepEqual(order, ['before spawn']);
    assert.deepEqual(out, { state: 'pruned', step: 0 });
    assert.equal(existsSync(marker), false, 'never spawned');
    let calls = 0;
    assert.equal((await r.run(trial(16), { ...ctx(), starting: async () => { calls++; } })).state, 'complete');
    assert.equal(calls, 1);
    assert.equal(existsSync(marker), true);
  });

  it('kills the trial and its children when the worker process dies by SIGKILL', { skip: process.platform !== 'linux' ? 'reads /proc (Linux)' : false }, async () => {
    const pids = join(dir, 'orphan.pids');
    const sh = script('long.sh', `#!/bin/sh
sleep 60 &
echo "$$ $!" > ${pids}.tmp && mv ${pids}.tmp ${pids}
echo '{"step": 1, "val_accuracy": 0.5}'
wait
`);
    const fixture = join(import.meta.dirname, 'fixtures', 'run-one-trial.ts');
    const worker = spawn(process.execPath, ['--import', 'tsx', fixture, join(dir, 'logs-orphan'), sh], { stdio: 'ignore' });
    const exited = new Promise((r) => worker.once('exit', r));
    try {
      for (let i = 0; i < 300 && !existsSync(pids); i++) await sleep(50);
      const [trialPid, childPid] = readFileSync(pids, 'utf8').trim().split(' ').map(Number) as [number, number];
      assert.ok(alive(trialPid) && alive(childPid), 'the trial runs');
      worker.kill('SIGKILL');
      await exited;
      const t0 = Date.now();
      while (Date.now() - t0 < 2000 && (alive(trialPid) || alive(childPid))) await sleep(20);
      assert.ok(!alive(trialPid), 'the trial process died with its worker');
      assert.ok(!alive(childPid), 'and so did its child');
    } finally {
      worker.kill('SIGKILL');
    }
  });

  it('checks at prepare that the executable exists', async () => {
    await assert.rejects(runner(['no-such-command-hz']).prepare!(), (e: unknown) => e instanceof InputError && /no-such-command-hz/.test(e.message));
    await assert.rejects(runner([join(dir, 'missing.sh')]).prepare!(), InputError);
    writeFileSync(join(dir, 'not-exec.sh'), '#!/bin/sh\n');
    await assert.rejects(runner([join(dir, 'not-exec.sh')]).prepare!(), InputError);
    await runner(['sh', '-c', 'true']).prepare!();
    await runner(['./happy.sh'], { cwd: dir }).prepare!();
    assert.throws(() => runner([]), InputError);
  });

  it('never runs a param value through a shell', async () => {
    const marker = join(dir, 'injected');
    const js = script('inert.mjs', `#!${process.execPath}
console.log(JSON.stringify({ final: { val_accuracy: process.argv[2] === process.env.HZ_PARAM_NAME ? 0 : 1 } }));
`);
    const evil = `$(touch ${marker}); touch ${marker}; \`touch ${marker}\``;
    const out = await runner([js, '--name', evil]).run(trial(13, { name: evil }), ctx());
    assert.equal(out.state, 'complete');
    assert.equal(existsSync(marker), false);
    const file = JSON.parse(readFileSync(join(dir, 'logs', 'trial-13.params.json'), 'utf8')) as { name: string };
    assert.equal(file.name, evil);
  });

  it('gives each trial one GPU with at most perGpu trials per GPU', async () => {
    const sh = script('gpu.sh', `#!/bin/sh
echo "$CUDA_VISIBLE_DEVICES" >> ${join(dir, 'gpus.txt')}
echo '{"step": 1, "val_accuracy": 0.5}'
sleep 0.3
echo '{"final": {"gpu": '"$CUDA_VISIBLE_DEVICES"'}}'
`);
    const r = runner([sh], { gpus: ['0', '1'], perGpu: 2 });
    let running = 0;
    let maxRunning = 0;
    const perGpu = new Map<number, number>();
    let maxPerGpu = 0;
    const outs = await Promise.all(
      Array.from({ length: 9 }, async (_, i) => {
        const c = ctx();
        running++;
        maxRunning = Math.max(maxRunning, running);
        const o = await r.run(trial(20 + i), c);
        running--;
        return o;
      }),
    );
    const gpus = outs.map((o) => (o.state === 'complete' ? o.metrics?.gpu : -1));
    assert.ok(gpus.every((g) => g === 0 || g === 1), JSON.stringify(gpus));
    // Concurrency per GPU, read from the start order: the log of starts shows at most 2 per GPU before any finished.
    const starts = readFileSync(join(dir, 'gpus.txt'), 'utf8').trim().split('\n');
    assert.equal(starts.length, 9);
    for (const g of starts.slice(0, 4)) perGpu.set(Number(g), (perGpu.get(Number(g)) ?? 0) + 1);
    for (const n of perGpu.values()) maxPerGpu = Math.max(maxPerGpu, n);
    assert.equal(maxPerGpu, 2);
    assert.equal(maxRunning, 9); // all nine were waiting or running at once
  });
});
