import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fileMergeRequest, inspectSubmission } from '../../../src/refinery/submit.js';
import { ensureWorktree } from '../../../src/git/worktree.js';
import type { Bead } from '../../../src/model/bead.js';
import { modelContext } from '../../../src/model/context.js';
import { claimBead, createBead } from '../../../src/model/operations.js';
import { openTownAt, type Town } from '../../../src/town/town.js';
import { runCli, runJson } from '../../helpers/cli.js';
import { git, makeRepo } from '../../helpers/git.js';
import { tempDir } from '../../helpers/temp.js';

// Issue 13 ("Trust"): commands from the town's files run only once this user trusted them on
// this machine, as direnv and mise do. XDG_DATA_HOME is a temp dir per test file
// (test/helpers/isolate-trust.ts): the real trust store is never touched.

type Held = Bead & { state?: string; refinery?: { held?: string | null } };

describe('trust', () => {
  const disposers: (() => void)[] = [];
  afterEach(() => disposers.splice(0).forEach((dispose) => dispose()));

  /** A scratch folder outside every repository; a gate that runs leaves a mark there. */
  function scratch(): { marks: string; gate: (name: string) => string[]; ran: (name: string) => boolean } {
    const dir = tempDir('citadel-marks-');
    disposers.push(dir.dispose);
    return {
      marks: dir.path,
      gate: (name) => ['node', '-e', `require('fs').appendFileSync(${JSON.stringify(join(dir.path, name))}, 'ran\\n')`],
      ran: (name) => existsSync(join(dir.path, name)),
    };
  }

  /** A repository whose committed `.citadel/config.json` holds `config`, as someone else's project would. */
  function origin(config: Record<string, unknown>): string {
    const repo = makeRepo();
    disposers.push(repo.dispose);
    mkdirSync(join(repo.path, '.citadel'));
    writeFileSync(join(repo.path, '.citadel', 'config.json'), JSON.stringify(config));
    git(repo.path, 'add', '.citadel/config.json');
    git(repo.path, 'commit', '-q', '-m', 'citadel config');
    return repo.path;
  }

  function clone(from: string): string {
    const dir = tempDir('citadel-clone-');
    disposers.push(dir.dispose);
    git(dir.path, 'clone', '-q', from, 'town');
    const root = join(dir.path, 'town');
    git(root, 'config', 'user.name', 'Test');
    git(root, 'config', 'user.email', 'test@example.com');
    return root;
  }

  function open(root: string): Town {
    const town = openTownAt(root, 'overseer');
    disposers.unshift(() => town.close());
    return town;
  }

  /** What a polecat does for `beadId` (a new bead when omitted): claim, commit in its worktree, `citadel done`. */
  async function submit(town: Town, polecat: string, file: string, beadId?: string): Promise<string> {
    const id = beadId ?? (await town.journal.mutate(createBead(modelContext('overseer', 'ct'), { title: `add ${file}` }))).value.id;
    await town.journal.mutate(claimBead(modelContext(polecat, 'ct'), id));
    const wt = await ensureWorktree(town.paths.root, polecat, id, { mainBranch: 'main' });
    writeFileSync(join(wt.path, file), `${file}\n`);
    git(wt.path, 'add', '-A');
    git(wt.path, 'commit', '-q', '-m', `${id}: add ${file}`);
    const submission = await inspectSubmission(wt.path, 'main');
    const { value } = await town.journal.mutate(fileMergeRequest(modelContext(polecat, 'ct'), { submission, polecat, bead: id, message: undefined }));
    return value.request.id;
  }

  const request = (town: Town, id: string): Held => town.journal.read().get('beads', id) as Held;

  async function runOnce(root: string): Promise<string> {
    const result = await runCli(['refinery', 'run', '--once'], { cwd: root });
    expect(result.code, result.stderr).toBe(0);
    return result.stdout;
  }

  it('holds a fresh clone’s gates until `citadel trust`, never running them nor landing without them', async () => {
    const marks = scratch();
    const root = clone(origin({ gates: [marks.gate('clone-gate')] }));
    const town = open(root);
    const mr = await submit(town, 'nux', 'a.txt');
    const before = git(root, 'rev-parse', 'main');

    expect(await runOnce(root)).toMatch(/0 merged, 0 rejected, 1 waiting/);
    expect(marks.ran('clone-gate')).toBe(false);
    expect(git(root, 'rev-parse', 'main')).toBe(before);
    expect(request(town, mr).state).toBe('queued');
    expect(request(town, mr).refinery?.held).toMatch(/the town's gates are not trusted on this machine yet .*review \.citadel\/config\.json and run `citadel trust`/);
    const mail = [...town.journal.read().all('beads').values()].filter((bead) => bead.type === 'message' && bead.to === 'overseer') as Bead[];
    expect(mail.map((m) => m.body).join('\n')).toMatch(/was neither gated nor landed: the town's gates are not trusted/);

    const status = await runCli(['refinery', 'status'], { cwd: root });
    expect(status.stdout).toMatch(/not trusted on this machine yet/);
    const show = await runCli(['trust', '--show'], { cwd: root });
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toMatch(/NEW +config\.json: node -e/);
    expect(show.stdout).toMatch(/1 not trusted/);
    expect(marks.ran('clone-gate')).toBe(false);

    const trust = await runCli(['trust'], { cwd: root });
    expect(trust.code, trust.stderr).toBe(0);
    expect(trust.stdout).toMatch(/Trusted 1 new or changed/);
    expect((await runJson<{ trusted: boolean }>(['trust', '--show'], { cwd: root })).trusted).toBe(true);
    expect(await runOnce(root)).toMatch(/1 merged/);
    expect(marks.ran('clone-gate')).toBe(true);
    expect(request(town, mr).state).toBe('merged');
  });

  it('the first `citadel init` in a clone trusts it (the user’s own act), and says what it trusted', async () => {
    const marks = scratch();
    const root = clone(origin({ gates: [marks.gate('init-gate')] }));
    const init = await runCli(['init'], { cwd: root });
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toMatch(/Trusted the commands in this town's files on this machine .*config\.json: node -e/);
    const again = await runCli(['init'], { cwd: root });
    expect(again.stdout).not.toMatch(/Trusted/);
    const town = open(root);
    const mr = await submit(town, 'nux', 'a.txt');
    expect(await runOnce(root)).toMatch(/1 merged/);
    expect(marks.ran('init-gate')).toBe(true);
    expect(request(town, mr).state).toBe('merged');
  });

  it('holds again when a pull changes the gates, or removes them, until they are trusted anew', async () => {
    const marks = scratch();
    const upstream = origin({ gates: [marks.gate('first')] });
    const root = clone(upstream);
    expect((await runCli(['init'], { cwd: root })).code).toBe(0);
    const town = open(root);

    const pull = (config: Record<string, unknown>): void => {
      writeFileSync(join(upstream, '.citadel', 'config.json'), JSON.stringify(config));
      git(upstream, 'commit', '-q', '-am', 'new gates');
      git(root, 'pull', '-q', '--no-rebase', '--no-edit');
    };
    pull({ gates: [marks.gate('second')] });
    const changed = await submit(town, 'nux', 'a.txt');
    expect(await runOnce(root)).toMatch(/1 waiting/);
    expect(marks.ran('second')).toBe(false);
    expect(request(town, changed).refinery?.held).toMatch(/the town's gates changed since you trusted them: review \.citadel\/config\.json and run `citadel trust`/);
    expect((await runCli(['trust', '--show'], { cwd: root })).stdout).toMatch(/CHANGED +config\.json: node -e .*second/);
    expect((await runCli(['trust'], { cwd: root })).code).toBe(0);
    expect(await runOnce(root)).toMatch(/1 merged/);
    expect(marks.ran('second')).toBe(true);

    // Gates that went away are a change too: no branch lands ungated behind the user's back.
    pull({ gates: [] });
    const ungated = await submit(town, 'slit', 'b.txt');
    expect(await runOnce(root)).toMatch(/1 waiting/);
    expect(request(town, ungated).refinery?.held).toMatch(/gates changed since you trusted them/);
    expect((await runCli(['trust', '--show'], { cwd: root })).stdout).toMatch(/CHANGED +config\.json: \(no gates now\)/);
    expect((await runCli(['trust'], { cwd: root })).code).toBe(0);
    expect(await runOnce(root)).toMatch(/1 merged/);
  });

  it('never runs an imported bead’s gate until it is trusted', async () => {
    const marks = scratch();
    const repo = makeRepo();
    disposers.push(repo.dispose);
    const root = repo.path;
    expect((await runCli(['init'], { cwd: root })).code).toBe(0);
    const line = JSON.stringify({ id: 'ct-evil1', title: 'looks harmless', gate: marks.gate('imported') });
    const imported = await runCli(['bead', 'import', '-'], { cwd: root, input: `${line}\n` });
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout + imported.stderr).toMatch(/step `gate`.*will not run it until you review it with `citadel trust --show`/);
    const town = open(root);
    const mr = await submit(town, 'nux', 'a.txt', 'ct-evil1');

    expect(await runOnce(root)).toMatch(/1 waiting/);
    expect(marks.ran('imported')).toBe(false);
    expect(request(town, mr).refinery?.held).toMatch(/the gate `node -e .*` of step ct-evil1 is not trusted on this machine/);
    const show = await runCli(['trust', '--show'], { cwd: root });
    expect(show.stdout).toMatch(/NEW +ct-evil1 \(by .*\): node -e/);

    expect((await runCli(['trust'], { cwd: root })).code).toBe(0);
    expect(await runOnce(root)).toMatch(/1 merged/);
    expect(marks.ran('imported')).toBe(true);
  });

  it('a polecat cannot trust, and its pour’s gates wait for the overseer; the overseer’s own pour is trusted', async () => {
    const marks = scratch();
    const repo = makeRepo();
    disposers.push(repo.dispose);
    const root = repo.path;
    expect((await runCli(['init'], { cwd: root })).code).toBe(0);
    const polecat = { CITADEL_POLECAT: 'nux' };
    const refused = await runCli(['trust'], { cwd: root, env: polecat });
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toMatch(/^citadel: a polecat \(nux\) cannot trust a town’s commands: the overseer runs `citadel trust` from their own shell$/);

    const command = `node -e "require('fs').appendFileSync('${join(marks.marks, 'poured')}','x')"`;
    const byPolecat = await runCli(['molecule', 'pour', 'quick-fix', '--var', 'issue=x', '--var', `test_command=${command}`], { cwd: root, env: polecat });
    expect(byPolecat.code, byPolecat.stderr).toBe(0);
    expect(byPolecat.stderr).toMatch(/the refinery will not run the gates of .*'s steps until the overseer trusts them/);
    const epic = byPolecat.stdout.trim();
    type Review = { items: { kind: string; name: string; state: string }[] };
    const steps = (await runJson<Review>(['trust', '--show'], { cwd: root })).items.filter((item) => item.kind === 'step');
    expect(steps.map((item) => [item.name, item.state])).toEqual([
      [`${epic}.3`, 'new'],
      [`${epic}.4`, 'new'],
    ]);

    const byOverseer = await runCli(['molecule', 'pour', 'quick-fix', '--var', 'issue=y', '--var', `test_command=${command}`], { cwd: root });
    expect(byOverseer.code, byOverseer.stderr).toBe(0);
    expect(byOverseer.stderr).toBe('');
    const mine = byOverseer.stdout.trim();
    const after = (await runJson<Review>(['trust', '--show'], { cwd: root })).items.filter((item) => item.kind === 'step' && item.name.startsWith(`${mine}.`));
    expect(after.map((item) => item.state)).toEqual(['trusted', 'trusted']);
  });

  it('pours at the same time each keep their steps trusted (the store is locked while it is updated)', async () => {
    const repo = makeRepo();
    disposers.push(repo.dispose);
    const root = repo.path;
    expect((await runCli(['init'], { cwd: root })).code).toBe(0);
    const pours = await Promise.all(
      ['a', 'b', 'c', 'd'].map((issue) => runCli(['molecule', 'pour', 'quick-fix', '--var', `issue=${issue}`, '--var', 'test_command=node --version'], { cwd: root })),
    );
    for (const pour of pours) expect(pour.stderr).toBe('');
    const review = await runJson<{ trusted: boolean; items: { kind: string; state: string }[] }>(['trust', '--show'], { cwd: root });
    expect(review.items.filter((item) => item.kind === 'step')).toHaveLength(8);
    expect(review.trusted).toBe(true);
  });

  it('a town molecule changed since it was trusted does not make trusted gates when poured', async () => {
    const repo = makeRepo();
    disposers.push(repo.dispose);
    const root = repo.path;
    const molecules = join(root, '.citadel', 'molecules');
    mkdirSync(molecules, { recursive: true });
    const molecule = (command: string): string => `# Check\n\nRuns a check.\n\n## Step: check\nAcceptance: it passes\nGate: ${command}\nCheck it.\n`;
    writeFileSync(join(molecules, 'check.md'), molecule('node --version'));
    expect((await runCli(['init'], { cwd: root })).code).toBe(0);
    const trusted = await runCli(['molecule', 'pour', 'check'], { cwd: root });
    expect(trusted.stderr).toBe('');

    writeFileSync(join(molecules, 'check.md'), molecule('node -e "process.exit(0)"'));
    const show = await runCli(['trust', '--show'], { cwd: root });
    expect(show.stdout).toMatch(/CHANGED +\.citadel\/molecules\/check\.md: node -e/);
    const untrusted = await runCli(['molecule', 'pour', 'check'], { cwd: root });
    expect(untrusted.code, untrusted.stderr).toBe(0);
    expect(untrusted.stderr).toMatch(/will not run the gates/);
  });

  it('keeps its records outside the repository, private to the user', async () => {
    const repo = makeRepo();
    disposers.push(repo.dispose);
    const data = tempDir('citadel-data-');
    disposers.push(data.dispose);
    expect((await runCli(['init'], { cwd: repo.path, env: { XDG_DATA_HOME: data.path } })).code).toBe(0);
    const store = join(data.path, 'citadel', 'trust');
    const records = readdirSync(store).filter((name) => name.endsWith('.json'));
    expect(records).toHaveLength(1);
    expect(statSync(store).mode & 0o777).toBe(0o700);
    expect(statSync(join(store, records[0]!)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(join(store, records[0]!), 'utf8'))).toMatchObject({ version: 1, town: repo.path });
    expect(git(repo.path, 'status', '--porcelain', '--untracked-files=all', '--ignored')).not.toMatch(/trust/);
  });
});
