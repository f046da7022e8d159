import { join, relative } from 'node:path';
import { CitadelError } from '../common/errors.js';
import type { Bead } from '../model/bead.js';
import { modelContext, type ModelContext } from '../model/context.js';
import { loadConfig, type TownConfig } from '../town/config.js';
import { appendPrivate, ensurePrivateDir } from '../town/private-fs.js';
import { openTownAt, type Town } from '../town/town.js';
import { fingerprint, gatesTrusted, stepGateTrusted } from '../town/trust.js';
import { approvalFor, type GateRun } from '../model/validation.js';
import { readTrust } from '../town/trust-store.js';
import { advanceMain } from './advance-main.js';
import { buildCandidate, openWorkspace, resetWorkspace, type RefineryWorkspace } from './candidate.js';
import { endOrphanGate, runGate, splitGate, type GateResult } from './gates.js';
import { acquireLock } from '../git/lock.js';
import { isSafeBranchName, validateBeadId } from '../git/names.js';
import { readBranchTip } from '../git/refs.js';
import { awaitingReview, mainHealth, mergeRequests, isActive, queuedRequests, type MergeRequest, type Validation } from './queue.js';
import { bounced, mainBroken, mainHealthy, merged, progress, tellOverseer, type VerdictRecord } from './verdicts.js';
import { gitRun } from '../git/run.js';

/** How `runRefinery` runs. */
export interface RefineryOptions {
  /** Stops the loop (the daemon's shutdown); a running gate is ended and its request requeued. */
  readonly signal?: AbortSignal;
  /** Work through the requests queued now, then return instead of waiting for more. */
  readonly once?: boolean;
  /** Progress lines ("ct-ab12: rebase onto 3f2a…"), for `refinery run` and the daemon's log. */
  readonly log?: (line: string) => void;
  /** How often the journal's head is checked for new requests (default 250 ms; an O(1) read). */
  readonly pollMs?: number;
  /** How long a held request (or a broken main) waits before the next try (default 5 s). */
  readonly retryMs?: number;
  /** Where the trust store is found (`XDG_DATA_HOME`, `HOME`); default the process's environment. */
  readonly env?: NodeJS.ProcessEnv;
}

/** What one run did. */
export interface RefineryRun {
  readonly merged: string[];
  readonly rejected: string[];
  /** Requests left waiting (held landing, broken main) when a `once` run returned. */
  readonly waiting: string[];
}

type Outcome = 'merged' | 'rejected' | 'held' | 'main-broken' | 'interrupted' | 'review' | 'gone';

/** How many times main may move under one request before the refinery gives up for this round. */
const maxMoves = 20;

/**
 * The refinery: lands merge requests on main one at a time, behind the gates (docs/refinery.md).
 * Hosted by the daemon or run alone (`citadel refinery run`). One per town: a second one gets
 * a `conflict` error. Safe to kill at any point: main is only ever moved by one atomic
 * fast-forward, and a request interrupted mid-way is finished or retried on the next start.
 */
export async function runRefinery(town: string | Town, options: RefineryOptions = {}): Promise<RefineryRun> {
  const root = typeof town === 'string' ? town : town.paths.root;
  const own = openTownAt(root, 'refinery');
  const release = acquireLock(join(own.paths.run, 'refinery.lock'), 'the refinery of this town');
  try {
    const worker = await Refinery.open(own, options);
    return await worker.loop();
  } finally {
    release();
    own.close();
  }
}

class Refinery {
  private readonly run: RefineryRun = { merged: [], rejected: [], waiting: [] };
  /** Requests not to retry before a time (held landings). */
  private readonly notBefore = new Map<string, number>();

  private constructor(
    private readonly town: Town,
    private readonly ws: RefineryWorkspace,
    private readonly options: RefineryOptions,
  ) {}

  static async open(town: Town, options: RefineryOptions): Promise<Refinery> {
    ensurePrivateDir(town.paths.logs);
    await endOrphanGate(join(town.paths.run, 'refinery-gate.pid'));
    const ws = await openWorkspace(town.paths.root, town.config.mainBranch);
    return new Refinery(town, ws, options);
  }

