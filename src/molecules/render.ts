import { visibleText } from '../common/visible-text.js';
import type { ResolvedMolecule, VarSpec } from './types.js';

/**
 * The text of `citadel molecule show`: the resolved steps in pour order, each with its needs,
 * role, acceptance, gate and prose, with control characters made visible. Deterministic
 * (golden-tested).
 */
export function renderResolved(molecule: ResolvedMolecule, specs: readonly VarSpec[], origin?: string): string {
  const out: string[] = [];
  out.push(`# ${molecule.title}`);
  out.push(`molecule: ${molecule.name} (${molecule.file}${origin ? `, ${origin}` : ''})`);
  if (specs.length > 0) {
    out.push('vars:');
    for (const spec of specs) {
      const value = Object.hasOwn(molecule.vars, spec.name) ? JSON.stringify(molecule.vars[spec.name]) : '(not given)';
      const kind = spec.required ? 'required' : `default ${JSON.stringify(spec.default)}`;
      const about = spec.description ? ` — ${spec.description}` : '';
      out.push(`  ${spec.name} = ${value}  [${kind}]${about}`);
    }
  }
  if (molecule.missing.length > 0) {
    out.push(`not poured as is: missing ${molecule.missing.map((n) => `--var ${n}=…`).join(' ')}`);
  }
  if (molecule.description) out.push('', ...molecule.description.split('\n'));
  molecule.steps.forEach((step, i) => {
    out.push('');
    const needs = step.needs.length ? `  needs: ${step.needs.join(', ')}` : '';
    const from = step.molecule === molecule.name ? '' : `  (from ${step.molecule})`;
    out.push(`${i + 1}. ${step.id}  [${step.role}]${needs}${from}`);
    if (step.acceptance) {
      for (const line of step.acceptance.split('\n')) out.push(`   acceptance: ${line}`);
    }
    if (step.gate !== null) out.push(`   gate: ${step.gate}`);
    if (step.body) out.push(...step.body.split('\n').map((line) => `   ${line}`.trimEnd()));
  });
  // A molecule file is anyone's text: no control in it reaches the terminal (tabs kept).
  return `${out.map((line) => visibleText(line.trimEnd())).join('\n')}\n`;
}
