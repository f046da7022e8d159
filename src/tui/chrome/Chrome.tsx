import { Box, Text } from 'ink';
import type { ReactElement } from 'react';
import type { ScreenLayout } from '../layout/screen-layout.js';
import type { Rect } from '../layout/rect.js';
import { INVERSE } from '../render/ansi.js';
import { textWidth } from '../render/cells.js';
import type { PanelsModule, PanelSlotProps, StatusBarProps } from '../shell/panel-slot.js';
import type { WorkstationState } from '../shell/workstation-state.js';
import { visibleLine } from '../../common/visible-text.js';
import { gridChromeLines } from './grid-chrome.js';
import type { LostPolecat } from '../live/lost-polecats.js';
import { SGR_RESET, type ChromePalette } from './palette.js';
import { truncate } from './title-bar.js';

export interface ChromeProps {
  readonly state: WorkstationState;
  readonly layout: ScreenLayout;
  readonly palette: ChromePalette;
  readonly beadTitles: ReadonlyMap<string, string>;
  readonly programTitles: ReadonlyMap<string, string>;
  /** Polecats lost or exited without a pane (the grid says so when no pane runs). */
  readonly lost?: readonly LostPolecat[] | undefined;
  readonly panels: PanelsModule | undefined;
  /** Everything the panels get besides their size. */
  readonly slot: Omit<PanelSlotProps, 'width' | 'height' | 'hasKeyboard' | 'panes'>;
  readonly status: Omit<StatusBarProps, 'width' | 'panes' | 'mode' | 'keyboard'>;
  /** The help overlay, when open: its rectangle and lines. */
  readonly help: { rect: Rect; lines: readonly string[] } | undefined;
  /** The pages of panes, for the status bar's left end (chrome/page-tabs.ts); empty with one page. */
  readonly pageTabs?: { readonly text: string; readonly styled: string } | undefined;
}

/**
 * The workstation's chrome, drawn by Ink into the compositor's virtual screen: the pane grid's
 * title bars and dividers (pane bodies are left blank: the compositor writes them), the panel
 * panels, the status bar, and overlays. Its height is the terminal's minus one.
 */
export function Chrome(props: ChromeProps): ReactElement {
  const { state, layout, palette } = props;
  if (layout.tooSmall) return <Text> </Text>;
  // The shell lays the grid's lines over Ink's frame itself (shell-view.ts `chromeFrame`), except
  // under the help overlay (drawn by Ink over the grid): only then are they Ink's to draw. Else the
  // grid is a blank box, and a keystroke in the panels does not lay out and write its 49 rows.
  const grid = !props.help ? [] : gridChromeLines(
    {
      layout,
      panes: state.panes,
      focus: state.focus,
      panesHaveKeyboard: state.keyboard === 'panes',
      zoomed: state.zoomed,
      copyMode: state.mode === 'copy',
      beadTitles: props.beadTitles,
      programTitles: props.programTitles,
      lost: props.lost,
    },
    palette,
  );
  const Panels = props.panels?.Panels;
  const StatusBar = props.panels?.StatusBar ?? DefaultStatusBar;
  const panels = layout.panels;
  const divider = palette.divider + '│' + SGR_RESET;
  // The page list takes what it needs, up to half the bar.
  const tabsWidth = props.pageTabs?.text ? Math.min(textWidth(props.pageTabs.text), Math.floor(layout.cols / 2)) : 0;
  return (
    <Box flexDirection="column" width={layout.cols} height={layout.chrome.height}>
      <Box flexDirection="row" height={layout.grid.height}>
        <Box flexDirection="column" width={layout.grid.width} height={layout.grid.height}>
          {grid.map((line, i) => (
            <Text key={i} wrap="truncate">
              {blankEnd(line)}
            </Text>
          ))}
        </Box>
        {panels && (
          <>
            <Box flexDirection="column" width={1} height={panels.height}>
              {/* One text of every row: one node to lay out and write, its repeated line tokenized once. */}
              <Text>{dividerColumn(divider, panels.height)}</Text>
            </Box>
            {/* Clipped only vertically: the panels cut their rows to the width themselves, and a horizontal clip
                made Ink slice every line of the column again on every frame (slice-ansi). */}
            <Box flexDirection="column" width={panels.width} height={panels.height} overflow="hidden">
              {Panels ? (
                <Panels
                  {...props.slot}
                  width={panels.width}
                  height={panels.height}
                  hasKeyboard={state.keyboard === 'panels' && state.mode === 'normal'}
                  panes={state.panes}
                />
              ) : (
                <PanelsPlaceholder width={panels.width} palette={palette} />
              )}
            </Box>
          </>
        )}
      </Box>
      <Box height={1} width={layout.cols} overflow="hidden" flexDirection="row">
        {tabsWidth > 0 && (
          <Box width={tabsWidth} flexShrink={0}>
            <Text wrap="truncate">{props.pageTabs!.styled}</Text>
          </Box>
        )}
        <StatusBar {...props.status} width={layout.cols - tabsWidth} panes={state.panes} mode={state.mode} keyboard={state.keyboard} />
      </Box>
      {props.help && <Overlay rect={props.help.rect} title="citadel keys" lines={props.help.lines} />}
    </Box>
  );
}

