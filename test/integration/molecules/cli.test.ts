import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Bead } from '../../../src/model/index.js';
import type { MoleculeStatus, StepBead } from '../../../src/molecules/index.js';
import { runCli, runJson } from '../../helpers/cli.js';
import { makeRepo } from '../../helpers/git.js';
import { tempDir } from '../../helpers/temp.js';
import { openJournal } from '../../../src/journal/index.js';

/** `citadel molecule …` against the built binary, on real temp towns. */

let repo: { path: string; dispose: () => void };

beforeEach(async () => {
  repo = makeRepo();
  const init = await runCli(['init'], { cwd: repo.path });
  expect(init.code, init.stderr).toBe(0);
});
afterEach(() => repo.dispose());

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { cwd: repo.path, env });
const json = <T>(args: string[], env: NodeJS.ProcessEnv = {}) => runJson<T>(args, { cwd: repo.path, env });
/** Live beads, read through the journal (beads have no projection files since issue 18). */
const beadCount = (): number => {
  const journal = openJournal(join(repo.path, '.citadel', 'journal'), { writer: 'test' });
  try {
    return journal.read().all('beads').size;
  } finally {
    journal.close();
  }
};

function townMolecule(name: string, text: string): void {
  mkdirSync(join(repo.path, '.citadel', 'molecules'), { recursive: true });
  writeFileSync(join(repo.path, '.citadel', 'molecules', `${name}.md`), text);
}

/** Claims a step as `actor`, through the bead commands. */
async function claim(id: string, actor: string): Promise<void> {
  const result = await cli(['bead', 'update', id, '--claim'], { CITADEL_ACTOR: actor });
  expect(result.code, result.stderr).toBe(0);
}

/** Claims then closes a step as `actor`, as a polecat would. */
async function work(id: string, actor: string): Promise<void> {
  await claim(id, actor);
  const close = await cli(['bead', 'close', id, '--reason', `${actor} finished it`], { CITADEL_ACTOR: actor });
  expect(close.code, close.stderr).toBe(0);
}

