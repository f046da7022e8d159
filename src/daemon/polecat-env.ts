import { chmodSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { shellQuote } from '../agent-cli/shell-quote.js';
import { ensurePrivateDir } from '../town/private-fs.js';

/** The citadel entry point (bin/citadel.js), from this module's place in dist/ or src/. */
export const citadelEntry = fileURLToPath(new URL('../../bin/citadel.js', import.meta.url));

/** The town's folder holding a `citadel` command for its polecats (`.citadel/run/bin`). */
export const shimDir = (town: string): string => join(town, '.citadel', 'run', 'bin');

/**
 * The shim's text: runs this citadel with the node that runs the daemon, so a polecat gets the
 * same citadel as its daemon whether or not one (or node itself) is on the user's PATH — and
 * node's own bin folder need not be put on the PATH, where it would hide the user's agents.
 */
export function shimScript(node = process.execPath, entry = citadelEntry): string {
  return `#!/bin/sh\nexec ${shellQuote([node, entry])} "$@"\n`;
}

/**
 * Makes `<town>/.citadel/run/bin/citadel` (the shim above). Parallel slings — separate
 * processes — all call this: the file is written under a name of this process's own and renamed
 * over the shim, so each rename is atomic and no caller ever sees a half-made or missing one.
 */
export function ensureCitadelShim(town: string): void {
  const dir = shimDir(town);
  const file = join(dir, 'citadel');
  const text = shimScript();
  try {
    if (readFileSync(file, 'utf8') === text) return;
  } catch {
    // Missing, or an older citadel's symlink to a moved entry point: written below.
  }
  ensurePrivateDir(dir); // 0700, never through a link: only this user's polecats run it
  const temporary = join(dir, `.citadel.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  try {
    writeFileSync(temporary, text, { mode: 0o700 });
    chmodSync(temporary, 0o700);
    renameSync(temporary, file);
  } finally {
    rmSync(temporary, { force: true });
  }
}

/**
 * Variables of the terminal multiplexer or emulator the overseer runs in. A polecat runs in
 * citadel's own pty, not in that tmux/screen/zellij pane: programs that see them talk to the
 * wrong multiplexer (Claude Code warns about tmux focus events inside the pane).
 */
const terminalVars = [/^TMUX/, /^STY$/, /^WINDOW$/, /^ZELLIJ/, /^TERM_PROGRAM/, /^KITTY_(WINDOW_ID|PID|LISTEN_ON)$/, /^WEZTERM_/, /^ITERM_SESSION_ID$/, /^WT_SESSION$/, /^VTE_VERSION$/];

/** Whether `name` is a multiplexer/terminal variable a polecat must not inherit. */
export const isTerminalVar = (name: string): boolean => terminalVars.some((pattern) => pattern.test(name));

/**
 * The environment a polecat runs in (docs/daemon.md): the daemon's own minus the overseer's
 * terminal multiplexer, plus who and where it is, and a PATH that is the user's own, in its own
 * order, with only citadel's shim folder before it — the polecat runs the same `claude` the user
 * would. `extra` is the agent's own (its presets' self-update switches).
 */
export function polecatEnv(
  base: NodeJS.ProcessEnv,
  polecat: { town: string; name: string; bead: string | null },
  extra: Readonly<Record<string, string>> = {},
): NodeJS.ProcessEnv {
  const shim = shimDir(polecat.town);
  const userPath = (base.PATH ?? '').split(delimiter).filter((entry) => entry !== '' && entry !== shim);
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(base)) if (!isTerminalVar(key)) env[key] = value;
  return {
    ...env,
    ...extra,
    CITADEL_TOWN: polecat.town,
    CITADEL_POLECAT: polecat.name,
    CITADEL_BEAD: polecat.bead ?? '',
    CITADEL_ACTOR: polecat.name,
    PATH: [shim, ...userPath].join(delimiter),
    // A polecat's output is read through a terminal that supports color.
    NO_COLOR: undefined,
    FORCE_COLOR: undefined,
    COLORTERM: 'truecolor',
  };
}
