import type { Command } from 'commander';
import { CitadelError } from '../../common/errors.js';
import type { CliContext } from '../context.js';

/**
 * Bare `citadel`: open the workstation (the TUI), starting the town's daemon if needed. A word
 * that is no command lands here too, and is reported as an unknown command (usage, exit 2).
 */
export function register(program: Command, context: CliContext): void {
  program
    .argument('[command]')
    // A mistyped command comes with its own arguments and options (`citadel slng ID --agent x`):
    // take them all, so that the answer is the nearest command, not "too many arguments".
    .argument('[args...]')
    .allowUnknownOption()
    .usage('[options] [command]')
    .option('--theme <name>', 'the workstation theme: dark, light, high-contrast, 16-color, or a theme file (default: config "theme")')
    .action(async (word: string | undefined, _args: string[], options: { theme?: string }) => {
      if (word?.startsWith('-')) throw new CitadelError('usage', `unknown option '${word}' (see citadel --help)`);
      if (word !== undefined) {
        const names = program.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden).map((c) => c.name());
        const guess = closest(word, names);
        throw new CitadelError('usage', `unknown command "${word}"${guess ? ` (did you mean ${guess}?)` : ''} (see citadel --help)`);
      }
      const [{ launchWorkstation }, { loadTownSupport }] = await Promise.all([import('../launch-workstation.js'), import('../context.js')]);
      await loadTownSupport();
      await launchWorkstation(context, { theme: options.theme });
    });
}

/** The command name nearest to what was typed, if it is close enough to be a typo. */
function closest(word: string, names: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of names) {
    const distance = editDistance(word, name);
    if (!best || distance < best.distance) best = { name, distance };
  }
  return best && best.distance <= Math.max(1, Math.floor(word.length / 3)) ? best.name : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}
