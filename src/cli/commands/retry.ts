import { InputError } from '../../core/errors.js';
import { redactUrl } from '../../storage/open.js';
import { unresolvedFailures } from '../../study/failures.js';
import { resolveStudy, storageUrl, withStorage } from '../context.js';

/** Flags of `hyperzone retry`. */
export interface RetryFlags {
  storage?: string;
  study?: string;
  trials?: string;
  allFailed?: boolean;
}

/** Parses `--trials 3,5,#8` into trial numbers, naming the flag and the value on error. */
export function parseTrialNumbers(value: string): number[] {
  const parts = value.split(',').map((p) => p.trim().replace(/^#/, ''));
  const numbers = parts.map(Number);
  if (parts.some((p) => !/^\d+$/.test(p)) || numbers.some((n) => !Number.isSafeInteger(n))) {
    throw new InputError(`Expected \`--trials\` to be trial numbers separated by commas (e.g. 3,5), got ${JSON.stringify(value)}`);
  }
  return [...new Set(numbers)];
}

/**
 * `hyperzone retry [--study NAME] (--trials 3,5 | --all-failed)`: requeues failed trials as new waiting trials with
 * the same params, seed and budget (attr `retry_of`); the failed records stay as history. `hyperzone run SPEC`
 * (resuming) or `hyperzone worker` then runs them. Asking for a trial that is not failed, or not there, is bad
 * input and changes nothing.
 */
export async function retryCommand(flags: RetryFlags, print: (line: string) => void = (l) => void process.stdout.write(l + '\n')): Promise<number> {
  if ((flags.trials === undefined) === (flags.allFailed !== true)) {
    throw new InputError('Give either `--trials N,M` (trial numbers) or `--all-failed`');
  }
  const asked = flags.trials !== undefined ? parseTrialNumbers(flags.trials) : null;
  return withStorage(flags.storage, async (storage) => {
    const study = await resolveStudy(storage, flags.study);
    const trials = await storage.listTrials(study.id);
    let numbers: number[];
    if (asked) {
      const byNumber = new Map(trials.map((t) => [t.number, t]));
      const wrong = asked.map((n) => [n, byNumber.get(n)] as const).filter(([, t]) => t?.state !== 'failed');
      if (wrong.length) {
        const why = wrong.map(([n, t]) => (t ? `#${n} is ${t.state}` : `#${n} does not exist`)).join(', ');
        throw new InputError(`Only failed trials can be retried: in study \`${study.name}\`, ${why}`);
      }
      numbers = asked;
    } else {
      numbers = unresolvedFailures(trials).map((t) => t.number);
    }
    const created = await storage.retryTrials(study.id, numbers);
    const where = redactUrl(storageUrl(flags.storage));
    if (created.length === 0) {
      print(numbers.length === 0
        ? `No failed trials to retry in study ${study.name}.`
        : `Nothing requeued: each configuration asked for is already waiting, running or done in another trial.`);
      return 0;
    }
    const requeued = new Set(created.map((t) => t.attrs.retry_of));
    const skipped = numbers.filter((n) => !requeued.has(n));
    print(`requeued ${created.length} failed trial${created.length === 1 ? '' : 's'} of study ${study.name}: ${created.map((t) => `#${String(t.attrs.retry_of)} as #${t.number}`).join(', ')}`);
    if (skipped.length) print(`not requeued (the same configuration is already waiting, running or done): ${skipped.map((n) => `#${n}`).join(', ')}`);
    print(`run them with: hyperzone run SPEC (resumes the study) or hyperzone worker --storage '${where}' --study ${study.name}`);
    return 0;
  });
}
