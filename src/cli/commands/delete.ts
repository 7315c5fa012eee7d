import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { InputError } from '../../core/errors.js';
import { redactUrl } from '../../storage/open.js';
import type { Storage, WorkerRecord } from '../../storage/storage.js';
import { workerTiming } from '../../study/engine.js';
import { isDeadLocalWorker } from '../../study/worker-id.js';
import { formatDuration } from '../../reports/text-table.js';
import { resolveStudy, storageUrl, withStorage } from '../context.js';

/** Flags of `hyperzone delete`. */
export interface DeleteFlags {
  storage?: string;
  study?: string;
  yes?: boolean;
  force?: boolean;
}

/** Where the question is asked and the answer read (the process's terminal; tests pass streams). */
export interface PromptIO {
  readonly input: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly output: NodeJS.WritableStream;
}

/**
 * Workers of the study that may still be running trials: heard from within the stale timeout and not a process
 * of this host that is gone (a finished `run` on this machine does not count).
 */
export function liveWorkers(workers: readonly WorkerRecord[], now: number, staleMs: number): WorkerRecord[] {
  return workers.filter((w) => now - w.heartbeatAt <= staleMs && !isDeadLocalWorker(w.id));
}

/**
 * `hyperzone delete --study NAME [--storage URL] [--yes] [--force]`: deletes a study with its trials, their
 * learning curves and its workers. Asks first on a terminal (`--yes` skips the question; without a terminal
 * `--yes` is required), and refuses while workers of the study are alive unless `--force`.
 */
export async function deleteCommand(flags: DeleteFlags, io: PromptIO = { input: process.stdin, output: process.stderr }): Promise<number> {
  if (flags.study === undefined) throw new InputError('Missing `--study NAME`: name the study to delete (`hyperzone list` shows them)');
  const where = redactUrl(storageUrl(flags.storage));
  return withStorage(flags.storage, async (storage) => {
    const study = await resolveStudy(storage, flags.study);
    const c = await storage.countTrials(study.id);
    const total = c.waiting + c.running + c.complete + c.pruned + c.failed;
    await refuseWhileAlive(storage, study.id, study.name, flags.force === true);
    const what = `study ${study.name} (${total} trial${total === 1 ? '' : 's'}: ${c.complete} complete, ${c.running} running, ${c.waiting} waiting, ${c.pruned} pruned, ${c.failed} failed) from ${where}`;
    if (flags.yes !== true) {
      if (io.input.isTTY !== true) throw new InputError(`Deleting ${what} needs confirmation: pass --yes (stdin is not a terminal)`);
      if (!(await confirm(`Delete ${what}? This cannot be undone. [y/N] `, io))) {
        io.output.write('Nothing deleted.\n');
        return 1;
      }
    }
    // A worker that joined since the check above finds its trials gone and stops (its claims and reports fail).
    await storage.deleteStudy(study.name);
    process.stdout.write(`deleted ${what}\n`);
    const leftovers = [join('.hyperzone', 'logs', study.name), join('.hyperzone', study.name)].filter((d) => existsSync(d));
    if (leftovers.length) process.stdout.write(`kept its files here: ${leftovers.join(', ')} (remove them by hand if you no longer need them)\n`);
    return 0;
  });
}

async function refuseWhileAlive(storage: Storage, studyId: number, name: string, force: boolean): Promise<void> {
  const { staleMs } = workerTiming({});
  const now = Date.now();
  const alive = liveWorkers(await storage.listWorkers(studyId), now, staleMs);
  if (alive.length === 0 || force) return;
  const list = alive.map((w) => `${w.id} (last heartbeat ${formatDuration((now - w.heartbeatAt) / 1000)} ago)`).join(', ');
  throw new InputError(`Study \`${name}\` has ${alive.length} live worker${alive.length === 1 ? '' : 's'}: ${list}. Stop ${alive.length === 1 ? 'it' : 'them'} first, or pass --force to delete anyway`);
}

/** Asks a yes/no question; only "y" or "yes" (any case) is a yes, end of input a no. */
export async function confirm(question: string, io: PromptIO): Promise<boolean> {
  const rl = createInterface({ input: io.input, output: io.output, terminal: false });
  try {
    const closed = new Promise<string>((resolve) => rl.once('close', () => resolve('')));
    const answer = await Promise.race([rl.question(question), closed]);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