function PanelsPlaceholder({ width, palette }: { width: number; palette: ChromePalette }): ReactElement {
  return (
    <Text wrap="truncate">
      {palette.dim + truncate(' board · lane · inbox · feed', width) + SGR_RESET}
    </Text>
  );
}

/** The shell's own status bar, used until the panels provide theirs. */
export function DefaultStatusBar(props: StatusBarProps): ReactElement {
  const counts = new Map<string, number>();
  for (const p of props.panes) counts.set(p.status, (counts.get(p.status) ?? 0) + 1);
  const summary = [...counts].map(([status, n]) => `${n} ${status}`).join(' · ');
  const left = ` citadel · ${visibleLine(props.town.name)} │ ${props.panes.length} pane${props.panes.length === 1 ? '' : 's'}${summary ? `: ${summary}` : ''}`;
  const right = `${props.prefixKey} ? help `;
  const gap = Math.max(1, props.width - textWidth(left) - textWidth(right));
  return <Text wrap="truncate">{INVERSE + truncate(left + ' '.repeat(gap) + right, props.width) + SGR_RESET}</Text>;
}

/** A bordered box over the screen whose every cell is written, so nothing shows through. */
function Overlay({ rect, title, lines }: { rect: Rect; title: string; lines: readonly string[] }): ReactElement {
  const inner = rect.width - 2;
  const shown = lines.slice(0, rect.height - 2);
  const body = Array.from({ length: rect.height - 2 }, (_, i) => {
    const text = truncate(shown[i] ?? '', inner);
    return text + ' '.repeat(Math.max(0, inner - textWidth(text)));
  });
  const top = `╭─ ${title} ${'─'.repeat(Math.max(0, inner - textWidth(title) - 3))}╮`;
  return (
    <Box position="absolute" marginLeft={rect.x} marginTop={rect.y} flexDirection="column" width={rect.width} height={rect.height}>
      <Text>{top}</Text>
      {body.map((line, i) => (
        <Text key={i}>{`│${line}│`}</Text>
      ))}
      <Text>{`╰${'─'.repeat(inner)}╯`}</Text>
    </Box>
  );
}

/**
 * A grid line without its trailing blanks (at least one cell, so the row keeps its height): the
 * pane bodies are blank in the chrome (the compositor draws them), and Ink turns every cell it is
 * given into a styled cell object on every frame — 49 rows of 120 spaces on every keystroke.
 */
function blankEnd(line: string): string {
  let end = line.length;
  while (end > 1 && line.charCodeAt(end - 1) === 32) end--;
  return end === line.length ? line : line.slice(0, end);
}

let dividers = { line: '', height: 0, text: '' };
/** The divider's column: `height` rows of `line`, built once per size. */
function dividerColumn(line: string, height: number): string {
  if (dividers.line !== line || dividers.height !== height) dividers = { line, height, text: Array.from({ length: height }, () => line).join('\n') };
  return dividers.text;
}
