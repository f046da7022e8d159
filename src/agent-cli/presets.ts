import { CitadelError } from '../common/errors.js';
import { findExecutable } from '../pty/executable.js';

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
   * Patterns matched against every line of the visible screen: a match means the agent is
   * waiting for the human — a question, a permission prompt, a trust, login or setup dialog.
   * Specific to the agent's own dialogs: its ordinary output must not match them.
   */
  readonly waiting: readonly RegExp[];
  /**
   * Questions looked for on the bottom lines only (default: the generic {@link questions}): a
   * line that asks, in plain output, stops asking once it scrolls up.
   */
  readonly asks?: readonly RegExp[];
  /** Lines shown only while the agent works ("esc to interrupt"): working, however still the screen. */
  readonly busy?: readonly RegExp[];
  /**
   * Patterns that mean the agent sits at its empty input box, done with its turn: idle as soon
   * as the screen settles, not after the quiet time (docs/agents.md).
   */
  readonly idle?: readonly RegExp[];
  /**
   * Environment that switches the agent's self-update off inside a polecat (config
   * `agentSelfUpdate: false`, the default): thirty polecats must not each update it mid-town.
   */
  readonly noSelfUpdate?: Readonly<Record<string, string>>;
}

/** Generic questions any program may ask: looked for on the bottom lines only (witness-rules.ts). */
export const questions = [/\[y\/n\]/i, /\(y\/n\)/i, /\byes\/no\b/i, /press enter to continue/i];

/**
 * The agents' own screens (docs/agents.md has the recorded screens they were read from). A
 * numbered choice list under a question ("❯ 1. Yes") is how Claude Code, Codex and Gemini CLI all
 * ask for a permission, a trust decision or a setup choice.
 */
const choiceList = /^\s*[│|]?\s*[❯›>●]\s*1[.)]\s+\S/;

export const presets: Readonly<Record<string, Preset>> = {
  claude: {
    name: 'claude',
    argv: ['claude'],
    prompt: 'arg',
    waiting: [
      choiceList,
      /Do you want to (proceed|make this edit|create|allow|run)/i,
      // The trust dialog (its default answer, "No, exit", carries no number).
      /Is this a project you created or one you trust\?/i,
      /Yes, I trust this folder/i,
      /Make auto mode your default permission mode\?/i,
      /Choose the text style/i,
      /Select login method/i,
      // The footers of Claude's dialogs; the input box's footer says "? for shortcuts" or "esc to interrupt".
      /Esc to cancel · Tab to amend/i,
      /Enter to confirm · Esc to cancel/i,
    ],
    busy: [/esc to interrupt/i],
    idle: [/\? for shortcuts/],
    noSelfUpdate: { DISABLE_AUTOUPDATER: '1' },
  },
  codex: {
    name: 'codex',
    argv: ['codex'],
    prompt: 'arg',
    waiting: [
      choiceList,
      /Sign in with ChatGPT/i,
      /Provide your own API key/i,
      /Allow Codex to work in this folder/i,
      /Would you like to (run|make|apply)/i,
      /Allow command\?/i,
      /Press enter to confirm or esc to/i,
      /Hooks need review/i,
      /Update available!/i,
    ],
    busy: [/esc to interrupt/i],
    // Its composer's placeholder shows only while the box is empty; the footer's hint only at rest.
    idle: [/^› Ask Codex to do anything/, /\?\s+for shortcuts/],
  },
  gemini: {
    name: 'gemini',
    argv: ['gemini'],
    promptFlag: ['-i'],
    prompt: 'arg',
    waiting: [
      choiceList,
      /Allow execution of/i,
      /Do you trust (this folder|the files)/i,
      /Get started|How would you like to authenticate/i,
      /Waiting for (user confirmation|auth)/i,
      /Apply this change\?/i,
    ],
    busy: [/esc to cancel, \d/i, /\(esc to cancel/i],
    idle: [/Type your message or @path/i],
  },
  aider: {
    name: 'aider',
    argv: ['aider'],
    prompt: 'type',
    waiting: [/\(Y\)es\/\(N\)o/],
    idle: [/^\S*> ?$/],
    noSelfUpdate: { AIDER_CHECK_UPDATE: 'false' },
  },
  opencode: {
    name: 'opencode',
    argv: ['opencode'],
    promptFlag: ['--prompt'],
    prompt: 'arg',
    waiting: [/Permission required/i, /△\s*Permission/i, /Allow (once|always)/i],
    busy: [/esc\s+interrupt/i],
    idle: [/enter\s+send/i, /ctrl\+p\s+commands/i],
    noSelfUpdate: { OPENCODE_DISABLE_AUTOUPDATE: '1' },
  },
  shell: {
    name: 'shell',
    argv: [process.env.SHELL || 'bash'],
    prompt: 'none',
    waiting: [],
    // A shell at its prompt waits for the human to type a command.
    asks: [...questions, /[$#%>❯]\s*$/],
  },
  scripted: {
    name: 'scripted',
    argv: ['citadel', 'agent', 'scripted'],
    prompt: 'none',
    waiting: [],
    asks: [...questions, /Do you want to/i, /\?\s*$/],
  },
};

/**
 * The real agents, in the order a new town picks its default from: the first one installed
 * (on the PATH a polecat gets) when config `defaultAgent` is not set. The scripted agent is
 * never a default: it would land fake commits on the user's main (only `citadel demo` and tests
 * name it).
 */
export const realAgents = ['claude', 'codex', 'gemini', 'opencode', 'aider'] as const;

/**
 * The preset `sling` runs when none is named: config `defaultAgent` when set, else the first
 * real agent `installed` finds; with none, a one-line error saying what to install.
 */
export function defaultAgent(configured: string | undefined, installed: (program: string) => boolean): string {
  if (configured) return configured;
  const found = realAgents.find((name) => installed(presets[name]!.argv[0]!));
  if (found) return found;
  throw new CitadelError(
    'not_found',
    `no agent to sling: none of ${realAgents.join(', ')} is installed (not found on PATH): install one (e.g. \`npm install -g @anthropic-ai/claude-code\`), or pass --agent NAME or -- ARGV`,
  );
}

/** The first real agent on `env`'s PATH, or undefined (the board's sling form offers it first). */
export function firstInstalledAgent(env: NodeJS.ProcessEnv): string | undefined {
  return realAgents.find((name) => findExecutable(presets[name]!.argv[0]!, { cwd: process.cwd(), path: env.PATH }) !== undefined);
}

/** The preset names in the order a chooser shows them: the default first, the scripted agent last. */
export function presetChoices(first: string | undefined): string[] {
  const names = Object.keys(presets).filter((name) => name !== 'scripted');
  const ordered = first && first !== 'scripted' ? [first, ...names.filter((name) => name !== first)] : names;
  return first === 'scripted' ? ['scripted', ...ordered] : [...ordered, 'scripted'];
}

/** The preset `name`, or a clear error listing the known ones. */
export function getPreset(name: string): Preset {
  const preset = Object.hasOwn(presets, name) ? presets[name] : undefined;
  if (!preset) {
    throw new CitadelError('invalid', `unknown agent preset "${name}" (known: ${Object.keys(presets).join(', ')}; or give a command after --)`);
  }
  return preset;
}

/** A preset for a command line given after `--`: the witness knows only the generic questions. */
export function customPreset(argv: readonly string[]): Preset {
  return { name: 'custom', argv, prompt: 'none', waiting: [] };
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
