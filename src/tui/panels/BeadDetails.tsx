import { Box } from 'ink';
import { countRender } from './render-count.js';
import { memo, useMemo } from 'react';
import { describeEvent, clockTime } from '../state/feed-words.js';
import type { BeadView, EventView } from '../state/types.js';
import type { Theme } from '../theme/theme.js';
import type { ThemeToken } from '../theme/tokens.js';
import { addressOf } from '../../model/address.js';
import { provenanceWords, type Provenance } from '../../federation/provenance.js';
import { Line, type Segment } from './Line.js';
import { innerRows, Panel } from './Panel.js';
import { wrapText } from './wrap-text.js';

export interface BeadDetailsProps {
  readonly bead: BeadView;
  /** Every bead, to show the state of its blockers and what it blocks. */
  readonly beads: readonly BeadView[];
  /** The bead's history from the journal, oldest first. */
  readonly history: readonly EventView[];
  readonly scroll: number;
  readonly width: number;
  readonly height: number;
  readonly focused: boolean;
  readonly theme: Theme;
  /** The town's name: the assignee and creator are shown with their addresses (entity://citadel/<town>/<id>). */
  readonly townName?: string | undefined;
  /** Where a federated bead came from (federation/provenance.ts: its fed-meta entity, read for this bead only). */
  readonly provenance?: Provenance | undefined;
  /** Now, for how long ago its last change was. */
  readonly now?: number | undefined;
}

/** A bead in full: its fields, body, dependencies both ways, and its history. Scrolls with j/k. */
function BeadDetailsView({ bead, beads, history, scroll, width, height, focused, theme, townName, provenance, now }: BeadDetailsProps) {
  countRender('BeadDetails');
  const inner = width - 2;
  const at = provenance ? (now ?? Date.now()) : 0;
  const lines = useMemo(() => detailLines(bead, beads, history, inner, theme, townName, provenance, at), [bead, beads, history, inner, theme, townName, provenance, at]);
  const rows = innerRows(height);
  const top = Math.max(0, Math.min(scroll, lines.length - rows));
  return (
    <Panel title={`Bead ${bead.id}`} info="esc: back" width={width} height={height} focused={focused} theme={theme}>
      <Box flexDirection="column">
        {lines.slice(top, top + rows).map((segments, i) => (
          <Line key={top + i} segments={segments} width={inner} theme={theme} />
        ))}
      </Box>
    </Panel>
  );
}

/** The details as lines of segments (pure, for the view and its tests). */
export function detailLines(bead: BeadView, beads: readonly BeadView[], history: readonly EventView[], width: number, theme: Theme, townName?: string, provenance?: Provenance, now = Date.now()): Segment[][] {
  const c = theme.colors;
  // An actor in full: its name, then its address, dim (nothing more without the town's name).
  const address = (name: string): Segment[] => (townName ? [{ text: `  ${addressOf(townName, name)}`, color: c['text.dim'] }] : []);
  const byId = new Map(beads.map((b) => [b.id, b]));
  const label = (text: string): Segment => ({ text: `${text.padEnd(10)}`, color: c['form.label'] });
  const priority = Math.min(4, Math.max(0, bead.priority));
  const lines: Segment[][] = [];
  for (const line of wrapText(bead.title, width)) lines.push([{ text: line, color: c['text.normal'], bold: true }]);
  lines.push([
    { text: `${bead.id} `, color: c['bead.id'] },
    { text: `${bead.type} `, color: c['bead.type'] },
    { text: `P${priority} `, color: c[`bead.priority.${priority}` as ThemeToken] },
    { text: bead.status, color: bead.status === 'closed' ? c['bead.closed'] : c['text.accent'] },
  ]);
  if (bead.assignee) lines.push([label('assignee'), { text: bead.assignee, color: c['bead.assignee'] }, ...address(bead.assignee)]);
  if (bead.labels?.length) lines.push([label('labels'), { text: bead.labels.map((l) => `#${l}`).join(' '), color: c['bead.label'] }]);
  if (bead.parent) lines.push([label('parent'), { text: bead.parent, color: c['bead.id'] }]);
  const needs = bead.needs ?? [];
  lines.push([label('needs'), { text: needs.length ? needs.map((id) => `${id} (${byId.get(id)?.status ?? 'missing'})`).join(', ') : '—', color: c['bead.blocker'] }]);
  const blocks: string[] = [];
  const children: BeadView[] = [];
  for (const b of beads) {
    if (b.needs?.includes(bead.id)) blocks.push(b.id);
    if (b.parent === bead.id) children.push(b);
  }
  lines.push([label('blocks'), { text: blocks.length ? blocks.join(', ') : '—', color: c['bead.id'] }]);
  if (children.length) {
    const done = children.filter((b) => b.status === 'closed').length;
    lines.push([
      label('children'),
      { text: `${done}/${children.length} closed: `, color: c['text.dim'] },
      { text: children.map((b) => `${b.id} (${b.status})`).join(', '), color: c['bead.id'] },
    ]);
  }
  if (bead.created_by || bead.created_at) lines.push([label('created'), { text: `${bead.created_at}${bead.created_by ? ` by ${bead.created_by}` : ''}`, color: c['text.dim'] }]);
  if (bead.created_by && townName) lines.push([label('by'), { text: addressOf(townName, bead.created_by), color: c['text.dim'] }]);
  // A federated bead: the town that made it and the town of its last change (docs/federation.md).
  if (provenance) lines.push([label('town'), { text: provenanceWords(provenance, now), color: c['text.dim'] }]);
  if (bead.status === 'closed') {
    lines.push([label('closed'), { text: `${bead.closed_at ?? ''}${bead.close_reason ? ` — ${bead.close_reason}` : ''}`, color: c['bead.closed'] }]);
  }
  lines.push([]);
  if (bead.body?.trim()) {
    for (const line of wrapText(bead.body, width)) lines.push([{ text: line, color: c['text.normal'] }]);
  } else {
    lines.push([{ text: '(no body)', color: c['text.dim'] }]);
  }
  lines.push([]);
  lines.push([{ text: `History (${history.length})`, color: c['panel.section'], bold: true }]);
  for (const event of history) {
    lines.push([
      { text: `${clockTime(event.ts)} `, color: c['feed.time'] },
      { text: `#${event.seq} `, color: c['text.dim'] },
      { text: describeEvent(event), color: c['text.normal'] },
    ]);
  }
  return lines;
}

/** Memoized: a render of the panels that leaves its props alone (a j/k on another list) skips it. */
export const BeadDetails = memo(BeadDetailsView);
