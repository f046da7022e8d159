import { CitadelError, isCitadelError } from '../common/errors.js';
import type { Town } from '../town/town.js';
import { recordReport } from './record-status.js';
import { hookEventName, hookEvents, reportedStatus } from './reported-status.js';

/** What `citadel hook` needs from the command line's context. */
export interface HookWorld {
  readonly env: NodeJS.ProcessEnv;
  out(text: string): void;
  err(text: string): void;
  json(value: unknown): void;
  town(): Town;
}

/** Same reported status again within this window is not written again (hooks fire per tool call). */
const throttleMs = 10_000;

/**
 * Handles one hook call: maps the event (and its payload) to a reported status, records it on
 * `$CITADEL_POLECAT`'s entity, and on SessionStart prints `citadel prime` (Claude Code adds a
 * SessionStart hook's stdout to the agent's context). Problems are reported on stderr, never
 * thrown: a hook must not break the agent that runs it. Only an unknown event name is an error.
 */
export async function runHook(world: HookWorld, rawEvent: string, payloadArgument: string | undefined, json: boolean): Promise<void> {
  const event = hookEventName(rawEvent);
  if (!event) throw new CitadelError('invalid', `unknown hook event "${rawEvent}" (known: ${hookEvents.join(', ')})`);
  const polecat = world.env.CITADEL_POLECAT?.trim();
  if (!polecat) {
    if (json) world.json({ event, recorded: false, reason: 'not inside a polecat ($CITADEL_POLECAT is not set)' });
    return;
  }
  try {
    // Codex's payload parser and prime (SessionStart only) are loaded when used: the hook runs
    // on every tool call, and those calls only record a status (docs/cli.md, "Startup").
    const payload =
      event === 'codex-notify' ? (await import('./codex-notify.js')).parseCodexPayload(payloadArgument) : (parseJson(payloadArgument) ?? (await readStdinJson()));
    const status = reportedStatus(event, payload);
    const town = world.town();
    let outcome: { written: boolean; status: string | undefined } = { written: false, status: undefined };
    if (status) {
      const report = recordReport({ polecat, status, event, at: new Date().toISOString(), throttleMs });
      // Most tool-call hooks change nothing: decide on a lock-free read first, lock only to write.
      const probe = report(town.journal.read());
      outcome = probe.changes.length === 0 ? probe.value : (await town.journal.mutate(report)).value;
    }
    if (json) {
      world.json({ event, polecat, reported: status, status: outcome.status, recorded: outcome.written });
    } else if (event === 'session-start') {
      const { primeFor } = await import('./prime-for-town.js');
      world.out(primeFor(town, world.env.CITADEL_BEAD?.trim(), polecat).text);
    }
  } catch (error) {
    const message = isCitadelError(error) ? error.message : error instanceof Error ? error.message : String(error);
    world.err(`citadel hook ${event}: ${message}\n`);
  }
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined || text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Claude Code writes the event's JSON on stdin and closes it; a terminal or a silent pipe gives nothing. */
async function readStdinJson(timeoutMs = 1_000): Promise<unknown> {
  const stdin = process.stdin;
  if (stdin.isTTY) return undefined;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const finish = (): void => {
      clearTimeout(timer);
      stdin.off('data', onData);
      stdin.off('end', finish);
      stdin.off('error', finish);
      stdin.pause();
      resolve(parseJson(Buffer.concat(chunks).toString('utf8')));
    };
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
    };
    const timer = setTimeout(() => {
      finish();
      stdin.destroy();
    }, timeoutMs);
    stdin.on('data', onData);
    stdin.once('end', finish);
    stdin.once('error', finish);
  });
}
