import { CitadelError } from '../../common/errors.js';
import type { Mutator } from '../../journal/types.js';
import type { Bead } from '../bead.js';
import type { ModelContext } from '../context.js';
import { describeCycle, findNeedsCycle } from '../graph.js';
import { BeadTransaction } from '../transaction.js';
import { lineError, type ImportDraft, type ParsedImport } from './draft.js';

/** What an import did. Every mapping a person might not expect is in `notes`. */
export interface ImportSummary {
  readonly source: string;
  readonly created: number;
  readonly updated: number;
  readonly skipped: number;
  readonly ids: { readonly created: readonly string[]; readonly updated: readonly string[]; readonly skipped: readonly string[] };
  /** Lines per format. */
  readonly formats: { readonly citadel: number; readonly beads: number };
  /** What the mapping did, with how many beads and a few of their ids. */
  readonly notes: readonly ImportNote[];
}

export interface ImportNote {
  readonly message: string;
  readonly count: number;
  /** Up to five ids it applies to. */
  readonly examples: readonly string[];
}

/**
 * Applies a parsed import as ONE mutation (all or nothing). Idempotent by id: a bead equal to
 * the town's copy is skipped, so is one older than the town's copy (by `updated_at`);
 * otherwise it is created or replaced. Needs and parents that point at beads in neither the
 * town nor the file are kept in `metadata` (unresolved) and do not block. A dependency cycle
 * across the result is refused, naming the cycle.
 */
export function importBeads(context: ModelContext, parsed: ParsedImport): Mutator<ImportSummary> {
  return (state) => {
    const tx = new BeadTransaction(state, context);
    const inFile = new Map(parsed.drafts.map((draft) => [draft.bead.id, draft]));
    const exists = (id: string): boolean => inFile.has(id) || tx.get(id) !== undefined;
    const notes = new Map<string, string[]>();
    const note = (message: string, id: string): void => {
      const ids = notes.get(message) ?? [];
      ids.push(id);
      notes.set(message, ids);
    };
    const ids = { created: [] as string[], updated: [] as string[], skipped: [] as string[] };

    for (const draft of parsed.drafts) {
      for (const message of draft.notes) note(message, draft.bead.id);
      const existing = tx.get(draft.bead.id);
      const bead = complete(draft, existing, tx, exists, note);
      if (existing && sameJson(existing, bead)) {
        ids.skipped.push(bead.id);
      } else if (existing && existing.updated_at > bead.updated_at) {
        ids.skipped.push(bead.id);
        note("kept the town's copy: it was updated after the imported one", bead.id);
      } else {
        try {
          tx.put(bead, 'import', `${context.actor} imported ${bead.id} from ${parsed.source}`);
        } catch (error) {
          // A limit (limits.ts) checked at the write: say which line of the file it is.
          throw lineError(parsed.source, draft.line, (error as Error).message);
        }
        (existing ? ids.updated : ids.created).push(bead.id);
      }
    }

    if (tx.changes.length > 0) {
      const cycle = findNeedsCycle(tx.beads());
      if (cycle) {
        const line = inFile.get(cycle[0]!)?.line;
        throw new CitadelError('refused', `${parsed.source}${line ? `:${line}` : ''}: refused: the import would make a dependency cycle: ${describeCycle(cycle)}`);
      }
      for (const draft of parsed.drafts) {
        const loop = parentLoop(tx, draft.bead.id);
        if (loop) throw new CitadelError('refused', `${parsed.source}:${draft.line}: refused: the import would make a parent loop: ${describeCycle(loop)}`);
      }
    }

    const summary: ImportSummary = {
      source: parsed.source,
      created: ids.created.length,
      updated: ids.updated.length,
      skipped: ids.skipped.length,
      ids,
      formats: {
        citadel: parsed.drafts.filter((draft) => draft.format === 'citadel').length,
        beads: parsed.drafts.filter((draft) => draft.format === 'beads').length,
      },
      notes: [...notes].map(([message, list]) => ({ message, count: list.length, examples: list.slice(0, 5) })),
    };
    return { changes: tx.changes, value: summary };
  };
}

/** The draft as a complete bead: references resolved against town and file, timestamps filled. */
function complete(
  draft: ImportDraft,
  existing: Bead | undefined,
  tx: BeadTransaction,
  exists: (id: string) => boolean,
  note: (message: string, id: string) => void,
): Bead {
  const bead: Record<string, unknown> = { ...draft.bead };
  const metadata: Record<string, unknown> = { ...((draft.bead.metadata as Record<string, unknown> | undefined) ?? {}) };
  bead.created_by ??= existing?.created_by ?? tx.context.actor;
  bead.created_at ??= existing?.created_at ?? tx.now;
  bead.updated_at ??= existing?.updated_at ?? bead.created_at;
  if (bead.status === 'closed') bead.closed_at ??= bead.updated_at;
  const needs = draft.bead.needs as string[];
  const unresolved = needs.filter((id) => !exists(id));
  if (unresolved.length > 0) {
    bead.needs = needs.filter((id) => exists(id));
    metadata.unresolved_needs = unresolved;
    note('needs on beads in neither the town nor the file kept in metadata.unresolved_needs (they do not block)', draft.bead.id);
  }
  const parent = draft.bead.parent as string | null;
  if (parent !== null && !exists(parent)) {
    bead.parent = null;
    metadata.unresolved_parent = parent;
    note('parent in neither the town nor the file kept in metadata.unresolved_parent', draft.bead.id);
  }
  if (Object.keys(metadata).length > 0) bead.metadata = metadata;
  else delete bead.metadata;
  return bead as Bead;
}

function parentLoop(tx: BeadTransaction, id: string): string[] | null {
  const chain = [id];
  const seen = new Set([id]);
  for (let at = tx.get(id)?.parent ?? null; at !== null; at = tx.get(at)?.parent ?? null) {
    chain.push(at);
    if (at === id) return chain;
    if (seen.has(at)) return null;
    seen.add(at);
  }
  return null;
}

/**
 * Whether `a` and `b` print as the same JSON once keys are sorted (key order aside), without
 * printing them: re-importing 100k unchanged beads spent ~2 s building two sorted JSON texts per
 * bead. As JSON.stringify: a key whose value is undefined is absent, and in an array undefined
 * and non-finite numbers read as null. Exported for its test.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const left = jsonLeaf(a);
  const right = jsonLeaf(b);
  if (left !== NOT_LEAF || right !== NOT_LEAF) return left === right;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let count = 0;
  for (const key in x) {
    if (!Object.hasOwn(x, key) || x[key] === undefined) continue;
    count++;
    // An own key holding undefined is absent in JSON (where NaN would print as null).
    if (!Object.hasOwn(y, key) || y[key] === undefined || !sameJson(x[key], y[key])) return false;
  }
  for (const key in y) if (Object.hasOwn(y, key) && y[key] !== undefined) count--;
  return count === 0;
}

const NOT_LEAF = Symbol('not a leaf');

/** A JSON leaf as JSON.stringify prints it (null for a non-finite number), or NOT_LEAF for an array or object. */
function jsonLeaf(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'object') return NOT_LEAF;
  return value;
}
