import { CitadelError } from '../common/errors.js';
import { BEAD_ID_GRAMMAR, isBeadId } from '../model/ids.js';
import { gitRun } from './run.js';

/**
 * Names that become paths, branches or refs. Each is checked against an allowlist first (so a
 * name can never smuggle in `..`, an option such as `-rf`, a reflog expression such as `@{-1}`,
 * whitespace or a path separator), then, for branches, by git itself (`check-ref-format`).
 */

/** A polecat name: a short lowercase word; it names a directory and a branch component. */
const polecatPattern = /^[a-z][a-z0-9_-]{0,31}$/;
/** A branch: path-like components of safe characters; git has the final word. */
const branchPattern = /^[A-Za-z0-9_][A-Za-z0-9._-]*(\/[A-Za-z0-9_][A-Za-z0-9._-]*)*$/;

/** Addresses that are not polecats (mail and actors), so no polecat may take them. */
const reservedNames = new Set(['overseer', 'refinery', 'all', 'main', 'head', 'witness', 'daemon']);

/** Throws unless `name` is a usable polecat name. */
export function validatePolecatName(name: string): string {
  if (!polecatPattern.test(name)) {
    throw new CitadelError(
      'invalid',
      `invalid polecat name ${JSON.stringify(name)}: use 1–32 lowercase letters, digits, "-" or "_", starting with a letter (e.g. "nux")`,
    );
  }
  if (reservedNames.has(name)) {
    throw new CitadelError('invalid', `invalid polecat name "${name}": it is reserved (${[...reservedNames].join(', ')})`);
  }
  return name;
}

/** Throws unless `id` is a bead id: the model's one grammar (src/model/ids.ts), which branches fit. */
export function validateBeadId(id: string): string {
  if (!isBeadId(id)) throw new CitadelError('invalid', `invalid bead id ${JSON.stringify(id)}: ${BEAD_ID_GRAMMAR}`);
  return id;
}

/** The allowlist half of branch validation (synchronous, no git). */
export function isSafeBranchName(name: string): boolean {
  return (
    name.length <= 200 &&
    branchPattern.test(name) &&
    !name.includes('..') &&
    !name.split('/').some((part) => part.endsWith('.lock') || part.endsWith('.')) &&
    name !== 'HEAD'
  );
}

/** Throws unless `name` passes the allowlist and `git check-ref-format --branch`. */
export async function validateBranchName(name: string, cwd: string): Promise<string> {
  if (!isSafeBranchName(name)) {
    throw new CitadelError('invalid', `invalid branch name ${JSON.stringify(name)}: use letters, digits, ".", "_", "-" and "/" between parts (no "..", no leading "-")`);
  }
  const result = await gitRun(cwd, ['check-ref-format', '--branch', name]);
  if (result.code !== 0 || result.stdout.trim() !== name) {
    throw new CitadelError('invalid', `invalid branch name ${JSON.stringify(name)}: git refuses it (${result.stderr.trim() || 'check-ref-format'})`);
  }
  return name;
}

/** The branch a polecat works a bead on: `polecat/<name>/<bead id>`. */
export function polecatBranch(polecat: string, beadId: string): string {
  return `polecat/${validatePolecatName(polecat)}/${validateBeadId(beadId)}`;
}
