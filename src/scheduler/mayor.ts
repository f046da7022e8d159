import type { Bead } from '../model/bead.js';
import { modelContext } from '../model/context.js';
import { isPinned } from '../model/schedule.js';
import { transact } from '../model/transaction.js';
import type { DaemonClient } from '../daemon/client.js';
import { sling, type SlingResult } from '../polecats/sling.js';
import type { Town } from '../town/town.js';

/** The label that marks the mayor's bead. */
export const MAYOR_LABEL = 'role:mayor';
/** The mayor's polecat. */
export const MAYOR = 'mayor';

/**
 * What the mayor reads (its bead's body, handed over with its prompt): the town, its job, and
 * its tools. It runs the town through the same CLI and MCP tools as a person; everything it
 * does is written by `mayor` in the journal, so its CV is its record as a mayor.
 */
export const MAYOR_BRIEF = [
  'You are the mayor of this citadel town. You do not write code: you keep the town moving.',
  '',
  'The town: beads are work items (`citadel ready` lists what can start); polecats are agents, each in its own',
  'worktree and branch, run by the daemon; the refinery merges their branches onto main behind the gates;',
  'the scheduler (`citadel town start|pause|status`) slings ready beads to idle polecats by itself, up to its --max.',
  '',
  'Your job, in a loop: look at `citadel town status` and `citadel polecat list`; peek at a polecat that is',
  'waiting, idle or stuck (`citadel polecat peek NAME`) and nudge it (`citadel nudge NAME TEXT`) with what it',
  'needs; answer mail (`citadel mail inbox --unread`); file beads for work you see missing (`citadel bead create`);',
  'pause the scheduler when main is broken and start it again once it is green (`citadel refinery status`).',
  'Ask the overseer (`citadel mail send --to overseer`) before anything you cannot undo.',
  '',
  'Over MCP (`citadel mcp`) the same as tools: polecats, peek, sling, nudge, town, ready, show, mail_*.',
  'This bead is pinned: it stays open while you work, and you are restarted if you exit. Never run `citadel done` on it.',
].join('\n');

/**
 * `citadel sling --role mayor`: the town's pinned mayor bead (made once, label `role:mayor`)
 * slung to the polecat `mayor`. While the scheduler runs, a pinned bead's polecat is restarted
 * when it exits, so the mayor is a long-lived role.
 */
export async function slingMayor(town: Town, options: { agent?: string | undefined; env: NodeJS.ProcessEnv }, connect: () => Promise<DaemonClient>): Promise<SlingResult & { created: boolean }> {
  const { value } = await town.journal.mutate(
    transact(modelContext(town.actor, town.config.prefix), (tx) => {
      const existing = [...tx.beads().values()].find((b: Bead) => b.status !== 'closed' && isPinned(b) && b.labels.includes(MAYOR_LABEL));
      if (existing) return { id: existing.id, created: false };
      const bead = tx.create({ title: 'Mayor: run the town', type: 'chore', priority: 1, labels: [MAYOR_LABEL], body: MAYOR_BRIEF, fields: { pinned: true } });
      return { id: bead.id, created: true };
    }),
  );
  const result = await sling(town, { bead: value.id, polecat: MAYOR, agent: options.agent, env: options.env }, connect);
  return { ...result, created: value.created };
}
