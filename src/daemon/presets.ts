import { CitadelError } from '../common/errors.js';

/** How a preset hands the bead's prompt to the agent. */
export type PromptMode =
  /** Appended to the argv (`claude "…"`). */
  | 'arg'
  /** Typed into the pty, then Enter, once the agent is ready for input. */
  | 'type'
  /** Not handed over: the agent reads its bead itself (`$CITADEL_BEAD`, `citadel prime`). */
  | 'none';

/** An agent preset: what `citadel sling --agent NAME` runs, and how the witness reads its screen. */
export interface Preset {
  readonly name: string;
  /** The command line, before the prompt. */
  readonly argv: readonly string[];
  /** For `arg`: what goes before the prompt (e.g. `-i` for gemini). */
  readonly promptFlag?: readonly string[];
  readonly prompt: PromptMode;
  /**
   * Patterns matched against the bottom lines of the screen: a match means the agent is
   * waiting for the human (a question, a permission prompt, an empty input box).
   */
  readonly waiting: readonly RegExp[];
}

const questions = [/\[y\/n\]/i, /\(y\/n\)/i, /\byes\/no\b/i, /Do you want to/i, /press enter/i];

export const presets: Readonly<Record<string, Preset>> = {
  claude: {
    name: 'claude',
    argv: ['claude'],
    prompt: 'arg',
    waiting: [...questions, /^\s*[│|]?\s*>\s*[│|]?\s*$/, /\? for shortcuts/, /❯\s*\d\.\s/],
  },
  codex: {
    name: 'codex',
    argv: ['codex'],
    prompt: 'arg',
    waiting: [...questions, /^\s*▌/, /Allow command\?/i, /send\s*⏎|⏎ send/i],
  },
  gemini: {
    name: 'gemini',
    argv: ['gemini'],
    promptFlag: ['-i'],
    prompt: 'arg',
    waiting: [...questions, /Type your message/i, /Allow execution/i, /Waiting for user confirmation/i],
  },
  aider: {
    name: 'aider',
    argv: ['aider'],
    prompt: 'type',
    waiting: [...questions, /^\S*> ?$/, /\(Y\)es\/\(N\)o/],
  },
  opencode: {
    name: 'opencode',
    argv: ['opencode'],
    promptFlag: ['--prompt'],
    prompt: 'arg',
    waiting: [...questions, /enter\s+send/i, /ctrl\+p\s+commands/i],
  },
  shell: {
    name: 'shell',
    argv: [process.env.SHELL || 'bash'],
    prompt: 'none',
    waiting: [/[$#%>❯]\s*$/],
  },
  scripted: {
    name: 'scripted',
    argv: ['citadel', 'agent', 'scripted'],
    prompt: 'none',
    waiting: [...questions, /\?\s*$/],
  },
};

/** The preset `name`, or a clear error listing the known ones. */
export function getPreset(name: string): Preset {
  const preset = Object.hasOwn(presets, name) ? presets[name] : undefined;
  if (!preset) {
    throw new CitadelError('invalid', `unknown agent preset "${name}" (known: ${Object.keys(presets).join(', ')}; or give a command after --)`);
  }
  return preset;
}

/** A preset for a command line given after `--`: the witness knows only generic questions. */
export function customPreset(argv: readonly string[]): Preset {
  return { name: 'custom', argv, prompt: 'none', waiting: questions };
}

/** The prompt a polecat is given for its bead: short, pointing at the CLI for the rest. */
export function beadPrompt(bead: { id: string; title: string; body?: string | null | undefined }): string {
  const body = bead.body ? `\n\n${bead.body}` : '';
  return (
    `You are a citadel polecat working on bead ${bead.id}: ${bead.title}${body}\n\n` +
    `Work in this directory (your own git worktree and branch). Commit your work, then run \`citadel done\`. ` +
    `Run \`citadel prime\` for your full instructions, \`citadel bead show ${bead.id}\` for the bead.`
  );
}

/** The argv and typed-in text that start `preset` on a bead. */
export function launchFor(preset: Preset, prompt: string): { argv: string[]; typeIn?: string } {
  if (preset.prompt === 'arg') return { argv: [...preset.argv, ...(preset.promptFlag ?? []), prompt] };
  if (preset.prompt === 'type') return { argv: [...preset.argv], typeIn: prompt };
  return { argv: [...preset.argv] };
}
