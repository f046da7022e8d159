/**
 * Molecules (docs/molecules.md): prose workflow templates that pour into beads. Pure: text
 * in, data and journal Mutators out; files are read by `src/town/molecules.ts`.
 */
export type * from './types.js';
export { stepRoles } from './types.js';
export { parseMolecule, stepIdPattern, moleculeNamePattern } from './parse.js';
export { composeMolecule } from './compose.js';
export { resolveMolecule, parseVarArgs, type ResolveOptions } from './resolve.js';
export { substitute, referencedVars, parseVarDecl } from './vars.js';
export { findCycle, orderByNeeds } from './graph.js';
export { renderResolved } from './render.js';
export { moleculeError } from './errors.js';
export {
  pourMolecule,
  type InstanceBead,
  type PourOptions,
  type PourResult,
  type StepBead,
  type StepFailure,
  type StepFields,
  type StepRelease,
} from './pour.js';
export { failStep, recordStepFailure, releaseStep, releaseStepsHeldBy, type Acting } from './recovery.js';
export { listInstances, moleculeStatus, type InstanceSummary, type MoleculeStatus, type StepState, type StepStatus } from './status.js';
export { renderInstances, renderStatus } from './render-status.js';
