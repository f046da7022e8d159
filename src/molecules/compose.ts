import { CitadelError } from '../common/errors.js';
import { moleculeError } from './errors.js';
import { findCycle, orderByNeeds } from './graph.js';
import type { ComposedMolecule, ComposedStep, IncludeDecl, Location, MoleculeLibrary, MoleculeTemplate, StepDecl, VarSpec } from './types.js';
import { editDistance } from './distance.js';

/** A molecule placed in the composition: where its steps went, and the names it can see. */
interface Placement {
  readonly template: MoleculeTemplate;
  /** Name as seen from this molecule (own id, `prefix.id` of an include, …) → composed id. */
  readonly visible: Map<string, string>;
  /** Composed ids of its steps and its includes' steps that need nothing of their own. */
  readonly entries: string[];
}

interface Draft {
  id: string;
  molecule: string;
  decl: StepDecl;
  needs: string[];
  needsAt: Location[];
}

/**
 * Resolves a molecule's includes (docs/molecules.md, "Composition") and checks its step graph.
 *
 * - `Includes: other as p` puts other's steps under `p.` (nested: `p.q.step`); without `as`,
 *   they keep their ids. Steps may need included steps by those names.
 * - A molecule reached by several paths (a diamond) is placed once, where it is first reached
 *   (depth first, in file order); every includer's names refer to that one copy.
 * - `after a, b`: the included molecule's entry steps (those needing nothing) also need a, b.
 * - Errors (file:line): unknown or cyclic include, duplicate composed id, `Needs` naming a
 *   missing step, a dependency cycle (named in full).
 */
export function composeMolecule(name: string, library: MoleculeLibrary): ComposedMolecule {
  const root = library.get(name);
  if (!root) throw unknownMolecule(name, library);

  const placements = new Map<string, Placement>();
  const drafts = new Map<string, Draft>();
  const reached: MoleculeTemplate[] = [];

  const place = (template: MoleculeTemplate, namespace: string, chain: readonly string[]): Placement => {
    reached.push(template);
    const visible = new Map<string, string>();
    const entries: string[] = [];
    const includeEntries: { decl: IncludeDecl; entries: readonly string[] }[] = [];
    for (const decl of template.includes) {
      if (chain.includes(decl.name)) {
        throw moleculeError(decl.at, `cyclic include: ${[...chain.slice(chain.indexOf(decl.name)), decl.name].join(' → ')}`);
      }
      let child = placements.get(decl.name);
      if (!child) {
        const included = library.get(decl.name);
        if (!included) throw unknownMolecule(decl.name, library, decl.at);
        child = place(included, namespace + (decl.prefix ? `${decl.prefix}.` : ''), [...chain, decl.name]);
      }
      for (const [seen, id] of child.visible) visible.set(decl.prefix ? `${decl.prefix}.${seen}` : seen, id);
      if (decl.after.length === 0) entries.push(...child.entries);
      includeEntries.push({ decl, entries: child.entries });
    }
    for (const step of template.steps) {
      const id = namespace + step.id;
      const clash = drafts.get(id);
      if (clash) {
        const first = clash.decl.at;
        throw moleculeError(step.at, `duplicate step id "${id}" (also declared at ${first.file}:${first.line}); include one of them with \`as prefix\``);
      }
      // Own steps shadow an include's step of the same (unprefixed) name.
      visible.set(step.id, id);
      drafts.set(id, { id, molecule: template.name, decl: step, needs: [], needsAt: [] });
    }
    const resolve = (ref: { name: string; at: Location }, what: string): string => {
      const id = visible.get(ref.name);
      if (id) return id;
      const known = [...visible.keys()];
      throw moleculeError(ref.at, `${what} names a missing step "${ref.name}" (steps here: ${known.join(', ')})`);
    };
    for (const step of template.steps) {
      const draft = drafts.get(namespace + step.id)!;
      for (const need of step.needs) addNeed(draft, resolve(need, `step "${step.id}": \`Needs:\``), need.at);
      if (step.needs.length === 0) entries.push(draft.id);
    }
    for (const { decl, entries: targets } of includeEntries) {
      for (const ref of decl.after) {
        const id = resolve(ref, `\`Includes: ${decl.name} … after\``);
        for (const target of targets) addNeed(drafts.get(target)!, id, ref.at);
      }
    }
    const placement = { template, visible, entries };
    placements.set(template.name, placement);
    return placement;
  };
  place(root, '', [root.name]);

  const ids = [...drafts.keys()];
  const edges = (id: string): readonly string[] => drafts.get(id)!.needs;
  const cycle = findCycle(ids, edges);
  if (cycle) {
    const from = drafts.get(cycle[0]!)!;
    const at = from.needsAt[from.needs.indexOf(cycle[1]!)]!;
    throw moleculeError(at, `dependency cycle: ${cycle.join(' → ')} (each step needs the next)`);
  }
  const steps: ComposedStep[] = orderByNeeds(ids, edges).map((id) => {
    const draft = drafts.get(id)!;
    const decl = draft.decl;
    return {
      id,
      molecule: draft.molecule,
      at: decl.at,
      needs: draft.needs,
      needsAt: draft.needsAt,
      acceptance: decl.acceptance,
      gate: decl.gate,
      role: decl.role,
      body: decl.body,
    };
  });
  return {
    name: root.name,
    file: root.file,
    title: root.title,
    description: root.description,
    vars: mergeVars(reached),
    included: reached.slice(1).map((t) => t.name),
    steps,
  };
}

function addNeed(draft: Draft, id: string, at: Location): void {
  if (draft.needs.includes(id)) return;
  draft.needs.push(id);
  draft.needsAt.push(at);
}

/**
 * One variable list for the composition: the first declaration reached (the root's own,
 * then its includes depth first) wins, so an including molecule can give a default to, or
 * require, a variable its includes declare.
 */
function mergeVars(reached: readonly MoleculeTemplate[]): VarSpec[] {
  const vars = new Map<string, VarSpec>();
  for (const template of reached) {
    for (const decl of template.vars) {
      if (!vars.has(decl.name)) vars.set(decl.name, { name: decl.name, required: decl.required, default: decl.default, description: decl.description, at: decl.at });
    }
  }
  return [...vars.values()];
}

function unknownMolecule(name: string, library: MoleculeLibrary, at?: Location): CitadelError {
  const known = library.names();
  let choices: string;
  if (known.length === 0) choices = 'no molecules are known';
  else if (known.length <= 8) choices = `known: ${known.join(', ')}`;
  else {
    const close = known
      .map((candidate) => ({ candidate, d: editDistance(name, candidate) }))
      .filter(({ d }) => d <= 3)
      .sort((a, b) => a.d - b.d || a.candidate.localeCompare(b.candidate))
      .slice(0, 3)
      .map(({ candidate }) => candidate);
    choices = close.length > 0 ? `did you mean ${close.join(', ')}?` : 'no molecule has a similar name';
  }
  const message = `molecule ${name} not found (${choices})`;
  return at ? moleculeError(at, `\`Includes:\` ${message}`) : new CitadelError('not_found', `${message.slice(0, -1)}; see \`citadel molecule list\`)`);
}

/** Levenshtein distance, for "closest" suggestions. */
