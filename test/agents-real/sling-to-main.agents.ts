/**
 * The agents tier (`npm run test:agents`): each of the four real agent CLIs — claude, codex,
 * gemini, opencode, pinned and installed outside the repository by install.ts — takes a bead
 * from `citadel sling` to merged on main, in a citadel pane, against a stand-in model server
 * that scripts its turns. Everything else is real: the town, the daemon, the pty, the CLI,
 * git, `citadel done`, the refinery and its gate.
 *
 * Along the way it samples the polecat's status (as `citadel polecat list --json` shows it) and holds it against the truth it
 * knows (the stand-in sees the model streaming; the pane's screen shows the permission prompt).
 * Asserted (correctness, with deadlines a loaded 2-core CI machine meets): working while the
 * model streams and until it ends; waiting while a permission prompt is up, and only waiting
 * once there (the prompts blink); idle after the turn and never working after that. Measured and
 * printed, not asserted (performance): the issue's budgets of waiting within 1 s of a prompt and
 * idle within 2 s of the end of the turn (`figures.budget`). Soft assertions, so a wrong status is
 * reported without stopping the walk to main. After each test every process left under its
 * scratch folders is ended, and none may remain (processes.ts).
 */
import { readdirSync, readFileSync, statSync, writeFileSync, type Dirent } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { git } from '../helpers/git.js';
import { tempDir, waitFor } from '../helpers/temp.js';
import { FrameScreen, json, makeTown, type TestTown } from '../integration/daemon/harness.js';
import type { DaemonClient } from '../../src/daemon/client.js';
import { openTownAt } from '../../src/town/town.js';
import { agentEnv } from './agent-env.js';
import { AGENT_PACKAGES, installed, type AgentName } from './install.js';
import { endProcessesUnder } from './processes.js';
import { startStandIn, type StandIn, type Step } from './stand-in.js';

interface Spec {
  agent: AgentName;
  /** The permission prompt on the pane's screen: the truth for "waiting". */
  prompt: RegExp;
  /** The keys that approve it once (the highlighted first choice). */
  approve: string;
}

const specs: Spec[] = [
  { agent: 'claude', prompt: /Do you want to proceed\?/, approve: '\r' },
  { agent: 'codex', prompt: /Would you like to run the following command\?/, approve: 'y' },
  { agent: 'gemini', prompt: /Allow execution of/, approve: '\r' },
  { agent: 'opencode', prompt: /Permission required/, approve: '\r' },
];

const ci = process.env.CI === 'true';
const present = installed();
/** Where the figures go, one JSON line per agent, for the report (and a human reading the run). */
const figuresFile = process.env.CITADEL_AGENTS_FIGURES;

interface Sample {
  start: number;
  end: number;
  status: string;
}

let cleanup: (() => Promise<void>)[] = [];
/** What the sweep of the test's scratch folders found (processes.ts), once its town is stopped. */
let swept: Awaited<ReturnType<typeof endProcessesUnder>> | undefined;
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
  cleanup = [];
  const found = swept;
  swept = undefined;
  if (found && found.ended.length > 0) {
    process.stdout.write(`agents tier: ended ${found.ended.length} leftover process(es): ${found.ended.map((p) => `${p.pid} [${p.by}] ${p.cmdline}`).join(' | ')}\n`);
  }
  expect(found?.left ?? [], 'processes still running under the test\'s scratch folders after the sweep').toEqual([]);
});

