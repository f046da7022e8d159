import type { Command } from 'commander';
import type { CitadelError } from '../../common/errors.js';
import type { MoleculeLibrary } from '../../molecules/index.js';
import type { FileMoleculeLibrary } from '../../town/molecules.js';
import type { CliContext } from '../context.js';

/** A repeatable option. No `[]` default: commander would print it as `(default: [])` in help. */
const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/**
 * `citadel molecule list | show | pour | status | fail | release` (docs/molecules.md).
 * Registration only: the work is loaded lazily in each action.
 */
export function register(program: Command, context: CliContext): void {
  const molecule = program.command('molecule').description('list, show, pour and follow molecules (prose workflow templates)');
  // Bare: its help (commander's implicit help goes to stderr, which main discards). A mistyped
  // subcommand: "unknown command" (exit 2), as commander says it elsewhere.
  molecule.allowExcessArguments(true).action(async (_options: unknown, command: Command) => {
    if (command.args[0] !== undefined) {
      const { usage } = await import('../../common/errors.js');
      throw usage(`unknown command '${command.args[0]}' (see --help)`);
    }
    context.out(molecule.helpInformation());
  });

  molecule
    .command('list')
    .description("every molecule on the search path (the town's .citadel/molecules/ overrides the built-ins by name), with its origin")
    .option('--json', 'print a JSON array')
    .action(async (options: { json?: boolean }) => {
      await listAction(context, options);
    });

  molecule
    .command('show')
    .description('print a molecule’s resolved steps (after includes and variables) without pouring it')
    .argument('<name>', 'the molecule')
    .option('--var <name=value>', 'a variable (repeatable); missing required ones are shown as {{name}}', collect)
    .option('--json', 'print JSON')
    .action(async (name: string, options: { var?: string[]; json?: boolean }) => {
      await showAction(context, name, options);
    });

  molecule
    .command('pour')
    .description('make an instance: an epic bead plus one step bead per step, in one mutation; prints the instance id')
    .argument('<name>', 'the molecule')
    .option('--var <name=value>', 'a variable (repeatable)', collect)
    .option('--priority <n>', 'priority of the epic and its steps, 0 (highest) to 4', '2')
    .option('--label <label>', 'a label for the epic and its steps (repeatable)', collect)
    .option('--json', 'print the instance (epic and steps) as JSON')
    .action(async (name: string, options: { var?: string[]; priority: string; label?: string[]; json?: boolean }) => {
      await pourAction(context, name, options);
    });

  molecule
    .command('status')
    .description('an instance’s step graph: each step’s state and holder, and what is ready now (no ID: every instance)')
    .argument('[id]', 'the instance (its epic id, or any of its step ids)')
    .option('--json', 'print JSON')
    .action(async (id: string | undefined, options: { json?: boolean }) => {
      await statusAction(context, id, options);
    });

  molecule
    .command('fail')
    .description('record a failure on a step and return it to ready (unclaimed) to be re-run from the start')
    .argument('<step>', 'the step bead id, e.g. ct-a3f8.2')
    .requiredOption('--reason <text>', 'what went wrong (recorded on the step)')
    .option('--json', 'print the step bead as JSON')
    .action(async (step: string, options: { reason: string; json?: boolean }) => {
      await failAction(context, step, options);
    });

  molecule
    .command('release')
    .description('take a step back from its holder (its polecat is gone) and return it to ready; closed steps are never touched')
    .argument('[step]', 'the step bead id (or use --holder)')
    .option('--holder <name>', 'release every open step this actor holds')
    .option('--reason <text>', 'why (recorded on the step)', 'holder gone')
    .option('--json', 'print the released step beads as JSON')
    .action(async (step: string | undefined, options: { holder?: string; reason: string; json?: boolean }) => {
      await releaseAction(context, step, options);
    });
  // The bare command takes any word (to name a mistyped subcommand); its subcommands inherit
  // that setting, so `citadel molecule <sub> extra` would run and drop `extra`: turn it back off.
  for (const sub of molecule.commands) sub.allowExcessArguments(false);
}

/** The search path: the town's molecules (when in a town) over the built-ins. Works outside a town too. */
async function library(context: CliContext): Promise<FileMoleculeLibrary> {
  const { openMoleculeLibrary } = await import('../../town/molecules.js');
  const { locateTown } = await import('../../town/locate.js');
  const { townPaths } = await import('../../town/paths.js');
  let townDir: string | undefined;
  try {
    townDir = townPaths(locateTown({ cwd: context.cwd, env: context.env, explicit: context.townOption })).molecules;
  } catch (error) {
    // Outside a town the built-ins still list and show; a wrong --town is still an error.
    if (context.townOption || context.env.CITADEL_TOWN) throw error;
  }
  return openMoleculeLibrary({ townDir, cwd: context.cwd });
}

async function listAction(context: CliContext, options: { json?: boolean }): Promise<void> {
  const { composeMolecule } = await import('../../molecules/index.js');
  const lib = await library(context);
  const rows = lib.files().map((file) => {
    const base = { name: file.name, origin: file.origin, overrides: file.overrides, file: file.display };
    try {
      const composed = composeMolecule(file.name, lib);
      return {
        ...base,
        title: composed.title.text,
        steps: composed.steps.length,
        vars: composed.vars.map((v) => ({ name: v.name, required: v.required, default: v.default ?? null, description: v.description })),
        includes: composed.included,
        error: null as string | null,
      };
    } catch (error) {
      return { ...base, title: null, steps: null, vars: [], includes: [], error: (error as CitadelError).message };
    }
  });
  if (options.json) {
    context.json(rows);
    return;
  }
  if (rows.length === 0) {
    context.out('no molecules found\n');
    return;
  }
  const width = Math.max(...rows.map((r) => r.name.length), 4);
  const lines = [`${'NAME'.padEnd(width)}  ORIGIN    STEPS  TITLE`];
  for (const row of rows) {
    const origin = `${row.origin}${row.overrides ? '*' : ''}`.padEnd(8);
    if (row.error) lines.push(`${row.name.padEnd(width)}  ${origin}  ERROR  ${row.error}`);
    else lines.push(`${row.name.padEnd(width)}  ${origin}  ${String(row.steps).padStart(5)}  ${row.title}`);
  }
  if (rows.some((r) => r.overrides)) lines.push('* a town molecule overriding the built-in of the same name');
  // Names, titles and errors come from molecule files: each row stays one visible line.
  const { visibleLine } = await import('../../common/visible-text.js');
  context.out(`${lines.map(visibleLine).join('\n')}\n`);
}

