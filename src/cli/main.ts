import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { CitadelError, isCitadelError } from '../common/errors.js';
import { visibleText } from '../common/visible-text.js';
import { createContext, jsonText, loadTownSupport, type CliContext, type World } from './context.js';
import { loadersFor, type Register } from './registry.js';

/**
 * Runs the CLI and returns its exit code (0 success, 1 failure, 2 usage: docs/cli.md).
 * Commands are registered from small modules that load their heavy dependencies lazily,
 * so a data command such as `citadel ready --json` starts fast.
 */
export async function main(argv: readonly string[], world: World = processWorld()): Promise<number> {
  const wantsJson = argv.includes('--json');
  const townOption = optionValue(argv, '--town');
  const context = createContext(world, townOption);
  const helpShown: string[] = [];
  // --town is global: accepted anywhere on the line, so it is taken out before parsing.
  const args = withoutOption(argv, '--town');
  try {
    const registers = await Promise.all(loadersFor(args).map((load) => load()));
    const program = buildProgram(context, world, registers, helpShown);
    await program.parseAsync(args, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    return report(error, wantsJson, world, helpShown);
  } finally {
    context.dispose();
  }
}

/** `helpShown` collects the help commander writes for a command missing its subcommand. */
export function buildProgram(context: CliContext, world: World, registers: readonly Register[], helpShown: string[]): Command {
  const program = new Command('citadel')
    .description('A terminal workstation for a town of AI coding agents on one git repository')
    .option('--town <dir>', 'the town (a git repository with .citadel/) to act on')
    .version(citadelVersion(), '-V, --version', 'print citadel\'s version')
    .showSuggestionAfterError(true);
  // Commander's own error messages (unknown option, missing argument…) are reported by
  // `report`, in citadel's shape; what else it writes to stderr is the help it shows for a
  // command missing its subcommand (`citadel bead`), kept for `report` to print.
  const output = {
    writeOut: (text: string) => world.stdout(visibleText(text)),
    writeErr: (text: string) => {
      if (!text.startsWith('error:')) helpShown.push(text);
    },
  };
  program.exitOverride();
  program.configureOutput(output);
  // A command's action may open the town: load that code just before it runs (so never for
  // --help or --version). Not for the program's own action (bare `citadel`, or a mistyped
  // command): a usage error needs no journal, and the workstation loads it itself.
  program.hook('preAction', async (_hooked, action) => {
    if (action !== program) await loadTownSupport();
  });
  for (const register of registers) register(program, context);
  // exitOverride and output settings only reach subcommands created after they are set, so
  // apply them again to the whole tree.
  const visit = (command: Command): void => {
    command.exitOverride();
    command.configureOutput(output);
    command.commands.forEach(visit);
  };
  program.commands.forEach(visit);
  return program;
}

function report(error: unknown, wantsJson: boolean, world: World, helpShown: string[]): number {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
    if (error.code === 'commander.help') {
      // `citadel bead` alone: the command's help, as a usage error (it needs a subcommand).
      if (wantsJson) writeError(world, true, 'usage', 'a subcommand is needed (see --help)');
      else world.stderr(visibleText(helpShown.splice(0).join('')));
      return 2;
    }
    // One line: commander puts its suggestion on a line of its own.
    const message = error.message.replace(/^error: /, '').replace(/\n\(Did you mean (.*)\?\)$/, ' (did you mean $1?)');
    writeError(world, wantsJson, 'usage', `${message} (see --help)`);
    return 2;
  }
  if (isCitadelError(error)) {
    writeError(world, wantsJson, error.code, error.message);
    return error.exitCode;
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  writeError(world, wantsJson, 'internal', `internal error: ${message}`);
  return 1;
}

/** Messages carry ids, titles and typed arguments: controls are made visible, JSON kept exact. */
function writeError(world: World, wantsJson: boolean, code: string, message: string): void {
  if (wantsJson) world.stderr(jsonText({ error: { code, message } }, 0));
  else world.stderr(`citadel: ${visibleText(message)}\n`);
}

/** The version in package.json (two folders up from src/cli/ and dist/cli/ alike). */
function citadelVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

function optionValue(argv: readonly string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return undefined;
    if (arg === name) return argv[i + 1];
    if (arg.startsWith(`${name}=`)) return arg.slice(name.length + 1);
  }
  return undefined;
}

function withoutOption(argv: readonly string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (arg === name) i++;
    else if (!arg.startsWith(`${name}=`)) out.push(arg);
  }
  return out;
}

function processWorld(): World {
  return {
    cwd: process.cwd(),
    env: process.env,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  };
}

export { CitadelError };
