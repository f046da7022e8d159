/**
 * Codex's notify hook: Codex runs the `notify` program of its config (an argv) after each turn,
 * with one more argument, a JSON object such as
 * `{"type":"agent-turn-complete","thread-id":…,"turn-id":…,"cwd":…,"input-messages":[…],"last-assistant-message":…}`.
 * citadel sets it per polecat with a `-c notify=[…]` override on Codex's command line (a TOML
 * value), so the user's `~/.codex/config.toml` is never edited. Pure.
 */

/** The extra arguments for Codex's argv (right after the program) that install the hook. */
export function codexNotifyArgs(citadel: readonly string[] = ['citadel']): string[] {
  // A JSON array of strings is also a valid TOML inline array.
  return ['-c', `notify=${JSON.stringify([...citadel, 'hook', 'codex-notify'])}`];
}

/** Parses the JSON argument Codex passes; undefined when it is absent or not JSON. */
export function parseCodexPayload(argument: string | undefined): unknown {
  if (argument === undefined || argument.trim() === '') return undefined;
  try {
    return JSON.parse(argument) as unknown;
  } catch {
    return undefined;
  }
}
