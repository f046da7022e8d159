import { CitadelError } from '../common/errors.js';
import { gitRun } from './run.js';

/**
 * Names that become paths, branches or refs. Each is checked against an allowlist first (so a
 * name can never smuggle in `..`, an option such as `-rf`, a reflog expression such as `@{-1}`,
 * whitespace or a path separator), then, for branches, by git itself (`check-ref-format`).
 */

/** A polecat name: a short lowercase word; it names a directory and a branch component. */
const polecatPattern = /^[a-z][a-z0-9_-]{0,31}$/;
/**
 * A bead id as it may appear in a branch: citadel's own (`ct-a3f8`, steps `ct-a3f8.2`) and
 * imported ones (`bd-98c4e1fa.1`, `hq-cv-d46qe`); letters, digits, `.`, `_`, `-` inside.
 */
const beadIdPattern = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,98}[A-Za-z0-9])?$/;
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

/** Throws unless `id` looks like a bead id (`ct-a3f8`, `ct-a3f8.2`). */
export function validateBeadId(id: string): string {
  if (!beadIdPattern.test(id) || id.includes('..') || id.endsWith('.lock')) {
    throw new CitadelError('invalid', `invalid bead id ${JSON.stringify(id)} for a branch: expected letters, digits, ".", "_" or "-", e.g. ct-a3f8`);
  }
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
