/**
 * Typing into an agent's input box as a person does (`citadel nudge`, a preset's typed-in
 * prompt). Pure.
 */

/**
 * The text of a nudge as a person's terminal sends it: a paste (wrapped in bracketed-paste
 * marks when the program asked for them), never with the Enter in the same write — Codex and
 * Gemini CLI take a write holding text and CR as a paste, and the CR lands in the input box.
 */
export function pasteOf(text: string, bracketedPaste: boolean): string {
  return bracketedPaste ? `\x1b[200~${text}\x1b[201~` : text;
}

/** How long a nudge waits for the program to echo its paste before pressing Enter anyway. */
export const echoTimeoutMs = 1_000;
/** After the echo, a little time for the program to finish taking the paste (its own debounce). */
export const settleMs = 50;