async function resolved(lib: MoleculeLibrary, name: string, vars: string[], lenient: boolean) {
  const { composeMolecule, resolveMolecule, parseVarArgs } = await import('../../molecules/index.js');
  const given = parseVarArgs(vars);
  const composed = composeMolecule(name, lib);
  return { composed, molecule: resolveMolecule(composed, given, { lenient }) };
}

async function showAction(context: CliContext, name: string, options: { var?: string[]; json?: boolean }): Promise<void> {
  const { renderResolved } = await import('../../molecules/index.js');
  const lib = await library(context);
  const { composed, molecule } = await resolved(lib, name, options.var ?? [], true);
  const file = lib.file(name)!;
  if (options.json) {
    context.json({
      ...molecule,
      origin: file.origin,
      includes: composed.included,
      var_specs: composed.vars.map((v) => ({ name: v.name, required: v.required, default: v.default ?? null, description: v.description })),
    });
  } else {
    context.out(renderResolved(molecule, composed.vars, file.origin));
  }
}

async function pourAction(
  context: CliContext,
  name: string,
  options: { var?: string[]; priority: string; label?: string[]; json?: boolean },
): Promise<void> {
  const { pourMolecule } = await import('../../molecules/index.js');
  const { modelContext, parsePriority, checkLabel } = await import('../../model/index.js');
  const lib = await library(context);
  const { composed, molecule } = await resolved(lib, name, options.var ?? [], false);
  const priority = parsePriority(options.priority);
  const labels = (options.label ?? []).map((label) => checkLabel(label));
  const town = context.town();
  const { value } = await town.journal.mutate(pourMolecule(modelContext(town.actor, town.config.prefix), molecule, { priority, labels }));
  // The user's own pour trusts its steps' gates (docs/refinery.md, "Trust"); a polecat's does not.
  const { trustPouredSteps } = await import('../../town/trust-store.js');
  const townMolecules = [name, ...composed.included].filter((used) => lib.file(used)?.origin === 'town');
  if (!trustPouredSteps(town, context.env, { steps: value.steps, townMolecules })) {
    context.err(`note: the refinery will not run the gates of ${value.epic.id}'s steps until the overseer trusts them (\`citadel trust --show\`, then \`citadel trust\`)\n`);
  }
  if (options.json) {
    context.json({ id: value.epic.id, molecule: molecule.name, title: value.epic.title, vars: molecule.vars, epic: value.epic, steps: value.steps });
  } else {
    context.out(`${value.epic.id}\n`);
  }
}

async function statusAction(context: CliContext, id: string | undefined, options: { json?: boolean }): Promise<void> {
  const { moleculeStatus, listInstances, renderStatus, renderInstances } = await import('../../molecules/index.js');
  const state = context.town().journal.read();
  if (id === undefined) {
    const instances = listInstances(state);
    if (options.json) context.json(instances);
    else context.out(renderInstances(instances));
    return;
  }
  const status = moleculeStatus(state, id);
  if (options.json) context.json(status);
  else context.out(renderStatus(status));
}

async function failAction(context: CliContext, step: string, options: { reason: string; json?: boolean }): Promise<void> {
  const { failStep } = await import('../../molecules/index.js');
  const { modelContext } = await import('../../model/index.js');
  const town = context.town();
  const { value } = await town.journal.mutate(failStep(step, options.reason, modelContext(town.actor, town.config.prefix)));
  if (options.json) context.json(value);
  else context.out(`${value.id} failed (${value.failures?.length ?? 1} failure(s) recorded): back to ready, to be re-run from the start\n`);
}

async function releaseAction(
  context: CliContext,
  step: string | undefined,
  options: { holder?: string; reason: string; json?: boolean },
): Promise<void> {
  const { releaseStep, releaseStepsHeldBy } = await import('../../molecules/index.js');
  const { modelContext } = await import('../../model/index.js');
  const { CitadelError } = await import('../../common/errors.js');
  if ((step === undefined) === (options.holder === undefined)) {
    throw new CitadelError('usage', 'give a step id or --holder NAME (one of them)');
  }
  const town = context.town();
  const acting = modelContext(town.actor, town.config.prefix);
  if (step !== undefined) {
    const result = await town.journal.mutate(releaseStep(step, options.reason, acting));
    if (options.json) context.json([result.value]);
    else if (result.records.length === 0) context.out(`${result.value.id} is not held by anyone: nothing to release\n`);
    else context.out(`${result.value.id} is ready again (released from ${result.value.releases?.at(-1)?.holder ?? 'nobody'}: ${options.reason})\n`);
    return;
  }
  const { value: released } = await town.journal.mutate(releaseStepsHeldBy(options.holder!, options.reason, acting));
  if (options.json) context.json(released);
  else if (released.length === 0) context.out(`${options.holder} holds no open step: nothing to release\n`);
  else for (const bead of released) context.out(`${bead.id} is ready again (released from ${options.holder}: ${options.reason})\n`);
}
