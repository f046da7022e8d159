import { createConnection } from 'node:net';
import { CitadelError, usage } from '../common/errors.js';
import type { Bead } from '../model/bead.js';
import { gitRun } from '../git/run.js';
import { inspectSubmission } from '../refinery/submit.js';
import { encode, LineReader, parseMessage, type AgentMessage } from './wire.js';
import type { JobSpec } from './wire.js';

/** The commands `citadel` answers on a host, for the polecat it runs (docs/remote.md, "What travels where"). */
export const FORWARDED = ['prime', 'hook', 'mail'] as const;

export interface ShimIo {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  out(text: string): void;
  err(text: string): void;
}

/**
 * `citadel` for an agent on a remote host (`<dir>/bin/citadel` runs `citadel host shim …`):
 * the host has no town, so what the agent asks of the town goes to the keeper, which carries
 * it home over the ssh channel — and only for the polecat and bead this host was given:
 * `done` (the branch is pushed to the shared remote, then filed at home), `prime`, `hook`,
 * `mail` (run at home as the polecat), and `agent scripted` (the scripted agent, its bead
 * handed over by home). Anything else is refused here.
 */
export async function runShim(args: readonly string[], io: ShimIo): Promise<number> {
  const socket = io.env.CITADEL_HOST_SOCKET;
  const polecat = io.env.CITADEL_POLECAT?.trim();
  if (!socket || !polecat) throw new CitadelError('refused', 'this citadel runs only inside a polecat on a remote host (no CITADEL_HOST_SOCKET/CITADEL_POLECAT)');
  const call = (verb: AgentMessage['verb'], callArgs: Record<string, unknown>): Promise<unknown> => callKeeper(socket, { t: 'agent', id: polecat, verb, args: callArgs });
  const [command, ...rest] = args;
  if (command === 'agent' && rest[0] === 'scripted') return runScripted(rest.slice(1), io, (await call('job', {})) as JobSpec & { worktree: string });
  if (command === 'done') {
    const options = parseOptions(rest, ['--bead', '--message'], ['--json']);
    const job = (await call('job', {})) as JobSpec;
    const submission = await inspectSubmission(io.cwd, job.mainBranch);
    if (submission.branch !== job.branch) throw new CitadelError('refused', `${submission.branch} is not this polecat's branch (${job.branch}): only ${job.branch} is submitted from this host`);
    const bead = options['--bead'] ?? job.bead;
    if (bead !== job.bead) throw new CitadelError('refused', `this host was given ${job.bead}, not ${bead}`);
    // The branch goes to the shared remote first; home fetches it from there for the refinery.
    const pushed = await gitRun(submission.worktree, ['push', '--quiet', '--force', 'origin', `refs/heads/${job.branch}:refs/heads/${job.branch}`]);
    if (pushed.code !== 0) throw new CitadelError('failed', `could not push ${job.branch} to the shared remote: ${(pushed.stderr.trim() || pushed.stdout.trim()).split('\n').slice(-2).join(' / ')}`);
    const result = (await call('done', { branch: job.branch, head: submission.head, bead, ...(options['--message'] ? { message: options['--message'] } : {}) })) as { id: string; created: boolean; state: string };
    if (options['--json']) io.out(`${JSON.stringify(result, null, 2)}\n`);
    else
      io.out(
        result.created
          ? `submitted ${job.branch} (${submission.commits} commit${submission.commits === 1 ? '' : 's'}) as merge request ${result.id}: the home town's refinery will land it\n`
          : `${job.branch} is already queued as merge request ${result.id} (${result.state})\n`,
      );
    return 0;
  }
  if ((FORWARDED as readonly string[]).includes(command ?? '')) {
    const result = (await call('cli', { argv: args })) as { code: number; stdout: string; stderr: string };
    if (result.stdout) io.out(result.stdout);
    if (result.stderr) io.err(result.stderr);
    return result.code;
  }
  throw new CitadelError('refused', `on a remote host citadel runs only done, ${FORWARDED.join(', ')} and agent scripted: this host acts only on the work it was given (\`citadel ${command ?? ''}\` belongs to the home town)`);
}

