import type { StepState } from '../molecules/index.js';
import type { PrimeContext, PrimeStep } from './prime-context.js';

/**
 * Renders what an agent reads at the start of a session (`citadel prime`): who it is, its
 * bead, the bead's place in its molecule, how to submit and ask for help, and the house rules.
 * Pure and short on purpose: it goes into the agent's context window, maybe at every start.
 */
export function renderPrime(context: PrimeContext): string {
  const lines: string[] = [];
  const { actor, polecat, bead, molecule } = context;
  if (polecat) {
    lines.push(`# You are polecat "${polecat.name}", a worker in a citadel town (${context.town})`);
    const where = [polecat.worktree && `worktree ${polecat.worktree}`, polecat.branch && `branch ${polecat.branch}`].filter(Boolean);
    lines.push(`You work one bead at a time in your own git worktree${where.length > 0 ? ` (${where.join(', ')})` : ''}.`);
  } else {
    lines.push(`# You are "${actor}" in a citadel town (${context.town})`);
  }

  if (bead) {
    lines.push('', `## Your bead: ${bead.id}${bead.title ? ` — ${bead.title}` : ''}`);
    const facts = [bead.type, bead.status, bead.priority !== undefined ? `P${bead.priority}` : undefined].filter(Boolean);
    if (facts.length > 0) lines.push(`(${facts.join(', ')}${bead.labels?.length ? `; labels ${bead.labels.join(', ')}` : ''})`);
    if (bead.body?.trim()) lines.push('', bead.body.trim());
    if (bead.acceptance?.trim()) lines.push('', `Acceptance: ${bead.acceptance.trim()}`);
    const gates = bead.gates ?? (bead.gate ? [bead.gate] : []);
    for (const gate of gates) lines.push(`Gate (must pass): ${gate}`);
    if (bead.role && bead.role !== 'polecat') lines.push(`Role: ${bead.role} (this step is meant for the ${bead.role}).`);
    const failure = bead.failures?.at(-1);
    if (failure) lines.push(`A previous attempt failed (${failure.by}, ${failure.at}): ${failure.reason}${context.bounced ? '. Fix it, commit, and `citadel done` again.' : ''}`);
    const release = bead.releases?.at(-1);
    // A step taken back from a holder that went away is re-run from the start: say why.
    if (release && (!failure || release.at > failure.at)) {
      lines.push(`An earlier attempt stopped (${release.holder ? `${release.holder}, ` : ''}${release.at}): ${release.reason}. Start the step again from the beginning.`);
    }
    // A gate bounce of a step is on the step already (the refinery records it there): say it once.
    const sameBounce = context.bounced && failure?.by === 'refinery' && failure.reason.includes(context.bounced.id);
    if (context.bounced && !sameBounce) lines.push(`Your last submission ${context.bounced.id} was bounced by the refinery: ${context.bounced.reason}. Fix it, commit, and \`citadel done\` again.`);
  } else if (polecat || actor !== 'overseer') {
    lines.push('', 'No bead assigned. Find work with `citadel ready`, take one with `citadel bead update ID --claim`.');
  }

  if (molecule) {
    const current = molecule.steps.findIndex((s) => s.isCurrent);
    const place = current >= 0 ? `step ${current + 1} of ${molecule.steps.length}` : `${molecule.steps.length} steps`;
    lines.push('', `## Molecule ${molecule.id} "${molecule.title}": ${place}`);
    for (const step of molecule.steps) lines.push(stepLine(step));
    if (molecule.unblocks.length > 0) lines.push(`Closing your step unblocks: ${molecule.unblocks.join(', ')}.`);
    lines.push('Do only your step; other polecats take the others.');
  }

  if (!polecat && actor === 'overseer') lines.push('', ...overseerGuide(context.unreadMail));
  else lines.push('', ...workerGuide(context));
  return `${lines.join('\n')}\n`;
}

function workerGuide(context: PrimeContext): string[] {
  const lines = ['## How to work', '- Commit early and often on your branch. Never touch main: no checkout, merge, rebase or push of main.'];
  if (context.polecat) {
    lines.push('- Submit: commit everything, then `citadel done` (the refinery merges your branch behind its gates, or mails you why not).');
    if (context.bead) lines.push(`- Nothing to merge (research, a question answered)? \`citadel bead close ${context.bead.id} --reason "..."\`.`);
  } else if (context.bead) {
    lines.push(`- Finished: \`citadel bead close ${context.bead.id} --reason "..."\`.`);
  }
  lines.push('- Stuck, or need a decision? `citadel mail send --to overseer --subject "..." --body "..."`, then keep going or wait for the reply.');
  lines.push(`- Mail: \`citadel mail inbox --unread\`${unread(context.unreadMail)}; \`citadel mail read ID\`.`);
  lines.push('- More: `citadel bead show ID`, `citadel ready`, `citadel molecule status ID`; `--json` for JSON. The same tools over MCP: `citadel mcp`.');
  return lines;
}

/** The human (or an agent acting for them) runs the town rather than working one bead. */
function overseerGuide(unreadMail: number): string[] {
  return [
    '## Running the town',
    '- Work: `citadel ready`, `citadel bead create TITLE`, `citadel molecule pour NAME --var k=v`.',
    '- Hand a bead to an agent: `citadel sling BEAD [--agent claude|codex|…]`; watch with `citadel polecat list`.',
    `- Your mail (questions from polecats): \`citadel mail inbox --unread\`${unread(unreadMail)}.`,
    '- Merges: `citadel refinery status`. Everything at once: `citadel` (the workstation).',
  ];
}

const unread = (count: number): string => (count > 0 ? ` (${count} unread now)` : '');

const marks: Record<StepState, string> = { closed: '✓', in_progress: '▶', ready: '○', pending: '·' };

function stepLine(step: PrimeStep): string {
  const mark = step.isCurrent ? '→' : marks[step.state];
  const holder = step.holder && step.state !== 'closed' ? ` by ${step.holder}` : '';
  const needs = step.needs.length > 0 ? `; needs ${step.needs.map((n) => `${n.name}${n.closed ? ' ✓' : ''}`).join(', ')}` : '';
  const you = step.isCurrent ? '  ← you are here' : '';
  return `  ${mark} ${step.id} ${step.name}: ${step.state}${holder}${needs}${you}`;
}
