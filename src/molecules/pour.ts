import type { Mutator } from '../journal/types.js';
import { stepId, transact, type Bead, type ModelContext } from '../model/index.js';
import type { MoleculeStepFields as StepFields, StepBead } from '../model/bead.js';
import type { ResolvedMolecule } from './types.js';

/**
 * The fields a step bead carries beyond the contract's (CLI.md "JSON bead", type `step`), and
 * its failure and release records: declared once, by the model's bead union (src/model/bead.ts).
 * The epic of an instance carries `molecule` (the molecule's name) and `vars`.
 */
export type { StepFailure, StepRelease, MoleculeStepFields as StepFields, StepBead } from '../model/bead.js';
export type InstanceBead = Bead & { readonly molecule?: string; readonly vars?: Readonly<Record<string, string>> };

export interface PourOptions {
  /** Priority of the epic and its steps (0–4, default 2). */
  readonly priority?: number;
  /** Labels put on the epic and every step. */
  readonly labels?: readonly string[];
}

export interface PourResult {
  readonly epic: InstanceBead;
  readonly steps: readonly StepBead[];
}

/**
 * Pours a resolved molecule: one epic bead (`molecule`, `vars`) and one `step` bead per step,
 * ids `<epic>.<n>` in pour order, `needs` from `Needs:`, `parent` the epic, acceptance / gate /
 * role kept on the bead. One mutation: all of it is written, or nothing. Every pour makes a new
 * instance.
 */
export function pourMolecule(context: ModelContext, molecule: ResolvedMolecule, options: PourOptions = {}): Mutator<PourResult> {
  return transact(context, (tx) => {
    const common = { priority: options.priority, labels: options.labels ?? [] };
    const epic = tx.create({
      ...common,
      type: 'epic',
      title: oneLine(molecule.title),
      body: molecule.description,
      molecule: molecule.name,
      fields: { vars: { ...molecule.vars } },
    }) as InstanceBead;
    const ids = new Map<string, string>();
    molecule.steps.forEach((step, i) => ids.set(step.id, stepId(epic.id, i + 1)));
    const steps = molecule.steps.map((step) => {
      const fields: StepFields = {
        step: step.id,
        step_molecule: step.molecule,
        acceptance: step.acceptance,
        gate: step.gate,
        role: step.role,
        failures: [],
        releases: [],
      };
      return tx.create({
        ...common,
        id: ids.get(step.id)!,
        type: 'step',
        title: oneLine(`${step.id} — ${molecule.title}`),
        body: step.body,
        parent: epic.id,
        needs: step.needs.map((need) => ids.get(need)!),
        fields: { ...fields },
      }) as StepBead;
    });
    return { epic, steps };
  });
}

/** Titles are one line of at most 300 characters (the model's rule); a variable may hold more. */
function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 299)}…` : flat;
}
