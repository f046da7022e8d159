import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { claimBead, closeBead, type Bead } from '../../../src/model/index.js';
import {
  composeMolecule,
  failStep,
  moleculeStatus,
  parseMolecule,
  pourMolecule,
  releaseStepsHeldBy,
  resolveMolecule,
  type MoleculeLibrary,
} from '../../../src/molecules/index.js';
import { memoryTown } from '../model/fixtures.js';

/**
 * Property: whatever order polecats claim, close, fail and abandon steps in, recovery never
 * reopens or duplicates a closed step, a step is only ever claimed when everything it needs is
 * closed, and the instance can always be finished (its epic then closes itself).
 */

/** A random step graph as molecule text: step i may need any of the steps before it. */
const graphs = fc.integer({ min: 1, max: 7 }).chain((n) =>
  fc.tuple(...Array.from({ length: n }, (_, i) => fc.subarray(Array.from({ length: i }, (_, j) => j)))),
);

type Action =
  | { kind: 'claim'; pick: number; actor: number }
  | { kind: 'close'; pick: number }
  | { kind: 'fail'; pick: number }
  | { kind: 'gone'; actor: number };

const actions: fc.Arbitrary<Action[]> = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constant('claim' as const), pick: fc.nat(), actor: fc.nat({ max: 2 }) }),
    fc.record({ kind: fc.constant('close' as const), pick: fc.nat() }),
    fc.record({ kind: fc.constant('fail' as const), pick: fc.nat() }),
    fc.record({ kind: fc.constant('gone' as const), actor: fc.nat({ max: 2 }) }),
  ),
  { maxLength: 40 },
);

function moleculeText(needs: readonly (readonly number[])[]): string {
  const steps = needs.map((need, i) => `## Step: s${i}\n${need.length ? `Needs: ${need.map((j) => `s${j}`).join(', ')}\n` : ''}Do s${i}.\n`);
  return `# Random\n\n${steps.join('\n')}`;
}

describe('recovery (property)', () => {
  it('never reopens or duplicates closed steps, and every instance can be finished', () => {
    fc.assert(
      fc.property(graphs, actions, (needs, script) => {
        const template = parseMolecule('random', 'random.md', moleculeText(needs));
        const library: MoleculeLibrary = { get: (name) => (name === 'random' ? template : undefined), names: () => ['random'] };
        const { journal, as } = memoryTown();
        const { epic } = journal.mutate(pourMolecule(as('overseer'), resolveMolecule(composeMolecule('random', library), {})));
        const actors = ['nux', 'max', 'ace'];
        const closedEver = new Set<string>();
        const attempt = (fn: () => unknown): void => {
          try {
            fn();
          } catch {
            // Refusals (claiming a claimed step, failing a closed one…) write nothing; checked below.
          }
        };
        const check = (): void => {
          const status = moleculeStatus(journal.read(), epic.id);
          expect(status.steps).toHaveLength(needs.length);
          expect(journal.read().all('beads').size).toBe(needs.length + 1);
          for (const step of status.steps) {
            if (closedEver.has(step.id)) expect(step.state).toBe('closed');
            if (step.state === 'closed') closedEver.add(step.id);
            if (step.state !== 'pending') for (const need of step.needs) expect(closedEver.has(need)).toBe(true);
          }
        };
        for (const action of script) {
          const status = moleculeStatus(journal.read(), epic.id);
          const inProgress = status.steps.filter((s) => s.state === 'in_progress');
          const any = status.steps[('pick' in action ? action.pick : 0) % status.steps.length]!;
          switch (action.kind) {
            case 'claim': {
              // Polecats claim from the ready queue (the model's --claim does not itself check needs).
              const target = status.ready[action.pick % Math.max(1, status.ready.length)];
              if (target) journal.mutate(claimBead(as(actors[action.actor]!), target));
              break;
            }
            case 'close': {
              const target = inProgress.length ? inProgress[action.pick % inProgress.length]! : undefined;
              if (target) journal.mutate(closeBead(as(target.holder!), target.id));
              break;
            }
            case 'fail':
              // Sometimes aimed at a closed step: it must be refused.
              attempt(() => journal.mutate(failStep(any.id, 'gate failed', as('refinery'))));
              break;
            case 'gone':
              journal.mutate(releaseStepsHeldBy(actors[action.actor]!, 'polecat exited', as('witness')));
              break;
          }
          check();
        }
        // Finish it: whatever happened, the remaining steps can be walked to the end.
        for (let guard = 0; guard < 100; guard++) {
          const status = moleculeStatus(journal.read(), epic.id);
          if (status.done) break;
          for (const step of status.steps.filter((s) => s.state === 'in_progress')) journal.mutate(closeBead(as(step.holder!), step.id));
          for (const id of status.ready) {
            journal.mutate(claimBead(as('nux'), id));
            journal.mutate(closeBead(as('nux'), id));
          }
          check();
        }
        const final = moleculeStatus(journal.read(), epic.id);
        expect(final.done).toBe(true);
        expect((journal.read().get('beads', epic.id) as Bead).status).toBe('closed');
      }),
      { numRuns: 150 },
    );
  });
});
