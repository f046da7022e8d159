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
