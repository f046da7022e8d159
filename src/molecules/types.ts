/**
 * The shapes of a molecule as it moves from text to beads:
 * `parseMolecule` → {@link MoleculeTemplate} (one file, as written),
 * `composeMolecule` → {@link ComposedMolecule} (includes resolved, ids namespaced, graph checked),
 * `resolveMolecule` → {@link ResolvedMolecule} (variables substituted: what `pour` writes).
 */

import type { StepRole } from '../model/bead.js';

/** Who may take a step: any polecat (default), the refinery's lane, or the human overseer (declared with the step bead, src/model/bead.ts). */
export type { StepRole };

/** Where something was written: the file as shown to the user, and a 1-based line. */
export interface Location {
  readonly file: string;
  readonly line: number;
}


export const stepRoles: readonly StepRole[] = ['polecat', 'refinery', 'overseer'];

/** A text with the line it starts on, so a bad `{{var}}` in it can be pointed at. */
export interface LocatedText {
  readonly text: string;
  readonly at: Location;
}

/** One `Vars:` entry. */
export interface VarDecl {
  readonly name: string;
  /** True when no default is given and the declaration is not `(optional)`. */
  readonly required: boolean;
  /** The default value (`(default: …)`, or "" for `(optional)`); undefined when required. */
  readonly default: string | undefined;
  readonly description: string;
  readonly at: Location;
}

/**
 * One `Includes:` entry: another molecule's steps brought in, optionally under `prefix.`,
 * optionally `after` some of the including molecule's steps (its entry steps then need them).
 */
export interface IncludeDecl {
  readonly name: string;
  readonly prefix: string | undefined;
  readonly after: readonly NeedRef[];
  readonly at: Location;
}

/** A step reference in `Needs:`, as written (may be namespaced: `verify.run`). */
export interface NeedRef {
  readonly name: string;
  readonly at: Location;
}

/** One `## Step: <id>` section, as written. */
export interface StepDecl {
  readonly id: string;
  readonly at: Location;
  readonly needs: readonly NeedRef[];
  readonly acceptance: readonly LocatedText[];
  /** The `Gate:` command, if any. */
  readonly gate: LocatedText | undefined;
  readonly role: StepRole;
  /** The prose under the directives, trimmed of blank lines at both ends. */
  readonly body: LocatedText;
}

/** One molecule file, parsed but not composed. */
export interface MoleculeTemplate {
  /** The molecule's name: its file name without `.md`. */
  readonly name: string;
  readonly file: string;
  readonly title: LocatedText;
  /** Prose between the top directives and the first step. */
  readonly description: LocatedText;
  readonly vars: readonly VarDecl[];
  readonly includes: readonly IncludeDecl[];
  readonly steps: readonly StepDecl[];
}

/** A step after composition: its id is unique across the molecule and its includes. */
export interface ComposedStep {
  /** The id in the composed molecule, e.g. `fix` or `verify.run` (namespaced by `as` prefixes). */
  readonly id: string;
  /** The molecule that declares it. */
  readonly molecule: string;
  readonly at: Location;
  /** Ids (composed) of the steps this one needs. */
  readonly needs: readonly string[];
  /** Where each of `needs` was written (same order): for error messages. */
  readonly needsAt: readonly Location[];
  readonly acceptance: readonly LocatedText[];
  /** The `Gate:` command, if any. */
  readonly gate: LocatedText | undefined;
  readonly role: StepRole;
  readonly body: LocatedText;
}

/** A variable of the composed molecule (declarations merged across includes). */
export interface VarSpec {
  readonly name: string;
  readonly required: boolean;
  readonly default: string | undefined;
  readonly description: string;
  /** Where it is declared first (the root molecule's declaration when it has one). */
  readonly at: Location;
}

/** A molecule with its includes resolved and its step graph checked (no variables applied yet). */
export interface ComposedMolecule {
  readonly name: string;
  readonly file: string;
  readonly title: LocatedText;
  readonly description: LocatedText;
  readonly vars: readonly VarSpec[];
  /** Every molecule brought in, directly or not, in the order first reached (root excluded). */
  readonly included: readonly string[];
  /** In pour order: a topological order of the graph, ties broken by declaration order. */
  readonly steps: readonly ComposedStep[];
}

/** A step ready to pour: every text has its variables substituted. */
export interface ResolvedStep {
  readonly id: string;
  readonly molecule: string;
  readonly needs: readonly string[];
  /** What "done" means, one criterion per `Acceptance:` line ("" when none). */
  readonly acceptance: string;
  /** The command to run before the step counts as done (`Gate:`), or null. */
  readonly gate: string | null;
  readonly role: StepRole;
  readonly body: string;
}

/** A molecule ready to pour. */
export interface ResolvedMolecule {
  readonly name: string;
  readonly file: string;
  readonly title: string;
  readonly description: string;
  /** Every variable's value (given, or its default). */
  readonly vars: Readonly<Record<string, string>>;
  /** Required variables that were not given (only ever non-empty with `lenient`: `molecule show`). */
  readonly missing: readonly string[];
  readonly steps: readonly ResolvedStep[];
}

/** Finds molecule templates by name (the search path lives in the I/O layer). */
export interface MoleculeLibrary {
  /** The parsed template, or undefined when no molecule has that name. May throw a parse error. */
  get(name: string): MoleculeTemplate | undefined;
  /** Every known name, for "did you mean" lists. */
  names(): readonly string[];
}