  private get config(): TownConfig {
    return loadConfig(this.town.paths.config);
  }

  private context(): ModelContext {
    return modelContext('refinery', this.config.prefix);
  }

  private say(line: string): void {
    this.options.log?.(line);
  }

  private aborted(): boolean {
    return this.options.signal?.aborted === true;
  }

  async loop(): Promise<RefineryRun> {
    await this.recover();
    for (;;) {
      if (this.aborted()) return this.run;
      const seq = this.town.journal.headSeq();
      const next = await this.pickNext();
      if (next === 'main-broken') {
        if (this.options.once) {
          this.run.waiting.push(...queuedRequests(this.town.journal.read()).map((mr) => mr.id));
          return this.run;
        }
        await this.sleep(this.options.retryMs ?? 5000, seq);
        continue;
      }
      if (!next) {
        if (this.options.once) {
          const queued = queuedRequests(this.town.journal.read());
          this.run.waiting.push(...[...this.notBefore.keys()].filter((id) => queued.some((mr) => mr.id === id)));
          // Requests waiting for a person's review are waiting too.
          this.run.waiting.push(...queued.filter((mr) => this.waitsForReview(mr) && !this.run.waiting.includes(mr.id)).map((mr) => mr.id));
          return this.run;
        }
        await this.sleep(this.notBefore.size > 0 ? Math.min(this.options.retryMs ?? 5000, 1000) : 60_000, seq);
        continue;
      }
      const outcome = await this.processSafely(next);
      if (outcome === 'merged') this.run.merged.push(next.id);
      if (outcome === 'rejected') this.run.rejected.push(next.id);
      if (outcome === 'merged' || outcome === 'rejected') this.notBefore.delete(next.id);
      if (outcome === 'held') this.notBefore.set(next.id, Date.now() + (this.options.retryMs ?? 5000));
      if (outcome === 'interrupted') return this.run;
    }
  }

  /**
   * One request, never taking the lane down: an unexpected failure (a git error, a full disk)
   * holds that request with the error as its reason, and the refinery goes on with the others.
   */
  private async processSafely(mr: MergeRequest): Promise<Outcome> {
    try {
      return await this.process(mr);
    } catch (error) {
      if (this.aborted()) return 'interrupted';
      const now = this.town.journal.read().get('beads', mr.id) as MergeRequest | undefined;
      if (now?.state === 'merged' || now?.state === 'rejected') {
        // A verdict given meanwhile (`citadel reject`): the request is finished, nothing to hold.
        this.say(`${mr.id}: ${now.state} meanwhile; stopped`);
        this.ws.dirty = true;
        await resetWorkspace(this.ws, await this.mainTip());
        return 'gone';
      }
      const message = error instanceof Error ? error.message : String(error);
      this.ws.dirty = true;
      try {
        await resetWorkspace(this.ws, await this.mainTip());
      } catch {
        // The next attempt resets again.
      }
      return this.hold(mr, `unexpected error: ${message}`);
    }
  }

  /** The next request to work on, or 'main-broken' while main's current tip fails its gates. */
  private async pickNext(): Promise<MergeRequest | 'main-broken' | undefined> {
    this.reviewRequired = undefined;
    const state = this.town.journal.read();
    const broken = mainHealth(state);
    if (broken && broken.sha === (await this.mainTip())) return 'main-broken';
    const now = Date.now();
    if (this.options.once) {
      // A `once` run tries each request once: a held one is reported, not retried.
      return queuedRequests(state).find((mr) => !this.notBefore.has(mr.id) && !this.waitsForReview(mr));
    }
    return queuedRequests(state).find((mr) => (this.notBefore.get(mr.id) ?? 0) <= now && !this.waitsForReview(mr));
  }

  /** Held for a person's review (and review is still required: a town that turned it off lands it). */
  private waitsForReview(mr: MergeRequest): boolean {
    return awaitingReview(mr) && (this.reviewRequired ??= this.config.review === 'required');
  }

