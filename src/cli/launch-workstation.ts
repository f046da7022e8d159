import { NODE_ENV_MARKER } from '../common/child-env.js';
import { CitadelError } from '../common/errors.js';
import type { CliContext } from './context.js';

/**
 * Refuses to open the workstation inside a polecat's pane, as tmux refuses inside `$TMUX`: the
 * pane's pty would resize to fit a workstation that contains it, shrinking every pane. Polecats
 * run with `CITADEL_POLECAT` set (src/daemon/polecat-env.ts).
 */
export function refuseNesting(env: NodeJS.ProcessEnv): void {
  const polecat = env.CITADEL_POLECAT?.trim();
  if (!polecat) return;
  throw new CitadelError('refused', `not opening the workstation inside polecat ${polecat}'s pane: unset CITADEL_POLECAT to force it`);
}

/**
 * Opens the workstation for `citadel`, `citadel attach` and the demo. The TUI process runs
 * React's production build (the development build costs several times the CPU per render),
 * but what it starts — the daemon, and through it the agents and the refinery's gates — gets
 * the person's environment unchanged: a `NODE_ENV=production` leaking into `npm test` or
 * `npm ci` in their project would change what those do.
 */
export async function launchWorkstation(context: CliContext, options: { theme?: string | undefined } = {}): Promise<void> {
  refuseNesting(context.env);
  const env: NodeJS.ProcessEnv = { ...context.env };
  // The panels read the theme from $CITADEL_THEME (what --theme sets), else the town config.
  if (options.theme !== undefined) env.CITADEL_THEME = options.theme;
  if (process.env.NODE_ENV === undefined) {
    process.env.NODE_ENV = 'production';
    // Marks the value as ours, so what the TUI spawns itself can drop it (childEnv).
    process.env[NODE_ENV_MARKER] = '1';
  }
  const { openWorkstation } = await import('../tui/open-workstation.js');
  await openWorkstation({ ...context, env });
}
