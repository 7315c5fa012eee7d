// The compiled CLI (dist/, built by `npm test`) as end-to-end tests run it: a child process in a working directory.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

export const CLI = resolve('dist/cli/main.js');

/** A function running `hyperzone ARGS…` in `dir`, returning its exit code and output. */
export function cliIn(dir: string): (args: string[]) => { code: number | null; stdout: string; stderr: string } {
  return (args) => {
    const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8' });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
}
