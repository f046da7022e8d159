/**
 * What an operation needs from the world, passed in so the model stays pure and testable:
 * who acts, the town's id prefix, a clock and a source of randomness (for ids).
 */
export interface ModelContext {
  /** The actor: written as `created_by`, `from`, the claimer, the reader. */
  readonly actor: string;
  /** The town's bead id prefix (config `prefix`, e.g. "ct"). */
  readonly prefix: string;
  /** The current time as ISO-8601 UTC; read once per mutation, inside the lock. */
  readonly now: () => string;
  /** A uniform number in [0, 1), for ids. */
  readonly random: () => number;
}

/** A context on the real clock and Math.random; `overrides` replace any part (tests pin the clock). */
export function modelContext(actor: string, prefix: string, overrides: Partial<ModelContext> = {}): ModelContext {
  return { actor, prefix, now: () => new Date().toISOString(), random: Math.random, ...overrides };
}