  /** Config `review`, read once per pick (the config is read afresh each time otherwise). */
  private reviewRequired: boolean | undefined;

  /** Sleeps until the journal changes (a new request), the deadline passes, or the signal fires. */
  private async sleep(ms: number, seq: number): Promise<void> {
    const deadline = Date.now() + ms;
    const poll = this.options.pollMs ?? 250;
    while (!this.aborted() && Date.now() < deadline && this.town.journal.headSeq() === seq) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, poll);
        const signal = this.options.signal;
        function done(): void {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          resolve();
        }
        signal?.addEventListener('abort', done, { once: true });
      });
    }
  }

  private async mainTip(): Promise<string> {
    const fromFiles = readBranchTip(this.town.paths.root, this.config.mainBranch);
    if (fromFiles) return fromFiles;
    const result = await gitRun(this.town.paths.root, ['rev-parse', '--verify', '--quiet', `refs/heads/${this.config.mainBranch}^{commit}`]);
    if (result.code !== 0) throw new CitadelError('not_found', `branch ${this.config.mainBranch} not found (config "mainBranch")`);
    return result.stdout.trim();
  }

  /** main's tip and the branch's (undefined when the branch is gone): from the ref files, else one git call. */
  private async tips(branch: string): Promise<[string, string | undefined]> {
    const root = this.town.paths.root;
    const [mainFromFiles, tipFromFiles] = [readBranchTip(root, this.config.mainBranch), readBranchTip(root, branch)];
    if (mainFromFiles && tipFromFiles) return [mainFromFiles, tipFromFiles];
    const both = await gitRun(this.town.paths.root, ['rev-parse', `refs/heads/${this.config.mainBranch}^{commit}`, `refs/heads/${branch}^{commit}`]);
    const [main, tip] = both.stdout.split('\n');
    if (both.code === 0 && main && tip) return [main, tip];
    return [await this.mainTip(), undefined];
  }

  private async isAncestor(commit: string, of: string): Promise<boolean> {
    return (await gitRun(this.town.paths.root, ['merge-base', '--is-ancestor', commit, of])).code === 0;
  }

  /**
   * After a crash: a request that was being worked on either landed (its candidate is on main:
   * finish the verdict) or did not (requeue it). Then the workspace is reset, whatever it held.
   */
  private async recover(): Promise<void> {
    const active = mergeRequests(this.town.journal.read()).filter(isActive);
    const tip = await this.mainTip();
    for (const mr of active) {
      const notes = mr.refinery ?? {};
      if (notes.stage === 'landing' && notes.candidate && notes.validation && (await this.isAncestor(notes.candidate, tip))) {
        this.say(`${mr.id}: landed before an interruption; recording the merge`);
        await this.town.journal.mutate(merged(this.context(), mr.id, notes.validation, this.verdictRecord(notes.validation.gates_hash ?? null, notes.validation.branch_commit ?? null)));
        this.run.merged.push(mr.id);
      } else {
        this.say(`${mr.id}: interrupted at ${notes.stage ?? mr.state}; requeued`);
        this.appendLog(mr.id, `\n== interrupted at ${notes.stage ?? mr.state} (refinery stopped); retrying ==\n`);
        await this.town.journal.mutate(progress(this.context(), mr.id, 'queued', { stage: 'requeued after an interruption' }));
      }
    }
    await resetWorkspace(this.ws, tip);
  }

  private logFile(id: string): string {
    return join(this.town.paths.logs, `${validateBeadId(id)}.log`);
  }

  /** The log is not truth: a log that cannot be written (a link planted there) never stops the lane. */
  private appendLog(id: string, text: string): void {
    try {
      appendPrivate(this.logFile(id), text);
    } catch (error) {
      this.say(`${id}: log not written: ${(error as Error).message}`);
    }
  }

  /** Works one request to a verdict (or a hold). */
  private async process(mr: MergeRequest): Promise<Outcome> {
    const config = this.config;
    const context = this.context();
    const journal = this.town.journal;
    const logPath = relative(this.town.paths.root, this.logFile(mr.id));
    const branch = mr.branch ?? '';
    const bead = mr.bead ? (journal.read().get('beads', mr.bead) as Bead | undefined) : undefined;
    const started = Date.now();

    if (!isSafeBranchName(branch)) {
      return this.bounce(mr, { reason: `invalid branch name ${JSON.stringify(branch)}`, details: `The merge request names the branch ${JSON.stringify(branch)}, which citadel refuses.`, notes: { log: logPath } });
    }
    // Trust before anything runs: a gate from a clone, a pull, an import or a polecat's pour
    // waits for `citadel trust`; the request is held, never landed without its gates.
    const untrusted = this.untrusted(config, bead);
    if (untrusted) return this.hold(mr, untrusted, `${branch} was neither gated nor landed`);
    let gates: string[][];
    try {
      gates = [...config.gates, ...stepGate(bead)];
    } catch (error) {
      return this.bounce(mr, { reason: (error as Error).message, details: `The bead's Gate: could not be run: ${(error as Error).message}`, notes: { log: logPath } });
    }

    for (let move = 0; move < maxMoves; move++) {
      if (this.aborted()) return this.interrupt(mr);
      const [mainTip, branchTip] = await this.tips(branch);
      if (!branchTip) {
        return this.bounce(mr, { reason: `branch ${branch} does not exist`, details: `The refinery found no branch ${branch} to land. Commit your work on it and run \`citadel done\` again.`, notes: { log: logPath } });
      }
      const attempts = (journal.read().get('beads', mr.id) as MergeRequest | undefined)?.refinery?.attempts ?? 0;
      const mode = config.mergeMode;
      this.appendLog(mr.id, `\n== ${new Date().toISOString()} attempt ${attempts + 1}: ${mode} ${branch} (${branchTip.slice(0, 10)}) onto ${config.mainBranch} (${mainTip.slice(0, 10)}) ==\n`);
      this.say(`${mr.id}: ${mode} ${branch} onto ${config.mainBranch} ${mainTip.slice(0, 10)}`);
      await journal.mutate(progress(context, mr.id, 'merging', { stage: mode, attempts: attempts + 1, log: logPath, main_before: mainTip, started_at: new Date().toISOString(), held: null }));

      const built = await buildCandidate(this.ws, { mainTip, branchTip, mode, message: `Merge ${branch}${mr.bead ? ` (${mr.bead})` : ''}` });
      if (built.kind === 'conflict') {
        this.appendLog(mr.id, `conflict in: ${built.files.join(', ')}\n${built.detail}\n`);
        const files = built.files.length > 0 ? built.files : ['(see the log)'];
        return this.bounce(mr, {
          reason: `conflicts with ${config.mainBranch} in ${files.join(', ')}`,
          details:
            `The refinery could not land ${branch} (${mr.id}): it conflicts with ${config.mainBranch} at ${mainTip.slice(0, 10)}.\n` +
            `Conflicting files:\n${files.map((file) => `  - ${file}`).join('\n')}\n\n` +
            `Your branch is exactly as you left it. To rework it, in your worktree:\n` +
            `  git rebase ${config.mainBranch}     # resolve each conflict, git add, git rebase --continue\n` +
            `then run \`citadel done\` again.`,
          notes: { log: logPath, conflicts: files },
          record: this.verdictRecord(fingerprint(gates), branchTip, [], mainTip),
        });
      }
      const { candidate, commits } = built;

      const results: GateResult[] = [];
      if (gates.length > 0) await journal.mutate(progress(context, mr.id, 'testing', { stage: 'gates', candidate }));
      for (const [index, argv] of gates.entries()) {
        const stage = `gate ${index + 1}/${gates.length}: ${argv.join(' ')}`;
        this.say(`${mr.id}: ${stage}`);
        await journal.mutate(progress(context, mr.id, 'testing', { stage }));
        this.ws.dirty = true;
        const result = await runGate(argv, this.gateOptions(mr.id, config));
        results.push(result);
        if (this.aborted()) return this.interrupt(mr);
        if (!result.ok) return this.gateFailed(mr, { argv, result, mainTip, logPath, record: this.verdictRecord(fingerprint(gates), branchTip, results, mainTip) });
      }

      const gateRuns: GateRun[] = results.map((result) => ({ argv: result.argv, ms: result.ms, code: result.code }));
      // A person's review (config `review: "required"`): the branch, as it is now, must be approved.
      if (config.review === 'required' && !approvalFor(journal.read(), mr.id, branchTip)) {
        return this.awaitReview(mr, { branchTip, mainTip, candidate, gates: gateRuns });
      }

      const validation: Validation = {
        validator: 'refinery',
        main_before: mainTip,
        merged_sha: candidate,
        commits,
        gates: gateRuns,
        total_ms: Date.now() - started,
        gates_hash: fingerprint(gates),
        branch_commit: branchTip,
      };
      // The draft verdict is written BEFORE main moves: after a crash right after the move,
      // recovery finds the candidate on main and completes the verdict from it.
      // Without gates this is also the first record of the candidate: one journal write, not two.
      await journal.mutate(progress(context, mr.id, 'testing', { stage: 'landing', candidate, validation }));
      if (this.aborted()) return this.interrupt(mr);
      const advanced = candidate === mainTip ? ({ kind: 'advanced', checkout: 'none' } as const) : await advanceMain(this.town.paths.root, config.mainBranch, mainTip, candidate);
      if (advanced.kind === 'moved') {
        this.appendLog(mr.id, `${config.mainBranch} moved to ${advanced.tip.slice(0, 10)} meanwhile: rebuilding on the new tip\n`);
        this.say(`${mr.id}: ${config.mainBranch} moved meanwhile; rebuilding on ${advanced.tip.slice(0, 10)}`);
        continue;
      }
      if (advanced.kind === 'held') return this.hold(mr, advanced.reason);
      this.appendLog(mr.id, `landed: ${config.mainBranch} ${mainTip.slice(0, 10)} → ${candidate.slice(0, 10)}${advanced.checkout === 'updated' ? ` (checkout at ${advanced.worktree} updated)` : ''}\n`);
      await journal.mutate(merged(context, mr.id, { ...validation, total_ms: Date.now() - started }, this.verdictRecord(validation.gates_hash ?? null, branchTip)));
      if (mainHealth(journal.read())) await journal.mutate(mainHealthy);
      this.say(`${mr.id}: merged as ${candidate.slice(0, 10)}`);
      return 'merged';
    }
    return this.hold(mr, `${config.mainBranch} kept moving during ${maxMoves} attempts`);
  }

  /** Why the gates this request needs may not run here (docs/refinery.md, "Trust"), or undefined. */
  private untrusted(config: TownConfig, bead: Bead | undefined): string | undefined {
    const record = readTrust(this.town.paths.root, this.options.env ?? process.env);
    const gate = (bead as { gate?: unknown } | undefined)?.gate;
    const hasStepGate = bead !== undefined && gate !== undefined && gate !== null && gate !== '';
    return gatesTrusted(record, config.gates) ?? (hasStepGate ? stepGateTrusted(record, bead.id, gate) : undefined);
  }

  private gateOptions(id: string, config: TownConfig): Parameters<typeof runGate>[1] {
    return {
      cwd: this.ws.path,
      timeoutMs: config.gateTimeoutSeconds * 1000,
      logFile: this.logFile(id),
      pidFile: join(this.town.paths.run, 'refinery-gate.pid'),
      ...(this.options.signal ? { signal: this.options.signal } : {}),
      env: { CITADEL_TOWN: this.town.paths.root, CITADEL_MERGE_REQUEST: id },
    };
  }

  /**
   * A gate failed on the candidate. If it fails on main's tip too, the branch is not to blame:
   * main is recorded broken, the overseer told, and the request waits for a fixed main.
   */
  private async gateFailed(mr: MergeRequest, failure: { argv: readonly string[]; result: GateResult; mainTip: string; logPath: string; record: VerdictRecord }): Promise<Outcome> {
    const { argv, result, mainTip, logPath } = failure;
    const command = argv.join(' ');
    const config = this.config;
    this.appendLog(mr.id, `\n== checking ${command} on ${config.mainBranch} itself (${mainTip.slice(0, 10)}) ==\n`);
    await this.town.journal.mutate(progress(this.context(), mr.id, 'testing', { stage: `checking ${command} on ${config.mainBranch}` }));
    await resetWorkspace(this.ws, mainTip);
    this.ws.dirty = true;
    const onMain = await runGate(argv, this.gateOptions(mr.id, config));
    if (this.aborted()) return this.interrupt(mr);
    if (!onMain.ok) {
      const broken = { sha: mainTip, argv, tail: onMain.tail, since: new Date().toISOString(), request: mr.id };
      await this.town.journal.mutate(
        mainBroken(
          this.context(),
          broken,
          `The gate \`${command}\` fails on ${config.mainBranch} itself at ${mainTip.slice(0, 10)}, so the refinery has stopped landing ` +
            `branches (it does not blame them). Fix ${config.mainBranch}; the queue resumes when its tip changes.\n` +
            `Log: ${logPath}\nLast lines:\n${onMain.tail}`,
        ),
      );
      await this.town.journal.mutate(progress(this.context(), mr.id, 'queued', { stage: 'waiting for main to be fixed', held: `${config.mainBranch} is broken: ${command} fails on ${mainTip.slice(0, 10)}` }));
      this.say(`${mr.id}: ${command} fails on ${config.mainBranch} itself; waiting for a fix`);
      return 'main-broken';
    }
    const how = result.timedOut ? `timed out after ${config.gateTimeoutSeconds} s` : result.code === null ? 'was killed' : `exited ${result.code}`;
    return this.bounce(mr, {
      reason: `gate \`${command}\` failed (${how})`,
      details:
        `The refinery could not land ${mr.branch} (${mr.id}): the gate \`${command}\` ${how} on your branch rebased onto ` +
        `${config.mainBranch} (it passes on ${config.mainBranch} itself).\nLog: ${logPath}\nLast lines:\n${result.tail}\n\n` +
        `Fix it on your branch, commit, and run \`citadel done\` again.`,
      notes: { log: logPath, gate: { argv, code: result.code, tail: result.tail, timed_out: result.timedOut } },
      stepFailure: `the refinery's gate \`${command}\` ${how} on the branch rebased onto ${config.mainBranch} (merge request ${mr.id}, log ${logPath})${lastLine(result.tail)}`,
      record: failure.record,
    });
  }

  private async bounce(mr: MergeRequest, input: { reason: string; details: string; notes: MergeRequest['refinery'] & object; stepFailure?: string; record?: VerdictRecord }): Promise<Outcome> {
    await resetWorkspace(this.ws, await this.mainTip());
    const { record, ...rest } = input;
    await this.town.journal.mutate(bounced(this.context(), mr.id, { ...rest, bounceTo: this.config.bounceTo }, record ?? this.verdictRecord(null, null)));
    this.appendLog(mr.id, `bounced: ${input.reason}\n`);
    this.say(`${mr.id}: bounced: ${input.reason}`);
    return 'rejected';
  }

  /** What the refinery's validation records say beyond the request: the town, the gates and their trust hash, the branch commit. */
  private verdictRecord(gatesHash: string | null, branchCommit: string | null, results: readonly GateResult[] = [], mainBefore?: string): VerdictRecord {
    return {
      town: this.config.name,
      stage: 'gates',
      gatesHash,
      branchCommit,
      gates: results.map((result) => ({ argv: result.argv, ms: result.ms, code: result.code })),
      ...(mainBefore ? { mainBefore } : {}),
    };
  }

  /**
   * The branch passed its gates but config `review: "required"` wants a person's verdict: the
   * request stays queued, marked awaiting review (the picker skips it), and the overseer is told
   * once per branch commit. `citadel approve` lets the refinery take it again.
   */
  private async awaitReview(mr: MergeRequest, passed: { branchTip: string; mainTip: string; candidate: string; gates: readonly GateRun[] }): Promise<Outcome> {
    const before = (this.town.journal.read().get('beads', mr.id) as MergeRequest | undefined)?.refinery?.review;
    const held = `passed its gates; waiting for review: citadel approve ${mr.id} [--note TEXT], or citadel reject ${mr.id} --reason TEXT`;
    await resetWorkspace(this.ws, passed.mainTip);
    await this.town.journal.mutate(
      progress(this.context(), mr.id, 'queued', {
        stage: 'awaiting review',
        held,
        review: { state: 'awaiting', branch_commit: passed.branchTip, main_before: passed.mainTip, candidate: passed.candidate, since: new Date().toISOString() },
      }),
    );
    if (before?.state !== 'awaiting' || before.branch_commit !== passed.branchTip) {
      const gates = passed.gates.map((gate) => gate.argv.join(' ')).join(', ') || 'no gates';
      await this.town.journal.mutate(
        tellOverseer(
          this.context(),
          `review: ${mr.id} ${mr.branch ?? ''}`.trim(),
          `${mr.branch} (${passed.branchTip.slice(0, 10)}) by ${mr.polecat ?? 'unknown'} passed its gates (${gates}) and waits for your review ` +
            `(config review: "required").
See the change: git diff ${this.config.mainBranch}...${passed.branchTip.slice(0, 10)}
` +
            `Then: citadel approve ${mr.id} [--note TEXT]   or   citadel reject ${mr.id} --reason TEXT`,
        ),
      );
    }
    this.appendLog(mr.id, `passed its gates; awaiting review\n`);
    this.say(`${mr.id}: passed its gates; awaiting review`);
    if (this.options.once) this.run.waiting.push(mr.id);
    return 'review';
  }

  private async hold(mr: MergeRequest, reason: string, what = `${mr.branch} passed its gates but was not landed`): Promise<Outcome> {
    const before = (this.town.journal.read().get('beads', mr.id) as MergeRequest | undefined)?.refinery?.held;
    await this.town.journal.mutate(progress(this.context(), mr.id, 'queued', { stage: 'held', held: reason }));
    if (before !== reason) await this.town.journal.mutate(tellOverseer(this.context(), `refinery held ${mr.id}`, `${what}: ${reason}.`));
    this.appendLog(mr.id, `held: ${reason}\n`);
    this.say(`${mr.id}: held: ${reason}`);
    return 'held';
  }

  private async interrupt(mr: MergeRequest): Promise<Outcome> {
    this.appendLog(mr.id, `interrupted (refinery stopping); requeued\n`);
    await this.town.journal.mutate(progress(this.context(), mr.id, 'queued', { stage: 'requeued after an interruption' }));
    return 'interrupted';
  }
}

/** ": <the last non-blank line of a gate's output>", or "" (a short hint of why, for the step's record). */
function lastLine(tail: string): string {
  const line = tail.split('\n').map((text) => text.trim()).filter(Boolean).at(-1);
  return line ? `: ${line.length > 200 ? `${line.slice(0, 200)}…` : line}` : '';
}

/** The molecule step's `Gate:` (the bead's `gate` field: a command line or an argv array). */
function stepGate(bead: Bead | undefined): string[][] {
  const gate = (bead as { gate?: unknown } | undefined)?.gate;
  if (gate === undefined || gate === null || gate === '') return [];
  if (Array.isArray(gate) && gate.every((part) => typeof part === 'string') && gate.length > 0) return [gate as string[]];
  if (typeof gate === 'string') return [splitGate(gate)];
  throw new CitadelError('invalid', `the bead's gate ${JSON.stringify(gate)} is neither a command line nor an argv array`);
}
