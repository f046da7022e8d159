import { describe, expect, it } from 'vitest';
import { renderPrime } from '../../../src/agent-cli/prime.js';
import { primeContext } from '../../../src/agent-cli/prime-context.js';
import { claimBead, closeBead, createBead, modelContext, sendMail, setMergeRequestState, transact } from '../../../src/model/index.js';
import { composeMolecule, parseMolecule, pourMolecule, releaseStep, resolveMolecule } from '../../../src/molecules/index.js';
import { memoryState } from '../../helpers/agent-state.js';

const quickFix = `# Quick fix: {{issue}}
Vars: issue (required) — what is broken

## Step: reproduce
Write a failing test that shows {{issue}}.

## Step: fix
Needs: reproduce
Acceptance: the reproduction test passes
Gate: npm test
Make the failing test pass with the smallest change.

## Step: verify
Needs: fix
Run the whole suite.

## Step: submit
Needs: verify
Submit with citadel done.
`;

let tick = 0;
const as = (actor: string) => modelContext(actor, 'ct', { now: () => new Date(Date.UTC(2026, 0, 1, 0, 0, tick++)).toISOString(), random: Math.random });

/** A poured quick-fix with reproduce done and fix claimed by nux, who holds it as a polecat. */
function town() {
  const memory = memoryState();
  const template = parseMolecule('quick-fix', 'quick-fix.md', quickFix);
  const resolved = resolveMolecule(composeMolecule('quick-fix', { get: () => template, names: () => ['quick-fix'] }), { issue: 'login crash' });
  const poured = memory.apply(pourMolecule(as('overseer'), resolved));
  const [reproduce, fix] = poured.steps.map((s) => s.id);
  memory.apply(claimBead(as('max'), reproduce!));
  memory.apply(closeBead(as('max'), reproduce!, 'test added'));
  memory.apply(claimBead(as('nux'), fix!));
  memory.apply(sendMail(as('overseer'), { to: 'nux', subject: 'hi', body: 'welcome' }));
  memory.apply(() => ({
    changes: [{ kind: 'polecats', id: 'nux', entity: { id: 'nux', bead: fix!, worktree: '/town/.citadel/worktrees/nux', branch: `polecat/nux/${fix}` }, action: 'spawn' }],
    value: undefined,
  }));
  return { memory, epic: poured.epic.id, fix: fix! };
}

describe('prime', () => {
  it('tells a polecat who it is, its step and the step’s place in the molecule graph', () => {
    const { memory, epic, fix } = town();
    const text = renderPrime(primeContext(memory.state, { actor: 'nux', town: '/town' }));
    console.log(`prime for a molecule step (${text.length} chars):\n${text}`);
    expect(text).toContain('You are polecat "nux"');
    expect(text).toContain(`branch polecat/nux/${fix}`);
    expect(text).toContain(`## Your bead: ${fix} — fix — Quick fix: login crash`);
    expect(text).toContain('Make the failing test pass with the smallest change.');
    expect(text).toContain('Acceptance: the reproduction test passes');
    expect(text).toContain('Gate (must pass): npm test');
    expect(text).toContain(`Molecule ${epic} "Quick fix: login crash": step 2 of 4`);
    // The graph in order, each step's state, holder and needs, and where the agent is.
    expect(text.split('\n').filter((line) => line.startsWith('  '))).toEqual([
      `  ✓ ${epic}.1 reproduce: closed`,
      `  → ${epic}.2 fix: in_progress by nux; needs reproduce ✓  ← you are here`,
      `  · ${epic}.3 verify: pending; needs fix`,
      `  · ${epic}.4 submit: pending; needs verify`,
    ]);
    expect(text).toContain('Closing your step unblocks: verify.');
    expect(text).toContain('`citadel done`');
    expect(text).toContain('--to overseer');
    expect(text).toMatch(/never touch main/i);
    expect(text).toContain('(1 unread now)');
    expect(text.length).toBeLessThan(2_500);
  });

  it('tells an agent its last submission bounced, and why', () => {
    const { memory, fix } = town();
    const mr = memory.apply(
      transact(as('nux'), (tx) => tx.create({ type: 'merge_request', title: `Merge ${fix}`, branch: `polecat/nux/${fix}`, polecat: 'nux', bead: fix })),
    );
    memory.apply(setMergeRequestState(as('refinery'), mr.id, 'rejected', 'gate `npm test` failed'));
    const text = renderPrime(primeContext(memory.state, { actor: 'nux', town: '/town' }));
    expect(text).toContain(`Your last submission ${mr.id} was bounced by the refinery: gate \`npm test\` failed.`);
  });

  it('tells an agent that an earlier attempt at its step stopped (its polecat went away), and why', () => {
    const { memory, fix } = town();
    memory.apply(releaseStep(fix, 'polecat nux exited with code 3', 'witness'));
    memory.apply(claimBead(as('nux'), fix));
    const text = renderPrime(primeContext(memory.state, { actor: 'nux', town: '/town' }));
    expect(text).toMatch(/An earlier attempt stopped \(nux, [^)]+\): polecat nux exited with code 3\. Start the step again from the beginning\./);
  });

  it('finds the bead from --bead, from the polecat, or from what the actor claimed', () => {
    const { memory, epic, fix } = town();
    expect(primeContext(memory.state, { actor: 'nux', town: '/t', beadId: `${epic}.3` }).bead?.id).toBe(`${epic}.3`);
    expect(primeContext(memory.state, { actor: 'nux', town: '/t' }).bead?.id).toBe(fix);
    expect(() => primeContext(memory.state, { actor: 'nux', town: '/t', beadId: 'ct-zzzz' })).toThrow(/ct-zzzz not found/);
    const task = memory.apply(createBead(as('overseer'), { title: 'Add a flag' }));
    memory.apply(claimBead(as('max'), task.id));
    const text = renderPrime(primeContext(memory.state, { actor: 'max', town: '/t' }));
    expect(text).toContain(`## Your bead: ${task.id} — Add a flag`);
    expect(text).not.toContain('Molecule');
  });

  it('guides the overseer through running the town instead', () => {
    const { memory } = town();
    const text = renderPrime(primeContext(memory.state, { actor: 'overseer', town: '/t' }));
    expect(text).toContain('## Running the town');
    expect(text).not.toContain('never touch main');
    expect(renderPrime(primeContext(memory.state, { actor: 'zed', town: '/t' }))).toContain('No bead assigned');
  });

  it('primes as a polecat from $CITADEL_POLECAT alone, before the daemon records one', () => {
    const { memory, epic } = town();
    const text = renderPrime(primeContext(memory.state, { actor: 'rex', polecat: 'rex', town: '/t', beadId: `${epic}.3` }));
    expect(text).toContain('You are polecat "rex"');
    expect(text).toContain('`citadel done`');
  });
});