async function runScripted(args: readonly string[], io: ShimIo, job: JobSpec & { worktree: string }): Promise<number> {
  const options = parseOptions(args, ['--bead', '--delay', '--flood'], ['--ask', '--fail', '--conflict', '--no-done']);
  if (options['--bead'] && options['--bead'] !== job.bead) throw new CitadelError('refused', `this host was given ${job.bead}, not ${options['--bead']}`);
  const delayMs = Number(options['--delay'] ?? (io.env.CITADEL_SCRIPTED_DELAY_MS || '300'));
  if (!Number.isInteger(delayMs) || delayMs < 0) throw usage(`--delay takes milliseconds (got ${JSON.stringify(options['--delay'])})`);
  const { switchesFrom } = await import('../scripted-agent/switches.js');
  const { runScriptedAgent } = await import('../scripted-agent/scripted.js');
  const bead = job.beadRecord as unknown as Bead;
  const switches = switchesFrom(
    {
      ...(options['--ask'] ? { ask: true } : {}),
      ...(options['--fail'] ? { fail: true } : {}),
      ...(options['--conflict'] ? { conflict: true } : {}),
      ...(options['--flood'] !== undefined ? { flood: Number(options['--flood']) || 0 } : {}),
      delayMs,
      done: !options['--no-done'],
    },
    bead.labels ?? [],
  );
  const color = !io.env.NO_COLOR && process.stdout.isTTY === true;
  return runScriptedAgent({
    worktree: io.cwd,
    polecat: job.id,
    bead,
    gates: job.gates,
    mainBranch: job.mainBranch,
    switches,
    out: { write: (text) => process.stdout.write(text), isTTY: process.stdout.isTTY === true, color },
    input: process.stdin,
    env: io.env,
    citadel: [process.execPath, process.argv[1] ?? 'citadel', 'host', 'shim'],
  });
}

/** `--name value` options and flags; anything else is a usage error (the shim's few commands take no more). */
function parseOptions(args: readonly string[], valued: readonly string[], flags: readonly string[]): Record<string, string | undefined> {
  const options: Record<string, string | undefined> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    if (valued.includes(name)) {
      const value = eq === -1 ? args[++i] : arg.slice(eq + 1);
      if (value === undefined) throw usage(`${name} needs a value`);
      options[name] = value;
    } else if (flags.includes(arg)) options[arg] = 'true';
    else throw usage(`unknown option ${JSON.stringify(arg)} (on a remote host: ${[...valued, ...flags].join(', ')})`);
  }
  return options;
}

/** One request to the keeper on its socket; waits for its answer (home may be away for a while). */
export function callKeeper(path: string, message: AgentMessage, timeoutMs = 30 * 60_000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    socket.setEncoding('utf8');
    let answered = false;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new CitadelError('failed', `no answer from the home town within ${Math.round(timeoutMs / 60_000)} min (is its daemon running and the host reachable?)`));
    }, timeoutMs);
    const reader = new LineReader(
      (line) => {
        const reply = parseMessage<{ t: string; ok?: boolean; result?: unknown; error?: string }>(line);
        if (!reply || reply.t !== 'reply' || answered) return;
        answered = true;
        clearTimeout(timer);
        socket.destroy();
        if (reply.ok) resolve(reply.result);
        else reject(new CitadelError('failed', reply.error ?? 'the home town refused'));
      },
      () => socket.destroy(),
    );
    socket.on('connect', () => socket.write(encode(message)));
    socket.on('data', (chunk: string) => reader.push(chunk));
    socket.on('error', (error) => {
      clearTimeout(timer);
      if (!answered) reject(new CitadelError('failed', `cannot reach this host's keeper at ${path}: ${error.message}`));
    });
    socket.on('close', () => {
      clearTimeout(timer);
      if (!answered) reject(new CitadelError('failed', 'the keeper closed the connection without an answer'));
    });
  });
}
