import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { childEnv } from '../../common/child-env.js';
import { CitadelError } from '../../common/errors.js';
import { modelContext } from '../../model/context.js';
import { addNeed, closeBead, createBead, markMailRead, releaseBead, removeNeed, sendMail, updateBead } from '../../model/operations.js';
import { composeMolecule } from '../../molecules/compose.js';
import { pourMolecule } from '../../molecules/pour.js';
import { resolveMolecule } from '../../molecules/resolve.js';
import type { MoleculeLibrary } from '../../molecules/types.js';
import type { Town } from '../../town/town.js';
import type { BeadType } from '../../model/bead.js';
import type { CommandRunner, TriageCommand } from '../state/triage-command.js';

/** The citadel binary, for the commands that go through the daemon (sling). */
const citadelBin = fileURLToPath(new URL('../../../bin/citadel.js', import.meta.url));

export interface CommandWorld {
  readonly town: Town;
  readonly molecules: MoleculeLibrary;
  /** Runs `citadel ARGS --json` in the town (sling needs the daemon); default: the real binary. */
  readonly cli?: ((args: readonly string[]) => Promise<unknown>) | undefined;
}

/**
 * Runs the panels' commands against a town: bead and mail changes as the model's Mutators
 * through `town.journal.mutate` (one locked, fsynced mutation each, like the CLI's), a pour as
 * one mutation, and sling through `citadel sling` (it talks to the daemon, which owns the ptys).
 */
export function commandRunner(world: CommandWorld): CommandRunner {
  const { town } = world;
  const context = () => modelContext(town.actor, town.config.prefix);
  const cli = world.cli ?? ((args) => runCitadel(town.paths.root, args));
  return async (command: TriageCommand) => {
    switch (command.kind) {
      case 'create': {
        const { value } = await town.journal.mutate(
          createBead(context(), { title: command.title, type: command.type as BeadType, priority: command.priority, labels: command.labels, body: command.body }),
        );
        return `created ${value.id}`;
      }
      case 'priority':
        await town.journal.mutate(updateBead(context(), command.id, { priority: command.priority }));
        return `${command.id} → priority ${command.priority}`;
      case 'dep':
        await town.journal.mutate(command.op === 'add' ? addNeed(context(), command.id, command.needs) : removeNeed(context(), command.id, command.needs));
        return command.op === 'add' ? `${command.id} now needs ${command.needs}` : `${command.id} no longer needs ${command.needs}`;
      case 'close':
        await town.journal.mutate(closeBead(context(), command.id, command.reason || undefined));
        return `closed ${command.id}`;
      case 'release':
        await town.journal.mutate(releaseBead(context(), command.id));
        return `released ${command.id}: back in the ready queue`;
      case 'reopen':
        await town.journal.mutate(updateBead(context(), command.id, { status: 'open' }));
        return `reopened ${command.id}`;
      case 'mail': {
        const { value } = await town.journal.mutate(
          sendMail(context(), { to: command.to, subject: command.subject, body: command.body, replyTo: command.replyTo }),
        );
        return `sent ${value.id} to ${command.to}`;
      }
      case 'markRead':
        await town.journal.mutate(markMailRead(context(), command.id));
        return `read ${command.id}`;
      case 'pour': {
        const resolved = resolveMolecule(composeMolecule(command.molecule, world.molecules), command.vars);
        const { value } = await town.journal.mutate(pourMolecule(context(), resolved));
        return `poured ${command.molecule}: ${value.epic.id} with ${value.steps.length} steps`;
      }
      case 'sling': {
        const args = ['sling', command.id, '--agent', command.preset, ...(command.polecat ? ['--polecat', command.polecat] : [])];
        const result = (await cli(args)) as { polecat?: string } | undefined;
        return `slung ${command.id}${result?.polecat ? ` to ${result.polecat}` : ''}`;
      }
    }
  };
}

/** Runs the citadel binary with `--json` in `cwd`; rejects with its error line. */
export function runCitadel(cwd: string, args: readonly string[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [citadelBin, ...args, '--json'], { cwd, env: { ...childEnv(), CITADEL_ACTOR: process.env.CITADEL_ACTOR ?? '' }, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) {
        let message = stderr.trim().split('\n').pop() ?? error.message;
        try {
          message = (JSON.parse(stderr) as { error: { message: string } }).error.message;
        } catch {
          // not JSON: the last line is the message
        }
        reject(new CitadelError('failed', message || error.message));
        return;
      }
      try {
        resolve(stdout.trim() ? JSON.parse(stdout) : undefined);
      } catch {
        resolve(undefined);
      }
    });
  });
}
