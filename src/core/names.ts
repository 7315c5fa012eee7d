import { InputError } from './errors.js';

/**
 * What a study name may be: 1–128 letters, digits, `.`, `_` and `-`, starting with a letter or digit. The name
 * becomes a directory (`.hyperzone/logs/<study>/`), a shell word in printed commands and a lookup key, so it can
 * hold no path separator, no leading dot (`..`), no quote and no space.
 */
export const STUDY_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** The rule, in words, for error messages. */
export const STUDY_NAME_RULE = '1–128 letters, digits, ".", "_" or "-", starting with a letter or digit';

/** Whether a study name is acceptable (STUDY_NAME_PATTERN). */
export function isStudyName(name: string): boolean {
  return STUDY_NAME_PATTERN.test(name);
}

/**
 * Checks a study name given by the user; throws InputError (exit code 2) naming the field (`--study`, `study`)
 * and the value. The one check every command and the spec use.
 */
export function checkStudyName(name: string, field = '--study'): string {
  if (!isStudyName(name)) throw new InputError(`Expected \`${field}\` to be ${STUDY_NAME_RULE}, got ${JSON.stringify(name)}`);
  return name;
}
