import { describe, expect, it } from 'vitest';
import { renderPrime } from '../../src/agents/prime.js';
import { primeContext } from '../../src/agents/prime-context.js';
import { stateOf } from './state.js';

const bead = (id: string, fields: Record<string, unknown>) => ({
  id,
  type: 'task',
  title: id,
  body: '',
  status: 'open',
  priority: 2,
  needs: [],
  labels: [],
  assignee: null,
  parent: null,
  created_by: 'overseer',
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
  closed_at: null,
  close_reason: null,
  ...fields,
});

/** A poured quick-fix: reproduce → fix → verify → submit, with reproduce done and fix claimed by nux. */
const town = stateOf({
  beads: [
    bead('ct-9a', { type: 'epic', title: 'Quick fix: login crash', status: 'in_progress', molecule: 'quick-fix' }),
    bead('ct-9a.1', { type: 'step', step: 'reproduce', title: 'Reproduce the crash', parent: 'ct-9a', status: 'closed' }),
    bead('ct-9a.2', {
      type: 'step',
      step: 'fix',
      title: 'Fix the crash',
      parent: 'ct-9a',
      status: 'in_progress',
      assignee: 'nux',
      needs: ['ct-9a.1'],
      body: 'Make the failing test pass with the smallest change.',
      acceptance: 'the reproduction test passes',
      priority: 1,
      gates: ['npm test'],
    }),
    bead('ct-9a.3', { type: 'step', step: 'verify', parent: 'ct-9a', needs: ['ct-9a.2'] }),
    bead('ct-9a.10', { type: 'step', step: 'submit', parent: 'ct-9a', needs: ['ct-9a.3'] }),
    bead('ct-mr', { type: 'merge_request', bead: 'ct-9a.2', state: 'rejected', reason: 'gate `npm test` failed', status: 'closed' }),
    bead('ct-m1', { type: 'message', from: 'overseer', to: 'nux', subject: 'hi', read_by: [] }),
    bead('ct-m2', { type: 'message', from: 'overseer', to: 'nux', subject: 'old', read_by: ['nux'] }),
  ],
  polecats: [{ id: 'nux', bead: 'ct-9a.2', worktree: '/town/.citadel/worktrees/nux', branch: 'polecat/nux/ct-9a.2', status: 'working' }],
});

describe('prime', () => {
  it('tells a polecat who it is, its step and the step’s place in the molecule graph', () => {
    const text = renderPrime(primeContext(town, { actor: 'nux', town: '/town' }));
    console.log(`prime for a molecule step (${text.length} chars):\n${text}`);
    expect(text).toContain('You are polecat "nux"');
    expect(text).toContain('branch polecat/nux/ct-9a.2');
    expect(text).toContain('## Your bead: ct-9a.2 — Fix the crash');
    expect(text).toContain('Make the failing test pass with the smallest change.');
    expect(text).toContain('Acceptance: the reproduction test passes');
    expect(text).toContain('Gate (must pass): npm test');
    expect(text).toContain('Your last submission ct-mr was bounced by the refinery: gate `npm test` failed.');
    expect(text).toContain('Molecule ct-9a "Quick fix: login crash": step 2 of 4');
    // The graph in order (.10 after .3), each step's state and needs, and where the agent is.
    const graph = text.split('\n').filter((line) => line.startsWith('  '));
    expect(graph).toEqual([
      '  ✓ ct-9a.1 reproduce: closed',
      '  → ct-9a.2 fix: in_progress by nux; needs reproduce ✓  ← you are here',
      '  · ct-9a.3 verify: waiting; needs fix',
      '  · ct-9a.10 submit: waiting; needs verify',
    ]);
    expect(text).toContain('Closing your step unblocks: verify.');
    expect(text).toContain('`citadel done`');
    expect(text).toContain('--to overseer');
    expect(text).toMatch(/never touch main/i);
    expect(text).toContain('(1 unread now)');
    expect(text.length).toBeLessThan(2_500);
  });

  it('finds the bead from --bead, from the polecat, or from what the actor claimed', () => {
    expect(primeContext(town, { actor: 'nux', town: '/t', beadId: 'ct-9a.3' }).bead?.id).toBe('ct-9a.3');
    expect(primeContext(town, { actor: 'nux', town: '/t' }).bead?.id).toBe('ct-9a.2');
    const human = primeContext(town, { actor: 'overseer', town: '/t' });
    expect(human.bead).toBeUndefined();
    expect(renderPrime(human)).toContain('## Running the town');
    expect(renderPrime(human)).not.toContain('never touch main');
    expect(renderPrime(primeContext(town, { actor: 'max', town: '/t' }))).toContain('No bead assigned');
  });

  it('primes a plain bead without a molecule section', () => {
    const plain = stateOf({ beads: [bead('ct-1', { type: 'task', title: 'Add a flag', assignee: 'max', status: 'in_progress' })] });
    const text = renderPrime(primeContext(plain, { actor: 'max', town: '/t' }));
    expect(text).toContain('## Your bead: ct-1 — Add a flag');
    expect(text).not.toContain('Molecule');
  });
});