describe.each(specs)('$agent through citadel, sling to main', (spec) => {
  const pkg = AGENT_PACKAGES.find((p) => p.agent === spec.agent)!;
  if (!present.has(spec.agent)) {
    process.stderr.write(`\n!!! agents tier: ${pkg.pkg}@${pkg.version} is NOT installed (install.ts failed): ${spec.agent} is not tested${ci ? ' — failing, CI=true' : ''}\n\n`);
    if (ci) {
      it(`${spec.agent} is installed (CI)`, () => {
        expect.fail(`${pkg.pkg}@${pkg.version} could not be installed`);
      });
    } else {
      it.skip(`${spec.agent}: NOT INSTALLED (${pkg.pkg}@${pkg.version}), not tested`, () => undefined);
    }
    return;
  }

  it(
    'edits, commits and submits through the real CLI; the refinery merges it; the statuses tell the truth',
    async () => {
      const content = `hello from ${spec.agent}`;
      const script: Step[] = [
        { kind: 'shell', command: `printf '%s\\n' '${content}' > hello.txt`, why: 'write hello.txt' },
        { kind: 'shell', command: `git add hello.txt && git commit -q -m '${spec.agent}: hello' && citadel done`, why: 'commit and submit' },
        { kind: 'text', text: 'Submitted hello.txt.' },
      ];
      const standIn = await startStandIn(script);
      cleanup.push(() => standIn.close());
      const home = tempDir(`citadel-agent-${spec.agent}-`);
      cleanup.push(async () => home.dispose());
      const url = standIn.url;
      const env = agentEnv(spec.agent, { home: home.path, url, trusted: [] });
      const town = await makeTown({ env });
      // After the town is stopped (cleanup runs last-in first), while the folders still exist:
      // whatever the test caused and is still running under its scratch folders is ended, and
      // none may be left (processes.ts). Codex's app-server daemon is one.
      const scratch = [home.path, town.root, dirname(town.runtime)];
      cleanup.push(async () => {
        swept = await endProcessesUnder(scratch);
      });
      cleanup.push(() => town.dispose());
      // The user trusted their repository once (worktrees live under it); nothing more.
      agentEnv(spec.agent, { home: home.path, url, trusted: [town.root] });
      const gate = `const f=require('fs');process.exit(f.existsSync('hello.txt')&&f.readFileSync('hello.txt','utf8')===${JSON.stringify(`${content}\n`)}?0:1)`;
      const configPath = join(town.root, '.citadel', 'config.json');
      const config = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
      writeFileSync(configPath, `${JSON.stringify({ ...config, gates: [['node', '-e', gate]] }, null, 2)}\n`);
      git(town.root, 'add', '-A');
      git(town.root, 'commit', '-q', '-m', 'gate', '--allow-empty');
      const trust = await town.cli(['trust']);
      expect(trust.code, trust.stderr).toBe(0);

      const { id: bead } = await json<{ id: string }>(town, ['bead', 'create', 'Say hello in hello.txt']);
      const hold0 = standIn.hold(0);
      const hold2 = standIn.hold(2);
      const t0 = Date.now();
      const sling = await town.cli(['sling', bead, '--agent', spec.agent, '--json']);
      expect(sling.code, sling.stderr).toBe(0);
      const { polecat } = JSON.parse(sling.stdout) as { polecat: string };

      const client = await town.client('agents-tier');
      const screen = new FrameScreen();
      await client.subscribe(polecat, (frame) => {
        screen.apply(frame);
      });
      const sampler = sampleStatuses(client, polecat);
      cleanup.push(() => sampler.stop());
      const fail = (what: string) => (error: unknown) => {
        throw new Error(`${spec.agent}: ${what}: ${(error as Error).message}\n${diagnostics(town, standIn, screen, sampler.samples)}\n${agentLogs(home.path)}`);
      };
      const figures: Record<string, unknown> = { agent: spec.agent };

      // Deadlines for the status to get right: generous, a loaded 2-core CI machine is slow. The
      // issue's budgets (waiting ≤ 1 s after a prompt, idle ≤ 2 s after the turn) are performance:
      // measured and printed (figures.budget), not asserted. What is asserted is correctness: the
      // status gets there while the truth still holds, and stays there.
      const settleMs = 15_000;
      /**
       * Waits (deadline settleMs + runMs) until the samples since `from` end in an unbroken run
       * of `status` at least `runMs` long: the status got there and stayed. A stale sample from
       * before (still "waiting" from the last prompt) does not count: the run must reach the end.
       */
      const settledRun = (from: number, status: string, runMs: number, what: string) =>
        waitFor(
          () => {
            const since = sampler.samples.filter((s) => s.start >= from);
            let i = since.length;
            while (i > 0 && since[i - 1]!.status === status) i--;
            const first = since[i];
            const last = since.at(-1);
            if (!first || !last || last.end - first.start < runMs) return undefined;
            return { first, before: tally(since.slice(0, i)), run: since.length - i };
          },
          `${what}: status ${status} for ${runMs} ms`,
          { timeoutMs: settleMs + runMs, intervalMs: 20 },
        ).catch(() => undefined);
      /** ms from `from` to the first look that saw the status of the run. */
      const latency = (run: { first: Sample } | undefined, from: number) => (run ? Math.max(0, run.first.end - from) : null);

      // 1. The model streams (held after its first event): working, and working until it ends.
      await within(hold0.reached, 120_000, 'the first model request').catch(fail('starting'));
      const streamStart = Date.now();
      const truth: Record<string, number> = { streamStart };
      figures.firstRequestMs = streamStart - t0;
      const streaming = await settledRun(streamStart, 'working', 1500, 'the model streams');
      const cli: Record<string, string | undefined> = { whileStreaming: await cliStatus(town, polecat) };
      truth.streamEnd = Date.now();
      hold0.release();
      expect.soft(streaming, `status working while the model streams (held until 1.5 s of working, ≤ ${settleMs} ms)`).toBeDefined();
      figures.workingMs = latency(streaming, streamStart);
      figures.whileStreaming = streaming && { before: streaming.before, working: streaming.run };

      // 2 and 3. A permission prompt for each command: waiting while it is up, and only waiting
      // once there for 2 s (the prompts blink: animation is not work); approve it.
      const waitingLatencies: (number | null)[] = [];
      const promptRuns: unknown[] = [];
      for (const n of [1, 2]) {
        await waitFor(() => spec.prompt.test(screen.text()), `permission prompt ${n} on the screen`, { timeoutMs: 30_000, intervalMs: 20 }).catch(
          fail(`permission prompt ${n}`),
        );
        const shown = Date.now();
        truth[`prompt${n}`] = shown;
        const waiting = await settledRun(shown, 'waiting', 2000, `prompt ${n}`);
        expect.soft(waiting, `prompt ${n}: status waiting while it is up, then 2 s unbroken (≤ ${settleMs} ms)`).toBeDefined();
        expect.soft(spec.prompt.test(screen.text()), `prompt ${n} still up before it is answered`).toBe(true);
        waitingLatencies.push(latency(waiting, shown));
        promptRuns.push(waiting && { before: waiting.before, waiting: waiting.run });
        cli[`prompt${n}`] = await cliStatus(town, polecat);
        truth[`approve${n}`] = Date.now();
        await client.request('input', { pane: polecat, data: spec.approve });
        await waitFor(() => !spec.prompt.test(screen.text()), `prompt ${n} answered`, { timeoutMs: 10_000 }).catch(fail(`answering prompt ${n}`));
      }
      figures.waitingMs = waitingLatencies;
      figures.whilePrompted = promptRuns;

      // 4. `citadel done` ran; the model streams its last words (held): working again, and still.
      await within(hold2.reached, 30_000, 'the last model request (after citadel done)').catch(fail('submitting'));
      const lastStart = Date.now();
      truth.lastStart = lastStart;
      const lastStreaming = await settledRun(lastStart, 'working', 1500, 'the last answer streams');
      cli.afterDone = await cliStatus(town, polecat);
      truth.lastEnd = Date.now();
      hold2.release();
      expect.soft(lastStreaming, `status working while the last answer streams (≤ ${settleMs} ms)`).toBeDefined();
      figures.workingAfterDoneMs = latency(lastStreaming, lastStart);
      figures.whileStreamingAfterDone = lastStreaming && { before: lastStreaming.before, working: lastStreaming.run };

      // 5. The turn ends: idle, and never working again on a screen that only animates (4 s).
      await waitFor(() => screen.has('Submitted hello.txt.'), 'the last answer on the screen', { timeoutMs: 20_000 }).catch(fail('the end of the turn'));
      // The turn is over when its last words are on the screen (the stream ended just before).
      const turnEnd = Date.now();
      truth.turnEnd = turnEnd;
      const idle = await settledRun(turnEnd, 'idle', 4000, 'the turn ended');
      expect.soft(idle, `status idle after the turn, then 4 s unbroken (≤ ${settleMs} ms)`).toBeDefined();
      figures.idleMs = latency(idle, turnEnd);
      const afterTurn = sampler.samples.filter((s) => s.start >= (idle?.first.start ?? turnEnd));
      figures.afterTurn = { before: idle?.before, ...tally(afterTurn) };
      expect.soft(afterTurn.filter((s) => s.status === 'working'), 'statuses once idle after the turn (never working)').toEqual([]);
      cli.afterTurn = await cliStatus(town, polecat);
      // And `citadel polecat list` showed the same at each milestone.
      figures.cli = cli;
      expect.soft(cli, 'citadel polecat list at the milestones').toEqual({
        whileStreaming: 'working',
        prompt1: 'waiting',
        prompt2: 'waiting',
        afterDone: 'working',
        afterTurn: 'idle',
      });
      // The issue's budgets, as measured (performance: reported, not asserted).
      const within1s = (ms: number | null) => (ms === null ? 'never' : `${ms} ms${ms <= 1000 ? '' : ' OVER 1 s'}`);
      figures.budget = {
        waiting: waitingLatencies.map(within1s),
        idle: figures.idleMs === null ? 'never' : `${figures.idleMs as number} ms${(figures.idleMs as number) <= 2000 ? '' : ' OVER 2 s'}`,
      };

      // 6. The refinery ran the gate and landed the work: the bead is closed, main has the file.
      const closed = await waitFor(
        async () => {
          const shown = await json<{ status: string }>(town, ['bead', 'show', bead]);
          return shown.status === 'closed' ? shown : undefined;
        },
        `bead ${bead} closed by the refinery`,
        { timeoutMs: 30_000, intervalMs: 250 },
      ).catch(fail('merging'));
      expect(closed.status).toBe('closed');
      expect(git(town.root, 'show', 'main:hello.txt')).toBe(content);
      figures.slingToMergedMs = Date.now() - t0;
      // Status changes and the truth's milestones, ms after sling: the story behind a wrong figure.
      figures.changes = changes(sampler.samples, t0);
      figures.truth = Object.fromEntries(Object.entries(truth).map(([k, v]) => [k, v - t0]));
      figures.journal = statusRecords(town.root, polecat, t0);
      figures.sideRequests = [...new Set(standIn.requests.filter((r) => !r.main).map((r) => `${r.method} ${r.path.replace(/\?.*/, '')} ${r.status}`))];
      await sampler.stop();
      figures.samples = sampler.samples.length;
      if (figuresFile) writeFileSync(figuresFile, `${JSON.stringify(figures)}\n`, { flag: 'a' });
      process.stdout.write(`agents tier figures: ${JSON.stringify(figures)}\n`);
      client.close();
    },
    240_000,
  );
});

