import type { ImportSummary } from '../../model/import/apply.js';

/** The summary of an import: counts, then every mapping note with a few example ids. */
export function importSummaryText(summary: ImportSummary): string {
  const formats = [summary.formats.beads ? `${summary.formats.beads} in Beads format` : '', summary.formats.citadel ? `${summary.formats.citadel} in citadel format` : '']
    .filter(Boolean)
    .join(', ');
  const lines = [`Imported ${summary.source}${formats ? ` (${formats})` : ''}: ${summary.created} created, ${summary.updated} updated, ${summary.skipped} skipped.`];
  for (const note of summary.notes) {
    lines.push(`  ${String(note.count).padStart(4)} × ${note.message}  (e.g. ${note.examples.join(', ')})`);
  }
  return `${lines.join('\n')}\n`;
}
