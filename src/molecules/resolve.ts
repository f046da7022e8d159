import { CitadelError } from '../common/errors.js';
import { moleculeError } from './errors.js';
import type { ComposedMolecule, ResolvedMolecule } from './types.js';
import { referencedVars, substitute } from './vars.js';

export interface ResolveOptions {
  /**
   * Leave a missing required variable as `{{name}}` and list it in `missing` instead of
   * failing: for `molecule show`, which previews a template without pouring it.
   */
  readonly lenient?: boolean;
}

/**
 * Applies variables to a composed molecule: every `{{name}}` in the title, description, step
 * bodies, acceptance and gate. A variable not declared by the molecule or its includes is
 * refused (a typo in `--var` should not pour a half-filled instance); a missing required one
 * is refused pointing at its declaration.
 */
export function resolveMolecule(molecule: ComposedMolecule, given: Readonly<Record<string, string>>, options: ResolveOptions = {}): ResolvedMolecule {
  const declared = new Map(molecule.vars.map((v) => [v.name, v]));
  for (const name of Object.keys(given)) {
    if (!declared.has(name)) {
      const takes = molecule.vars.length ? `it takes ${molecule.vars.map((v) => v.name).join(', ')}` : 'it takes no variables';
      throw new CitadelError('invalid', `molecule "${molecule.name}" has no variable "${name}" (${takes})`);
    }
  }
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const spec of molecule.vars) {
    if (Object.hasOwn(given, spec.name)) values[spec.name] = given[spec.name]!;
    // Defaults may use variables declared before them (parse checks it): filled in order.
    else if (spec.default !== undefined) values[spec.name] = substitute(spec.default, values);
    else if (options.lenient) missing.push(spec.name);
    else {
      const what = spec.description ? ` (${spec.description})` : '';
      throw moleculeError(spec.at, `missing required variable "${spec.name}"${what}: pass --var ${spec.name}=VALUE`);
    }
  }
  const fill = (text: string): string => substitute(text, values);
  if (!options.lenient && fill(molecule.title.text).trim() === '') {
    // The epic needs a title: say which variables left it empty, at the title's line.
    const used = [...new Set(referencedVars(molecule.title.text))].map((name) => `--var ${name}=VALUE`).join(' ');
    throw moleculeError(molecule.title.at, `the title "${molecule.title.text}" is empty with these variables: pass ${used || 'a title'}`);
  }
  return {
    name: molecule.name,
    file: molecule.file,
    title: fill(molecule.title.text),
    description: fill(molecule.description.text),
    vars: values,
    missing,
    steps: molecule.steps.map((step) => ({
      id: step.id,
      molecule: step.molecule,
      needs: step.needs,
      acceptance: step.acceptance.map((a) => fill(a.text)).join('\n'),
      gate: step.gate ? fill(step.gate.text) : null,
      role: step.role,
      body: fill(step.body.text),
    })),
  };
}

/**
 * Reads `--var k=v` arguments (the value may hold `=` and be empty). Throws a usage error
 * for a malformed one or a name given twice.
 */
export function parseVarArgs(args: readonly string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const arg of args) {
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    if (eq <= 0 || !/^[A-Za-z][A-Za-z0-9_-]*$/.test(name)) {
      throw new CitadelError('usage', `--var takes NAME=VALUE (got "${arg}")`);
    }
    if (Object.hasOwn(values, name)) throw new CitadelError('usage', `--var ${name} given twice`);
    values[name] = arg.slice(eq + 1);
  }
  return values;
}
