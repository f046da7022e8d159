/**
 * Telling an agent's work from its animations (docs/agents.md, "Reading the screen"). Agents
 * animate while doing nothing: a spinner, a timer, Codex's logo on its login screen, a
 * blinking hint. Counting every write as work made them read "working" forever. The witness
 * feeds each new screen here and gets back whether it changed *for real*:
 *
 * 1. each row is normalised — every number becomes 0 and spinner/braille/star glyphs one `*` — so a
 *    timer or a spinner alone never changes a row;
 * 2. a row that changes to something it has shown in its recent past (the last
 *    {@link rowHistory} contents of that row) is cycling through frames: an animation, not work.
 *
 * Real output — text streamed, a file listed, a tool's result, a prompt typed — gives rows new
 * contents, and counts. Pure (the rows in, a boolean out); no clock.
 */

/** How many past contents of each row are remembered (an animation's frames). */
export const rowHistory = 32;

/** Spinners and throbbers: braille dots, star and circle glyphs, box-drawing quarter circles… */
const animated = /[\u2800-\u28ff✻✶✳✢✽·⋅•●○◐◓◑◒◴◷◶◵⠁-⣿|/\\◜◝◞◟◠◡▖▘▝▗▁▂▃▄▅▆▇█▉▊▋▌▍▎▏░▒▓]/gu;

/** A row as the activity check sees it: digits and spinner glyphs normalised, trailing space gone. */
export function normaliseRow(row: string): string {
  return row.replace(/\d+/g, '0').replace(animated, '*').replace(/\s+$/, '');
}

/** A short hash of a row (the history keeps hashes, not rows: thirty panes, fifty rows each). */
function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

export class ScreenActivity {
  private last: number[] | undefined;
  private readonly history = new Map<number, number[]>();

  /**
   * Takes the visible screen's rows; true when they changed for real since the last call (the
   * first screen counts). A resize starts afresh and is not work.
   */
  observe(rows: readonly string[]): boolean {
    const now = rows.map((row) => hash(normaliseRow(row)));
    const last = this.last;
    this.last = now;
    if (!last) {
      now.forEach((h, y) => this.history.set(y, [h]));
      return true;
    }
    if (last.length !== now.length) {
      this.history.clear();
      now.forEach((h, y) => this.history.set(y, [h]));
      return false;
    }
    let real = false;
    now.forEach((h, y) => {
      if (h === last[y]) return;
      const seen = this.history.get(y) ?? [];
      if (!seen.includes(h)) {
        real = true;
        seen.push(h);
        if (seen.length > rowHistory) seen.shift();
      }
      this.history.set(y, seen);
    });
    return real;
  }
}
