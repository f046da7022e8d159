import type { Bead } from './bead.js';

/** Finds a bead by id in whatever view the caller has (a state, a transaction, a map). */
export type BeadLookup = (id: string) => Bead | undefined;

/**
 * A path `from → … → to` following `needs` edges, or null when `to` cannot be reached.
 * Iterative depth-first search, so a long chain cannot overflow the stack.
 */
export function needsPath(lookup: BeadLookup, from: string, to: string): string[] | null {
  const previous = new Map<string, string | null>([[from, null]]);
  const stack = [from];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (id === to) {
      const path: string[] = [];
      for (let at: string | null = id; at !== null; at = previous.get(at) ?? null) path.push(at);
      return path.reverse();
    }
    for (const next of lookup(id)?.needs ?? []) {
      if (!previous.has(next)) {
        previous.set(next, id);
        stack.push(next);
      }
    }
  }
  return null;
}

/** The cycle that `id needs need` would close, as `[id, need, …, id]`, or null when there is none. */
export function cycleIfNeeds(lookup: BeadLookup, id: string, need: string): string[] | null {
  if (id === need) return [id, id];
  const path = needsPath(lookup, need, id);
  return path ? [id, ...path] : null;
}

/** The loop that making `parent` the parent of `id` would close, as `[id, parent, …, id]`, or null. */
export function cycleIfParent(lookup: BeadLookup, id: string, parent: string): string[] | null {
  const chain = [id];
  const seen = new Set<string>([id]);
  for (let at: string | null = parent; at !== null; at = lookup(at)?.parent ?? null) {
    chain.push(at);
    if (at === id) return chain;
    if (seen.has(at)) return null; // an older loop that does not pass through id
    seen.add(at);
  }
  return null;
}

/** Any cycle among the `needs` of `beads` (as `[a, b, …, a]`), or null. For checking an import as a whole. */
export function findNeedsCycle(beads: ReadonlyMap<string, Bead>): string[] | null {
  const done = new Set<string>();
  const onPath = new Map<string, number>();
  for (const start of beads.keys()) {
    if (done.has(start)) continue;
    // Iterative DFS keeping the current path, so the cycle can be named.
    const path: string[] = [start];
    const iterators: Iterator<string>[] = [(beads.get(start)?.needs ?? [])[Symbol.iterator]()];
    onPath.set(start, 0);
    while (path.length > 0) {
      const step = iterators[iterators.length - 1]!.next();
      if (step.done) {
        const finished = path.pop()!;
        iterators.pop();
        onPath.delete(finished);
        done.add(finished);
        continue;
      }
      const next = step.value;
      const at = onPath.get(next);
      if (at !== undefined) return [...path.slice(at), next];
      if (done.has(next) || !beads.has(next)) continue;
      onPath.set(next, path.length);
      path.push(next);
      iterators.push((beads.get(next)?.needs ?? [])[Symbol.iterator]());
    }
  }
  return null;
}

/** `a → b → a`, for messages. */
export const describeCycle = (cycle: readonly string[]): string => cycle.join(' → ');
