import { relative, resolve, sep, isAbsolute } from 'node:path';
import { InputError } from './errors.js';

/**
 * `root/part/…`, resolved, refused (InputError, exit code 2) unless it stays inside `root`: a name taken from
 * user input or storage (a study name) can never place a file outside the directory meant for it.
 */
export function pathUnder(root: string, ...parts: string[]): string {
  const base = resolve(root);
  const full = resolve(base, ...parts);
  const rel = relative(base, full);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw new InputError(`Expected ${JSON.stringify(parts.join('/'))} to name a path inside ${JSON.stringify(root)}, got ${JSON.stringify(full)}`);
  }
  return full;
}
