import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { InputError } from '../../core/errors.js';

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Finds the file a command name runs (through PATH when it has no slash); throws an InputError when there is none. */
export function resolveExecutable(name: string, cwd: string, pathVar: string | undefined): string {
  if (name.includes('/')) {
    const full = isAbsolute(name) ? name : resolve(cwd, name);
    if (isExecutableFile(full)) return full;
    throw new InputError(`Expected the trial command \`${name}\` to be an executable file, but ${full} is missing or not executable`);
  }
  for (const dir of (pathVar ?? '').split(delimiter)) {
    if (dir === '') continue;
    const full = join(isAbsolute(dir) ? dir : resolve(cwd, dir), name);
    if (isExecutableFile(full)) return full;
  }
  throw new InputError(`Expected the trial command \`${name}\` to be an executable on PATH, but none was found`);
}
