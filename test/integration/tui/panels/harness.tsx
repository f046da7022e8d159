import { render } from 'ink-testing-library';
import { waitFor } from '../../../helpers/temp.js';
import { useState } from 'react';
import type { CommandRunner, TriageCommand } from '../../../../src/tui/state/triage-command.js';
import type { TownSnapshot } from '../../../../src/tui/state/types.js';
import { defaultTheme } from '../../../../src/tui/theme/theme.js';
import { PanelsColumn } from '../../../../src/tui/panels/PanelsColumn.js';
import { usePanels, type PanelsModel } from '../../../../src/tui/panels/use-panels.js';
import { KeyParser } from '../../../../src/tui/keys/key-parser.js';

/**
 * Renders the panels column with Ink's test renderer. `stdin.write` takes terminal bytes and
 * hands them to the panels as the shell does: parsed once (keys/key-parser.ts), key by key.
 */
export function renderPanels(snapshot: TownSnapshot, options: { width?: number; height?: number; run?: CommandRunner } = {}) {
  const commands: TriageCommand[] = [];
  const run: CommandRunner = options.run ?? (async (command) => void commands.push(command));
  let setSnapshot: (s: TownSnapshot) => void = () => {};
  let model: PanelsModel | undefined;
  // One theme for every render, as the panels session holds one (a new one each render would redraw every memoized row).
  const theme = defaultTheme('none');
  function App() {
    const [current, set] = useState(snapshot);
    setSnapshot = set;
    const t = usePanels({ snapshot: current, onCommand: run, pageRows: 5, height: options.height ?? 40 });
    model = t;
    return <PanelsColumn model={t} width={options.width ?? 70} height={options.height ?? 40} active theme={theme} now={Date.parse('2026-11-01T10:10:00Z')} />;
  }
  const rendered = render(<App />);
  const parser = new KeyParser();
  const stdin = {
    write(bytes: string): void {
      if (!model) throw new Error('not rendered');
      for (const key of [...parser.feed(bytes), ...parser.flush()]) model.onKey(key.name, key.raw);
    },
  };
  return {
    ...rendered,
    stdin,
    commands,
    get model() {
      if (!model) throw new Error('not rendered');
      return model;
    },
    update: (next: TownSnapshot) => setSnapshot(next),
  };
}

/** Waits until the last frame satisfies `check` (Ink renders asynchronously after input). */
export function frameWhere(rendered: { lastFrame(): string | undefined }, check: (frame: string) => boolean, what: string): Promise<string> {
  return waitFor(() => {
    const frame = rendered.lastFrame() ?? '';
    return check(frame) ? frame : undefined;
  }, what, { timeoutMs: 5_000, intervalMs: 5 });
}