describe('molecule list / show', () => {
  it('lists the built-ins with their origin, and a town molecule overriding one by name', async () => {
    const before = await json<{ name: string; origin: string; steps: number }[]>(['molecule', 'list']);
    expect(before.map((m) => [m.name, m.origin, m.steps])).toEqual([
      ['engineer-in-box', 'built-in', 6],
      ['quick-fix', 'built-in', 4],
      ['research', 'built-in', 4],
    ]);
    townMolecule('quick-fix', '# Our quick fix\n\n## Step: just-do-it\nDo it.\n');
    townMolecule('deploy', '# Deploy {{env}}\nVars: env (default: staging) — where\n\n## Step: ship\nShip to {{env}}.\n');
    const after = await json<{ name: string; origin: string; overrides: boolean; steps: number }[]>(['molecule', 'list']);
    expect(after.map((m) => [m.name, m.origin, m.overrides, m.steps])).toEqual([
      ['deploy', 'town', false, 1],
      ['engineer-in-box', 'built-in', false, 6],
      ['quick-fix', 'town', true, 1],
      ['research', 'built-in', false, 4],
    ]);
    const text = await cli(['molecule', 'list']);
    expect(text.stdout).toMatch(/quick-fix\s+town\*\s+1\s+Our quick fix/);
    const shown = await cli(['molecule', 'show', 'quick-fix']);
    expect(shown.stdout).toContain('1. just-do-it');
  });

  it('shows resolved steps after includes and variables, without pouring', async () => {
    townMolecule('checks', '# Checks\nVars: cmd (default: npm test) — test command\n\n## Step: run\nGate: {{cmd}}\nRun {{cmd}}.\n');
    townMolecule(
      'release',
      '# Release {{version}}\nVars: version (required) — the version\nIncludes: checks as c\n\n## Step: tag\nNeeds: c.run\nTag v{{version}}.\n',
    );
    const before = beadCount();
    const shown = await cli(['molecule', 'show', 'release', '--var', 'version=1.2.3', '--var', 'cmd=make check']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('# Release 1.2.3');
    expect(shown.stdout).toMatch(/1\. c\.run {2}\[polecat\] {2}\(from checks\)\n {3}gate: make check/);
    expect(shown.stdout).toContain('2. tag  [polecat]  needs: c.run');
    expect(shown.stdout).toContain('Tag v1.2.3.');
    const data = await json<{ steps: { id: string; needs: string[] }[]; origin: string; includes: string[] }>(['molecule', 'show', 'release']);
    expect(data.steps.map((s) => [s.id, s.needs])).toEqual([['c.run', []], ['tag', ['c.run']]]);
    expect(data.includes).toEqual(['checks']);
    expect(beadCount()).toBe(before);
  });

  it('works outside a town for the built-ins, and names an unknown molecule', async () => {
    const outside = tempDir();
    try {
      const shown = await runCli(['molecule', 'show', 'research', '--var', 'question=why?'], { cwd: outside.path });
      expect(shown.code, shown.stderr).toBe(0);
      expect(shown.stdout).toContain('# Research: why?');
      const unknown = await runCli(['molecule', 'show', 'nope'], { cwd: outside.path });
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('molecule nope not found (known: engineer-in-box, quick-fix, research; see `citadel molecule list`)');
    } finally {
      outside.dispose();
    }
  });
});

describe('molecule pour', () => {
  it('pours an epic and its steps in one mutation, prints the id, and pours again as a new instance', async () => {
    const first = await cli(['molecule', 'pour', 'quick-fix', '--var', 'issue=login crash']);
    expect(first.code, first.stderr).toBe(0);
    const id = first.stdout.trim();
    expect(id).toMatch(/^ct-[0-9a-z]{4,}$/);
    const second = await json<{ id: string; epic: Bead; steps: StepBead[] }>(['molecule', 'pour', 'quick-fix', '--var', 'issue=other', '--priority', '1']);
    expect(second.id).not.toBe(id);
    expect(second.epic).toMatchObject({ type: 'epic', molecule: 'quick-fix', priority: 1, vars: { issue: 'other', test_command: 'npm test' } });
    expect(second.steps.map((s) => [s.id, s.step, s.needs, s.parent])).toEqual([
      [`${second.id}.1`, 'reproduce', [], second.id],
      [`${second.id}.2`, 'fix', [`${second.id}.1`], second.id],
      [`${second.id}.3`, 'verify', [`${second.id}.2`], second.id],
      [`${second.id}.4`, 'submit', [`${second.id}.3`], second.id],
    ]);
    expect(second.steps[2]).toMatchObject({ type: 'step', gate: 'npm test', role: 'polecat' });
    expect(beadCount()).toBe(10);
  });

  it('refuses a missing required variable, an unknown one and a broken town molecule, writing nothing', async () => {
    const missing = await cli(['molecule', 'pour', 'quick-fix', '--json']);
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stderr).error.message).toMatch(/molecules\/quick-fix\.md:2: missing required variable "issue"/);
    const typo = await cli(['molecule', 'pour', 'quick-fix', '--var', 'isue=x']);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain('has no variable "isue" (it takes issue, test_command)');
    const malformed = await cli(['molecule', 'pour', 'quick-fix', '--var', 'issue']);
    expect(malformed.code).toBe(2);
    townMolecule('loop', '# Loop\n\n## Step: a\nNeeds: b\nA.\n\n## Step: b\nNeeds: a\nB.\n');
    const cycle = await cli(['molecule', 'pour', 'loop']);
    expect(cycle.code).toBe(1);
    expect(cycle.stderr).toBe('citadel: .citadel/molecules/loop.md:4: dependency cycle: a → b → a (each step needs the next)\n');
    const listed = await json<{ name: string; error: string | null }[]>(['molecule', 'list']);
    expect(listed.find((m) => m.name === 'loop')?.error).toContain('dependency cycle');
    expect(beadCount()).toBe(0);
  });
});

describe('molecule status, fail and release', () => {
  it('shows each step’s state and holder and what is ready; recovers failed and abandoned steps', async () => {
    townMolecule('pair', '# Pair\n\n## Step: a\nA.\n\n## Step: b\nA too.\n\n## Step: c\nNeeds: a, b\nRole: overseer\nC.\n');
    const id = (await cli(['molecule', 'pour', 'pair'])).stdout.trim();
    let status = await json<MoleculeStatus>(['molecule', 'status', id]);
    expect(status.steps.map((s) => [s.step, s.state])).toEqual([['a', 'ready'], ['b', 'ready'], ['c', 'pending']]);
    expect(status.ready).toEqual([`${id}.1`, `${id}.2`]);

    await claim(`${id}.1`, 'nux');
    await claim(`${id}.2`, 'max');
    const text = await cli(['molecule', 'status', `${id}.3`]);
    expect(text.stdout).toMatch(new RegExp(`\\[>\\] in_progress +${id.replace('.', '\\.')}\\.1 +a +held by nux`));
    expect(text.stdout).toMatch(/\[\.\] pending +\S+ +c +\(overseer\) +waits for a, b/);
    expect(text.stdout).toContain('ready now: nothing');

    const failed = await cli(['molecule', 'fail', `${id}.1`, '--reason', 'tests are red'], { CITADEL_ACTOR: 'refinery' });
    expect(failed.code, failed.stderr).toBe(0);
    const released = await json<StepBead[]>(['molecule', 'release', '--holder', 'max', '--reason', 'polecat max exited'], { CITADEL_ACTOR: 'witness' });
    expect(released.map((s) => s.id)).toEqual([`${id}.2`]);
    status = await json<MoleculeStatus>(['molecule', 'status', id]);
    expect(status.ready).toEqual([`${id}.1`, `${id}.2`]);
    expect(status.steps[0]!.failures).toEqual([{ at: expect.any(String), by: 'refinery', holder: 'nux', reason: 'tests are red' }]);
    expect(status.steps[1]!.releases).toMatchObject([{ by: 'witness', holder: 'max', reason: 'polecat max exited' }]);
    expect((await cli(['molecule', 'status', id])).stdout).toContain('failed');

    await work(`${id}.1`, 'max');
    const closedFail = await cli(['molecule', 'fail', `${id}.1`, '--reason', 'late']);
    expect(closedFail.code).toBe(1);
    expect(closedFail.stderr).toContain('a completed step is never reopened by recovery');
    const closedRelease = await cli(['molecule', 'release', `${id}.1`]);
    expect(closedRelease.code).toBe(1);
    const usage = await cli(['molecule', 'release']);
    expect(usage.code).toBe(2);

    // A closed step reopened by hand lets go of its old holder: it is ready to re-run at once.
    expect((await cli(['bead', 'update', `${id}.1`, '--status', 'open'])).code).toBe(0);
    expect((await cli(['molecule', 'release', `${id}.1`])).stdout).toBe(`${id}.1 is not held by anyone: nothing to release\n`);
    expect((await json<MoleculeStatus>(['molecule', 'status', id])).ready).toEqual([`${id}.1`, `${id}.2`]);
    await work(`${id}.1`, 'nux');

    const list = await json<{ id: string; closed: number; total: number }[]>(['molecule', 'status']);
    expect(list).toEqual([expect.objectContaining({ id, closed: 1, total: 3 })]);
  });
});

