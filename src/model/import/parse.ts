import { fromBeadsLine } from './beads-format.js';
import { fromCitadelLine } from './citadel-format.js';
import { lineError, type ImportDraft, type ParsedImport } from './draft.js';

/**
 * Parses JSON Lines for `bead import`: one bead per line, in citadel's own format (the JSON
 * bead of CLI.md, as `bead export` writes it) or in Beads' `issues.jsonl` format, told apart
 * line by line (a Beads line has `issue_type` or `description` or `dependencies`). Blank lines
 * are skipped. The first bad line throws `invalid` as `source:line: what is wrong`, so nothing
 * is applied.
 */
export function parseImport(text: string, source: string): ParsedImport {
  const drafts: ImportDraft[] = [];
  const seen = new Map<string, number>();
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = index + 1;
    const raw = lines[index]!.replace(/\r$/, '');
    if (raw.trim() === '') continue;
    let row: unknown;
    try {
      row = JSON.parse(raw);
    } catch (error) {
      throw lineError(source, line, `not valid JSON (${(error as Error).message})`);
    }
    if (typeof row !== 'object' || row === null || Array.isArray(row)) throw lineError(source, line, 'expected a JSON object (one bead per line)');
    let draft: ImportDraft;
    try {
      draft = isBeadsRow(row as Record<string, unknown>) ? fromBeadsLine(row as Record<string, unknown>, line) : fromCitadelLine(row as Record<string, unknown>, line);
    } catch (error) {
      throw lineError(source, line, (error as Error).message);
    }
    const earlier = seen.get(draft.bead.id);
    if (earlier !== undefined) throw lineError(source, line, `id ${draft.bead.id} already appears on line ${earlier}`);
    seen.set(draft.bead.id, line);
    drafts.push(draft);
  }
  return { source, drafts };
}

function isBeadsRow(row: Record<string, unknown>): boolean {
  return 'issue_type' in row || 'description' in row || 'dependencies' in row;
}