/**
 * Samples the polecat's live status every 50 ms through the daemon's `list` verb — the very
 * value `citadel polecat list` prints for a running pane — so latencies measure the witness, not
 * the ~0.3–0.8 s a fresh `citadel` process takes to start on a loaded machine. The CLI itself is
 * checked at each milestone (cliStatus).
 */
function sampleStatuses(client: DaemonClient, polecat: string): { samples: Sample[]; stop: () => Promise<void> } {
  const samples: Sample[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const start = Date.now();
      try {
        const panes = await client.request('list');
        const pane = panes.find((p) => p.id === polecat);
        if (pane) samples.push({ start, end: Date.now(), status: pane.status });
      } catch (error) {
        if (!running || client.closed) return;
        samples.push({ start, end: Date.now(), status: `error: ${(error as Error).message}` });
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return {
    samples,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

/**
 * The polecat's status story as the journal has it, ms after `t0`: the agent's own reports
 * (`report`: which hook said what) and the witness's changes (`status`: from the screen, or a
 * report it preferred). Tells a hook that fired from a screen that was read.
 */
function statusRecords(root: string, polecat: string, t0: number): [number, string, string][] {
  const town = openTownAt(root, 'agents-tier');
  try {
    const out: [number, string, string][] = [];
    for (const record of town.journal.records()) {
      if (record.kind !== 'polecats' || record.id !== polecat || (record.action !== 'report' && record.action !== 'status')) continue;
      out.push([Date.parse(record.ts) - t0, record.action, record.summary ?? '']);
    }
    return out;
  } finally {
    town.close();
  }
}

/** What `citadel polecat list --json` shows for the polecat now. */
async function cliStatus(town: TestTown, polecat: string): Promise<string | undefined> {
  const rows = await json<{ name: string; status: string }[]>(town, ['polecat', 'list']);
  return rows.find((p) => p.name === polecat)?.status;
}

/** The tail of the newest log file the agent wrote in its scratch home (opencode, gemini and codex keep logs there). */
function agentLogs(home: string): string {
  const logs: { path: string; mtime: number }[] = [];
  const walk = (dir: string, depth: number): void => {
    if (depth > 6) return;
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== 'node_modules') walk(path, depth + 1);
      else if (entry.isFile() && /\.log$/.test(entry.name)) logs.push({ path, mtime: statSync(path).mtimeMs });
    }
  };
  walk(home, 0);
  const newest = logs.sort((a, b) => b.mtime - a.mtime)[0];
  if (!newest) return '--- agent log: none';
  return `--- agent log ${newest.path}:\n${readFileSync(newest.path, 'utf8').split('\n').slice(-25).map((l) => l.slice(0, 300)).join('\n')}`;
}

/** `promise`, or a rejection naming `what` after `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** The samples where the status changed: [ms after `t0`, status]. */
function changes(samples: Sample[], t0: number): [number, string][] {
  const out: [number, string][] = [];
  for (const s of samples) if (out.at(-1)?.[1] !== s.status) out.push([s.end - t0, s.status]);
  return out;
}

function tally(samples: Sample[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of samples) counts[s.status] = (counts[s.status] ?? 0) + 1;
  return counts;
}

/** What a failure needs to be understood: the pane's screen, the model requests, the statuses, the daemon's log. */
function diagnostics(town: TestTown, standIn: StandIn, screen: FrameScreen, samples: Sample[]): string {
  let log = '';
  try {
    log = readFileSync(join(town.root, '.citadel', 'run', 'daemon.log'), 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    log = '(no daemon log)';
  }
  const first = samples[0]?.start ?? 0;
  const statuses = samples.map((s) => `${((s.start - first) / 1000).toFixed(1)}:${s.status}`).join(' ');
  const requests = standIn.requests.map((r) => `${r.method} ${r.path} ${r.status}${r.main ? ` step ${r.step}` : ''}`).join('\n');
  return `--- screen:\n${screen.text()}\n--- model requests:\n${requests}\n--- statuses:\n${statuses}\n--- daemon log:\n${log}`;
}
