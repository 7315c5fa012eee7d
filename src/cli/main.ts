#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { describeError, HyperzoneError, isInputError } from '../core/errors.js';
import { checkStudyName } from '../core/names.js';

// Each command's module is imported inside its action, so `--help`, `--version` and a typo pay only for commander
// (and a command pays only for what it uses: `status` never loads the samplers' training code, `list` no trainer).
const inspect = () => import('./commands/inspect.js');
const run = () => import('./commands/run.js');
const stage = () => import('./commands/stage.js');

/** Exit codes: 0 success, 1 some trials failed (or an unexpected error), 2 bad input, 3 storage unavailable (outage), 130 interrupted. */
async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = new Command('hyperzone')
    .description('Hyperparameter and architecture search for neural networks')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  const storageOpt = ['--storage <url>', 'storage: a SQLite file (default hyperzone.db), memory:, or postgres://...'] as const;
  const act = <A extends unknown[]>(fn: (...a: A) => Promise<number>) => async (...a: A): Promise<void> => { code = await fn(...a); };
  // One check of --study for every command, before anything runs (core/names.ts).
  program.hook('preAction', (_program, command) => { const study: unknown = command.opts()['study']; if (typeof study === 'string') checkStudyName(study); });

  program.command('run').description('run (or resume) the study a spec file describes')
    .argument('<spec>', 'study spec, YAML or JSON')
    .option(...storageOpt).option('--study <name>', 'study name (default: the spec\'s `study`, else the file name)')
    .option('--parallel <n>', 'trials at once (default: one per core for the built-in trainer)')
    .option('--per-gpu <n>', 'command trainer: trials per GPU at once')
    .option('--log-dir <dir>', 'per-trial logs of the command trainer', '.hyperzone/logs')
    .option('--out-dir <dir>', 'zone strategy: where the stage documents go (default .hyperzone/<study>)')
    .option('--model-dir <dir>', 'built-in trainer with `save_models`: where trial networks go (<dir>/<study>/trial-<n>/)', '.hyperzone/models')
    .option('--allow-sampler-change', 'resume a study whose stored `sampler.type` differs from the spec\'s')
    .option('-q, --quiet', 'no progress output')
    .action(act(async (spec: string, opts: object) => (await run()).runCommand(spec, opts)));
  program.command('create').description('store a study (and enqueue its grid) without running it: workers then join it')
    .argument('<spec>', 'study spec, YAML or JSON')
    .option(...storageOpt).option('--study <name>', 'study name (default: the spec\'s `study`, else the file name)')
    .action(act(async (spec: string, opts: object) => (await run()).createCommand(spec, opts)));
  program.command('worker').description('join a study stored in shared storage and run its trials (many machines, one PostgreSQL)')
    .option(...storageOpt).option('--study <name>', 'study to work on').option('--parallel <n>', 'trials at once')
    .option('--per-gpu <n>', 'trials per GPU at once').option('--log-dir <dir>', 'per-trial logs', '.hyperzone/logs').option('-q, --quiet', 'no progress output')
    .option('--model-dir <dir>', 'built-in trainer with `save_models`: where trial networks go (<dir>/<study>/trial-<n>/)', '.hyperzone/models')
    .action(act(async (opts: object) => (await run()).workerCommand(opts)));
  program.command('status').description('trial counts, best so far, workers and trials in flight')
    .option(...storageOpt).option('--study <name>', 'study (default: the only one)')
    .action(act(async (opts: object) => (await inspect()).statusCommand(opts)));
  program.command('show').description('one trial with its learning curve').argument('<number>', 'trial number')
    .option(...storageOpt).option('--study <name>', 'study (default: the only one)')
    .action(act(async (n: string, opts: object) => (await inspect()).showCommand(n, opts)));
  program.command('export').description('export trials as CSV or JSON')
    .option(...storageOpt).option('--study <name>', 'study (default: the only one)')
    .option('--format <csv|json>', 'output format (default csv, or json for a .json --out)').option('-o, --out <file>', 'write to a file instead of stdout')
    .action(act(async (opts: object) => (await inspect()).exportCommand(opts)));
  program.command('export-model').description('copy a trial\'s saved network (TF.js Layers format: model.json + weights) to a directory')
    .option(...storageOpt).option('--study <name>', 'study (default: the only one)').requiredOption('--trial <n>', 'trial number')
    .requiredOption('--out <dir>', 'directory to write model.json and its weights to')
    .option('--model-dir <dir>', 'where the study\'s run saved its networks (its --model-dir)', '.hyperzone/models')
    .action(act(async (opts: object) => (await import('./commands/export-model.js')).exportModelCommand(opts)));
  program.command('merge').description('merge result sets from several machines (deduplicated by params, seed, budget)')
    .argument('<files...>', 'result-set JSON files').requiredOption('-o, --out <file>', 'merged result set')
    .action(act(async (files: string[], opts: { out?: string }) => (await import('./commands/merge.js')).mergeCommand(files, opts)));
  program.command('stage').description('run one stage of the zone strategy on a result set: zones, refine, schedules or confirm')
    .argument('<name>', 'zones | refine | schedules | confirm')
    .option('--in <file>', 'input result set (default: empty, from --spec)').option('--spec <file>', 'study spec: space, objective and zone options')
    .option('--val-size <n>', 'validation-set size, for the noise band when there are no repeats').requiredOption('-o, --out <file>', 'output document')
    .action(act(async (name: string, opts: object) => (await stage()).stageCommand(name, opts)));
  program.command('evaluate').description('run the planned trials of a result set (or one part of them) with a spec\'s trainer')
    .requiredOption('--in <file>', 'document with a plan').requiredOption('--spec <file>', 'study spec (trainer)').requiredOption('-o, --out <file>', 'result set with the new entries')
    .option('--part <k/n>', 'only every n-th planned trial, starting at the k-th (split across machines)')
    .option(...storageOpt).option('--parallel <n>', 'trials at once').option('--log-dir <dir>', 'per-trial logs', '.hyperzone/logs').option('-q, --quiet', 'no progress output')
    .action(act(async (opts: object) => (await stage()).evaluateCommand(opts)));
  program.command('report')
    .description('charts as one self-contained HTML page (inline SVG): history, heatmap with zones, 3D surface by epoch, learning curves, importance, stage-4 forest plot, parallel coordinates')
    .option('--in <file>', 'a result-set JSON (e.g. a zone stage document) instead of a study in storage')
    .option(...storageOpt).option('--study <name>', 'study (default: the only one)').requiredOption('-o, --out <file>', 'the HTML file to write')
    .option('--x <param>', 'heatmap x axis (default: the space\'s first ordered param)').option('--y <param>', 'heatmap y axis (default: the second)')
    .option('--top <n>', 'learning curves of the best N (default 10)').option('--val-size <n>', 'validation-set size, for finding zones in a result set without stage-1 output')
    .option('--svg-dir <dir>', 'also write each chart as DIR/<chart>.svg')
    .option('--png <dir>', 'also write each chart as DIR/<chart>.png through headless Chromium (HZ_CHROMIUM, default /usr/bin/chromium)')
    .action(act(async (opts: object) => (await import('./commands/report.js')).reportCommand(opts)));
  const controller = () => import('./commands/controller.js');
  const collect = (v: string, prev: string[]): string[] => [...prev, v];
  const ctl = program.command('controller').description('the learned controller (issue 16): train, inspect and evaluate its neural surrogate');
  ctl.command('train').description('fit the surrogate (a deep ensemble) on the complete trials of one or more storages and save it as a JSON file')
    .option('--storage <url>', 'a storage to read (repeat for several; default hyperzone.db)', collect, [])
    .option('--study <name>', 'only this study (repeat for several; default every study)', collect, [])
    .requiredOption('-o, --out <file>', 'model file to write')
    .option('--members <n>', 'ensemble members (default 5)').option('--epochs <n>', 'passes over the rows (default 30)')
    .option('--hidden <widths>', 'hidden layer widths (default 64,64)').option('--seed <n>', 'seed (default 0)')
    .option('--validation-share <x>', 'share of trials held out to check the model (default 0.2)').option('--backend <name>', 'TF.js backend: cpu (default), wasm')
    .option('--portfolio-size <n>', 'configurations in the warm-start portfolio learned from two or more studies (default 20; 0: none)')
    .action(act(async (opts: object) => (await controller()).controllerTrainCommand(opts as Parameters<Awaited<ReturnType<typeof controller>>['controllerTrainCommand']>[0])));
  ctl.command('inspect').description('what a model learned: its held-out check (predicted vs actual, coverage of 80 %/95 % intervals), input importance')
    .argument('<file>', 'model file')
    .action(act(async (file: string) => (await controller()).controllerInspectCommand(file)));
  ctl.command('evaluate').description('check a model on the complete trials of storages it was not trained on')
    .argument('<file>', 'model file')
    .option('--storage <url>', 'a storage to read (repeat for several)', collect, [])
    .option('--study <name>', 'only this study (repeat for several)', collect, [])
    .action(act(async (file: string, opts: object) => (await controller()).controllerEvaluateCommand(file, opts)));
  program.command('dashboard').description('serve a live, read-only web dashboard of the studies in a storage (127.0.0.1 unless --host)')
    .option(...storageOpt).option('--port <n>', 'port (default 8080; 0 picks a free one)').option('--host <address>', 'address to listen on (default 127.0.0.1; others print a warning)')
    .option('--token <token>', 'require this token on every request (or HYPERZONE_DASHBOARD_TOKEN)')
    .action(act(async (opts: object) => (await import('./commands/dashboard.js')).dashboardCommand(opts)));
  program.command('list').description('studies in the storage with their trial counts').option(...storageOpt)
    .action(act(async (opts: object) => (await inspect()).listCommand(opts)));
  program.command('delete').description('delete a study with its trials and workers (asks first on a terminal)')
    .option(...storageOpt).option('--study <name>', 'the study to delete (required)')
    .option('-y, --yes', 'do not ask (needed when stdin is not a terminal)').option('--force', 'delete even while workers of the study are alive')
    .action(act(async (opts: object) => (await import('./commands/delete.js')).deleteCommand(opts)));
  program.command('retry').description('requeue failed trials as new waiting trials (same params, seed, budget); `run` or `worker` then runs them')
    .option(...storageOpt).option('--study <name>', 'study (default: the only one)')
    .option('--trials <numbers>', 'failed trials to retry, e.g. 3,5').option('--all-failed', 'every failed trial whose configuration has no other trial')
    .action(act(async (opts: object) => (await import('./commands/retry.js')).retryCommand(opts)));

  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    // Storage that was reached and then went away for longer than its retry window: an outage, not bad input.
    if (e instanceof HyperzoneError && e.code === 'STORAGE_UNAVAILABLE') {
      process.stderr.write(`hyperzone: ${describeError(e)}\n`);
      return 3;
    }
    // A stage without the results it needs, result sets that cannot merge, or storage that cannot be reached are the user's to fix: bad input.
    if (isInputError(e) || (e instanceof HyperzoneError && (e.code === 'STAGE_ERROR' || e.code === 'MERGE_CONFLICT' || e.code === 'CONNECTION_ERROR'))) {
      process.stderr.write(`hyperzone: ${describeError(e)}\n`);
      return 2;
    }
    process.stderr.write(`hyperzone: ${e instanceof Error ? (process.env.HYPERZONE_DEBUG ? e.stack : e.message) : String(e)}\n`);
    return 1;
  }
  return code;
}

// A closed pipe (`hyperzone export | head`) ends output quietly instead of crashing.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

main(process.argv).then((code) => {
  process.exitCode = code;
});
