import type { Town } from '../town/town.js';
import { renderPrime } from './prime.js';
import { primeContext, type PrimeContext } from './prime-context.js';

/**
 * Prime for an open town's actor: the daemon can call this to hand the text to an agent at
 * start (as an argument, or typed in), and `citadel prime` prints it. `beadId` and `polecat` are
 * `$CITADEL_BEAD` and `$CITADEL_POLECAT` (or empty).
 */
export function primeFor(town: Town, beadId?: string, polecat?: string): { text: string; context: PrimeContext } {
  const context = primeContext(town.journal.read(), {
    actor: town.actor,
    town: town.paths.root,
    beadId: beadId || undefined,
    polecat: polecat || undefined,
  });
  return { text: renderPrime(context), context };
}
