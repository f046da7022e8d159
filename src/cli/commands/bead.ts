import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/** Repeatable options that also take comma-separated lists (`--label a,b --label c`). */
const collect = (value: string, previous: string[] = []): string[] => [
  ...previous,
  ...value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== ''),
];

/**
 * `citadel bead create|show|list|update|close|dep|import|export` (docs/model.md). Registration
 * only: each action loads its code lazily, so `citadel bead …` starts fast.
 */
export function register(program: Command, context: CliContext): void {
  const bead = program.command('bead').description('create, show, list, update, close, import and export beads (units of work), and their dependencies (dep)');
  const actions = () => import('../work/bead-actions.js');

  bead
    .command('create')
    .description('create a bead; prints its id (the whole bead with --json)')
    .argument('<title>', 'one line saying what the work is')
    .option('--type <type>', 'task, bug, feature, epic, chore, step or resource (default task)')
    .option('--priority <n>', '0 (highest) to 4 (lowest); default 2')
    .option('--body <text>', 'the details')
    .option('--body-file <file>', 'read the details from FILE, or - for standard input')
    .option('--label <label>', 'a label (repeatable, or comma-separated)', collect)
    .option('--needs <id>', 'a bead that must close before this one can start (repeatable)', collect)
    .option('--parent <id>', 'the epic this bead belongs to')
    .option('--defer-until <time>', 'not ready before TIME: an ISO date or time, or +INTERVAL (+2h)')
    .option('--every <interval>', 'recurring: when closed, the next one is poured, deferred by INTERVAL (1d, 12h, nightly)')
    .option('--uses <resource>', 'a resource bead it holds while in progress (repeatable)', collect)
    .option('--capacity <n>', 'with --type resource: how many beads may use it at once (default 1)')
    .option('--pinned', 'keep its polecat running: restarted with backoff when it exits (long-lived roles)')
    .option('--needs-skill <skill>', 'only agents/polecats whose CV shows SKILL (a label, type or path) take it (repeatable)', collect)
    .option('--json', 'print the bead as JSON')
    .action(async (title: string, options: Parameters<Awaited<ReturnType<typeof actions>>['createAction']>[2]) => {
      await (await actions()).createAction(context, title, options);
    });

  bead
    .command('show')
    .description('everything about a bead: fields, whether it is ready and why not, dependencies, children')
    .argument('<id>', 'the bead, e.g. ct-a3f8')
    .option('--json', 'print the bead as JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      (await actions()).showAction(context, id, options);
    });

  bead
    .command('list')
    .description('beads by priority, then age (messages only with --all or --type message)')
    .option('--status <status>', 'open, in_progress, blocked or closed (repeatable)', collect)
    .option('--type <type>', 'task, bug, feature, epic, chore, step, message or merge_request')
    .option('--label <label>', 'only beads with this label')
    .option('--assignee <name>', 'only beads assigned to NAME ("none" for unassigned)')
    .option('--parent <id>', 'only the children of this bead')
    .option('--all', 'include messages')
    .option('--json', 'print a JSON array')
    .action(async (options: Parameters<Awaited<ReturnType<typeof actions>>['listAction']>[1]) => {
      (await actions()).listAction(context, options);
    });

  bead
    .command('update')
    .description('change a bead; --claim takes it for you atomically (fails if someone has it)')
    .argument('<id>', 'the bead')
    .option('--title <title>', 'a new title')
    .option('--body <text>', 'new details')
    .option('--body-file <file>', 'read new details from FILE, or - for standard input')
    .option('--status <status>', 'open, in_progress, blocked or closed')
    .option('--priority <n>', '0 (highest) to 4 (lowest)')
    .option('--assignee <name>', 'assign it ("none" to unassign)')
    .option('--claim', 'assign it to yourself and set in_progress, only if nobody has it')
    .option('--add-label <label>', 'add a label (repeatable)', collect)
    .option('--remove-label <label>', 'remove a label (repeatable)', collect)
    .option('--parent <id>', 'move it under another bead ("none" to detach)')
    .option('--reason <text>', 'the close reason, with --status closed')
    .option('--defer-until <time>', 'not ready before TIME (ISO, +INTERVAL, or none)')
    .option('--every <interval>', 'recurring: when closed, the next one is poured, deferred by INTERVAL (or none)')
    .option('--uses <resource>', 'a resource bead it holds while in progress (repeatable)', collect)
    .option('--capacity <n>', 'a resource\'s capacity')
    .option('--pinned', 'keep its polecat running (--no-pinned to stop)')
    .option('--needs-skill <skill>', 'only agents/polecats whose CV shows SKILL (a label, type or path) take it (repeatable)', collect)
    .option('--no-pinned', 'not pinned any more')
    .option('--json', 'print the bead as JSON')
    .action(async (id: string, options: Parameters<Awaited<ReturnType<typeof actions>>['updateAction']>[2]) => {
      await (await actions()).updateAction(context, id, options);
    });

  bead
    .command('close')
    .description('close beads (all or none); a molecule epic closes itself with its last step')
    .argument('<id...>', 'the bead(s)')
    .option('--reason <text>', 'why (e.g. what was done)')
    .option('--json', 'print the closed bead (an array for several) as JSON')
    .action(async (ids: string[], options: { reason?: string; json?: boolean }) => {
      await (await actions()).closeAction(context, ids, options);
    });

  const dep = bead.command('dep').description('blocking dependencies between beads');
  for (const [verb, what] of [
    ['add', 'ID cannot start until OTHER is closed (cycles are refused)'],
    ['rm', 'ID no longer waits for OTHER'],
  ] as const) {
    dep
      .command(verb)
      .description(what)
      .argument('<id>', 'the bead that waits')
      .option('--needs <other>', 'the bead it waits for (repeatable)', collect)
      .option('--json', 'print the bead as JSON')
      .action(async (id: string, options: { needs?: string[]; json?: boolean }) => {
        await (await actions()).depAction(context, verb, id, options);
      });
  }

  bead
    .command('import')
    .description('import JSON Lines (citadel or Beads issues.jsonl format); idempotent by id; all or nothing')
    .argument('<file>', 'the file, or - for standard input')
    .option('--json', 'print the summary as JSON')
    .action(async (file: string, options: { json?: boolean }) => {
      await (await actions()).importAction(context, file, options);
    });

  bead
    .command('export')
    .description('every bead as JSON Lines, to FILE or standard output')
    .argument('[file]', 'where to write (default: standard output)')
    .option('--json', 'with FILE: print what was written as JSON')
    .action(async (file: string | undefined, options: { json?: boolean }) => {
      (await actions()).exportAction(context, file, options);
    });
}
