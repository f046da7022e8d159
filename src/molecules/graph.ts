/**
 * Graph helpers over step ids: `edges(id)` lists what `id` needs. Both functions visit nodes
 * in the given order so their answers are deterministic.
 */

/**
 * A dependency cycle, as the path `[a, b, …, a]` where each step needs the next, or undefined
 * when the graph is acyclic. The first cycle found from the earliest node is reported.
 */
export function findCycle(nodes: readonly string[], edges: (id: string) => readonly string[]): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    const seen = state.get(id);
    if (seen === 'done') return undefined;
    if (seen === 'visiting') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'visiting');
    path.push(id);
    for (const next of edges(id)) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const id of nodes) {
    const cycle = visit(id);
    if (cycle) return cycle;
  }
  return undefined;
}

/**
 * A topological order (every node after what it needs), ties broken by the given order, so
 * a molecule whose steps are written in order pours in that order. Assumes no cycle.
 */
export function orderByNeeds(nodes: readonly string[], edges: (id: string) => readonly string[]): string[] {
  const emitted = new Set<string>();
  const order: string[] = [];
  while (order.length < nodes.length) {
    const next = nodes.find((id) => !emitted.has(id) && edges(id).every((need) => emitted.has(need)));
    if (next === undefined) throw new Error('orderByNeeds: the graph has a cycle');
    emitted.add(next);
    order.push(next);
  }
  return order;
}
