import { gitLines } from '../git/run.js';
import type { Bead } from '../model/bead.js';
import { modelContext } from '../model/context.js';
import { isPinned } from '../model/schedule.js';
import { BeadTransaction } from '../model/transaction.js';
import type { Town } from '../town/town.js';
import { primeFor } from '../agent-cli/prime-for-town.js';
import { pasteOf, settleMs } from '../agent-cli/typing.js';
import type { PaneRegistry } from '../daemon/pane-registry.js';
import { allPolecats, getPolecat, putPolecat, type Polecat } from '../model/polecat.js';
import { isUnfinished, WITNESS, type PolecatRunner } from '../daemon/polecat-runner.js';
import type { EscalationStep } from './config.js';
import { nextStep, type Track } from './escalation.js';
import { quietLog } from '../common/quiet-log.js';

export interface EscalationHostOptions {
  readonly town: Town;
  readonly panes: PaneRegistry;
  readonly runner: PolecatRunner;
  readonly log: (line: string) => void;
  readonly clock: () => number;
}

/**
 * Carries out the escalation ladder (escalation.ts) in the daemon, reading the statuses the
 * witness writes: each step is one journal mutation on the polecat (`escalate`, with the step
 * and why), shown in the feed like any event; the mail step mails the overseer in the same
 * mutation. A restart is skipped — and says so — when the worktree has uncommitted changes,
 * unless config `escalation.restartWithUncommitted`.
 */
export class EscalationHost {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private readonly tracks = new Map<string, Track>();

  constructor(private readonly options: EscalationHostOptions) {}

  /** The same error on every tick (a damaged journal) is logged once, then counted. */
  private readonly trouble = quietLog((line) => this.options.log(line));

  start(intervalMs = 1000): void {
    if (this.options.town.config.escalation.ladder.length === 0) return;
    this.timer = setInterval(() => void this.tick(), intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const { town, panes } = this.options;
      const state = town.journal.read();
      const now = this.options.clock();
      const seen = new Set<string>();
      for (const polecat of allPolecats(state)) {
        seen.add(polecat.name);
        const running = panes.has(polecat.name) && panes.get(polecat.name).running;
        // A pinned bead's polecat (a mayor) waits for input by design: it is not escalated.
        const held = polecat.bead ? (state.get('beads', polecat.bead) as Bead | undefined) : undefined;
        const unfinished = polecat.bead !== null && !(held && isPinned(held)) && isUnfinished(state, polecat.bead, polecat.name);
        const observation = { status: polecat.status, bead: polecat.bead, running, unfinished };
        const verdict = nextStep(observation, this.tracks.get(polecat.name), now, town.config.escalation);
        if (verdict.track) this.tracks.set(polecat.name, verdict.track);
        else this.tracks.delete(polecat.name);
        if (verdict.step) await this.take(verdict.step, polecat, verdict.quietSeconds);
      }
      for (const name of this.tracks.keys()) if (!seen.has(name)) this.tracks.delete(name);
      this.trouble.ok();
    } catch (error) {
      this.trouble.error(`escalation: ${(error as Error).message}`);
    } finally {
      this.running = false;
    }
  }

  private async take(step: EscalationStep, polecat: Polecat, quietSeconds: number): Promise<void> {
    const { town, panes, runner, log } = this.options;
    const bead = polecat.bead!;
    const why = `${polecat.name} is ${polecat.status} with ${bead} unfinished (quiet ${quietSeconds} s)`;
    if (step === 'nudge') {
      const text = nudgeText(town, polecat);
      await this.record(polecat.name, step, `witness nudged ${polecat.name}: ${why}`);
      const pane = panes.get(polecat.name);
      pane.input(pasteOf(text, pane.screen.modes().bracketedPaste));
      setTimeout(() => {
        if (pane.running) pane.input('\r');
      }, settleMs * 4);
      log(`escalation: nudged ${polecat.name} (${bead})`);
      return;
    }
    if (step === 'restart') {
      const dirty = town.config.escalation.restartWithUncommitted ? [] : await uncommitted(polecat.worktree);
      if (dirty.length > 0) {
        await this.record(polecat.name, 'restart-skipped', `witness did not restart ${polecat.name}: ${dirty.length} uncommitted change(s) in ${polecat.worktree} (config escalation.restartWithUncommitted allows it); ${why}`);
        return;
      }
      await this.record(polecat.name, step, `witness restarted ${polecat.name}: ${why}`);
      await runner.restart(polecat.name);
      log(`escalation: restarted ${polecat.name} (${bead})`);
      return;
    }
    await this.record(polecat.name, step, `witness mailed the overseer about ${polecat.name}: ${why}`, {
      subject: `${polecat.name} needs you: ${bead} is not moving`,
      body:
        `${why}. The witness's ladder (${town.config.escalation.ladder.join(' → ')}) is done: it will not act again on this bead.\n` +
        `Look at it: \`citadel polecat peek ${polecat.name}\`; talk to it: \`citadel nudge ${polecat.name} TEXT\`; ` +
        `or take the bead back: \`citadel polecat kill ${polecat.name}\` (its worktree and branch stay).`,
    });
    log(`escalation: mailed the overseer about ${polecat.name} (${bead})`);
  }

  /** One mutation: the step on the polecat (`escalation`), and the mail when there is one. */
  private async record(name: string, step: string, summary: string, mail?: { subject: string; body: string }): Promise<void> {
    const { town } = this.options;
    const at = new Date(this.options.clock()).toISOString();
    await town.journal.mutate((state) => {
      const current = getPolecat(state, name);
      if (!current) return { changes: [], value: undefined };
      const changes = [putPolecat({ ...current, escalation: { step, at, reason: summary }, updated_at: at }, 'escalate', summary)];
      if (mail) {
        const tx = new BeadTransaction(state, modelContext(WITNESS, town.config.prefix));
        tx.sendMail({ to: 'overseer', subject: mail.subject, body: mail.body });
        changes.push(...tx.changes);
      }
      return { changes, value: undefined };
    });
  }
}

/** What `citadel prime` says about the polecat's bead and step, made into a nudge. */
export function nudgeText(town: Town, polecat: Polecat): string {
  const bead = town.journal.read().get('beads', polecat.bead ?? '') as Bead | undefined;
  const title = bead ? `${bead.id} — ${bead.title}` : (polecat.bead ?? '');
  // The prime's bead and molecule sections (its header and house rules the agent has already).
  const prime = primeFor(town, polecat.bead ?? undefined, polecat.name).text;
  const section = (prime.split('\n## How to work')[0] ?? '').split('\n').slice(2).join('\n').trim();
  return (
    `[citadel witness] You have gone quiet with your bead ${title} unfinished. From \`citadel prime\`:\n${section}\n` +
    `Carry on: commit your work and run \`citadel done\`; if you are stuck, \`citadel mail send --to overseer --subject "..."\`.`
  );
}

/** The worktree's uncommitted changes (`git status --porcelain`); [] when clean or unreadable. */
async function uncommitted(worktree: string): Promise<string[]> {
  // A worktree git cannot read counts as dirty: never restart over work we cannot see.
  return (await gitLines(worktree, ['status', '--porcelain'])) ?? ['(git status failed)'];
}