describe('the built-in molecules', () => {
  const builtins: [string, string[], string[]][] = [
    ['engineer-in-box', ['task=add a --dry-run flag'], ['understand', 'design', 'implement', 'test', 'review', 'submit']],
    ['quick-fix', ['issue=crash on empty input'], ['reproduce', 'fix', 'verify', 'submit']],
    ['research', ['question=why is start-up slow?'], ['question', 'gather', 'synthesize', 'report']],
  ];
  for (const [name, vars, order] of builtins) {
    it(`${name} pours and is walked to completion, one ready step at a time, by several polecats`, async () => {
      const id = (await cli(['molecule', 'pour', name, ...vars.flatMap((v) => ['--var', v])])).stdout.trim();
      const walked: string[] = [];
      const polecats = ['nux', 'max', 'ace'];
      for (;;) {
        const status = await json<MoleculeStatus>(['molecule', 'status', id]);
        if (status.done) {
          expect(status.status).toBe('closed');
          break;
        }
        expect(status.ready.length).toBeGreaterThan(0);
        const next = status.steps.find((s) => s.id === status.ready[0])!;
        // Every step it needs is closed before it is ready.
        for (const need of next.needs) expect(status.steps.find((s) => s.id === need)!.state).toBe('closed');
        await work(next.id, polecats[walked.length % polecats.length]!);
        walked.push(next.step);
      }
      expect(walked).toEqual(order);
      const epic = await json<Bead>(['bead', 'show', id]);
      expect(epic).toMatchObject({ status: 'closed', close_reason: 'every step is closed' });
    });
  }
});

describe('molecule help', () => {
  it('bare molecule prints its subcommands; a mistyped one is an unknown command (exit 2)', async () => {
    const bare = await cli(['molecule']);
    expect(bare.code).toBe(0);
    expect(bare.stdout).toMatch(/pour \[options\] <name>/);
    const typo = await cli(['molecule', 'puor', 'quick-fix']);
    expect(typo.code).toBe(2);
    expect(typo.stderr.trim()).toBe("citadel: unknown command 'puor' (see --help)");
  });

  it('shows repeatable flags without a "(default: [])" and still takes several of them', async () => {
    const help = await cli(['molecule', 'pour', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--var <name=value>/);
    expect(help.stdout).not.toMatch(/default: \[\]/);
    expect((await cli(['molecule', 'show', '--help'])).stdout).not.toMatch(/default: \[\]/);
    const poured = await json<{ epic: Bead; steps: StepBead[] }>(['molecule', 'pour', 'quick-fix', '--var', 'issue=a', '--var', 'test_command=make check', '--label', 'x', '--label', 'y']);
    expect(poured.epic.labels).toEqual(['x', 'y']);
    expect(poured.steps.find((step) => step.gate)?.gate).toBe('make check');
  });
});

describe('molecule files with unusable names', () => {
  it('lists "My Mol.md" with an error saying how to rename it, instead of ignoring it', async () => {
    townMolecule('My Mol', '# Mine\n\n## Step: one\nDo it.\n');
    const rows = await json<{ name: string; error: string | null }[]>(['molecule', 'list']);
    expect(rows.find((row) => row.name === 'My Mol')?.error).toMatch(/My Mol\.md:1: "My Mol" is not a molecule name .*rename the file, e\.g\. to My-Mol\.md/);
    const shown = await cli(['molecule', 'show', 'My Mol']);
    expect(shown.code).toBe(1);
    expect(shown.stderr).toMatch(/rename the file/);
    expect(beadCount()).toBe(0);
  });
});
