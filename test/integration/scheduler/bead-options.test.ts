import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { makeRepo } from '../../helpers/git.js';

let repo: { path: string; dispose: () => void };
const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { cwd: repo.path, env });
const json = async <T>(args: string[]): Promise<T> => {
  const result = await cli([...args, '--json']);
  if (result.code !== 0) throw new Error(`citadel ${args.join(' ')}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
};
type Bead = { id: string; status: string; defer_until?: string; every?: string; uses?: string[]; capacity?: number; pinned?: boolean; needs_skill?: string[] };

beforeAll(async () => {
  repo = makeRepo();
  expect((await cli(['init'])).code).toBe(0);
});
afterAll(() => repo.dispose());

describe('bead create/update: the scheduling options', () => {
  it('stores them as fields of the bead, shows why a bead waits, and clears them with none / --no-pinned', async () => {
    const db = await json<Bead>(['bead', 'create', 'staging db', '--type', 'resource', '--capacity', '2']);
    expect(db).toMatchObject({ type: 'resource', capacity: 2 });
    const timed = await json<Bead>(['bead', 'create', 'cut the release', '--defer-until', '2099-01-01T09:00:00Z', '--every', 'weekly', '--uses', db.id, '--pinned', '--needs-skill', 'docs,src/journal']);
    expect(timed).toMatchObject({ defer_until: '2099-01-01T09:00:00.000Z', every: 'weekly', uses: [db.id], pinned: true, needs_skill: ['docs', 'src/journal'] });
    const show = await cli(['bead', 'show', timed.id]);
    expect(show.stdout).toMatch(/ready: +no: it is deferred until 2099-01-01T09:00:00.000Z/);
    // bead show lists every scheduling field, not only the one that blocks it
    expect(show.stdout).toMatch(/^deferred: +until 2099-01-01 09:00/m);
    expect(show.stdout).toMatch(/^every: +weekly$/m);
    expect(show.stdout).toMatch(new RegExp(`^uses: +${db.id}$`, 'm'));
    expect(show.stdout).toMatch(/^pinned: +yes/m);
    expect(show.stdout).toMatch(/^skills: +needed: docs, src\/journal$/m);
    expect((await cli(['bead', 'show', db.id])).stdout).toMatch(/^capacity: +0\/2 in use$/m);
    expect((await json<Bead[]>(['ready'])).map((b) => b.id)).not.toContain(timed.id);
    const cleared = await json<Bead>(['bead', 'update', timed.id, '--defer-until', 'none', '--every', 'none', '--uses', 'none', '--no-pinned', '--needs-skill', 'none']);
    for (const key of ['defer_until', 'every', 'uses', 'pinned', 'needs_skill']) expect(cleared).not.toHaveProperty(key);
    expect((await json<Bead[]>(['ready'])).map((b) => b.id)).toEqual([timed.id]); // the resource is not work
  });

  it('refuses bad values in one line, exit 1, nothing written', async () => {
    const task = (await cli(['bead', 'create', 'a task'])).stdout.trim();
    const cases: Array<[string[], RegExp]> = [
      [['bead', 'create', 'x', '--every', 'often'], /^citadel: --every "often" is not an interval: use e.g. 30m, 12h, 1d/],
      [['bead', 'create', 'x', '--defer-until', 'next week'], /^citadel: --defer-until "next week" is not a time: use an ISO date or time/],
      [['bead', 'create', 'x', '--capacity', '3'], /^citadel: --capacity is for a resource: create it with --type resource --capacity N/],
      [['bead', 'create', 'x', '--uses', task], new RegExp(`^citadel: --uses ${task}: it is a task, not a resource`)],
      [['bead', 'create', 'x', '--uses', 'ct-nope'], /^citadel: resource ct-nope not found \(see `citadel bead list`\)\n/],
      [['bead', 'create', 'db', '--type', 'resource', '--capacity', 'two'], /^citadel: --capacity "two" must be a whole number/],
      [['bead', 'create', 'db', '--type', 'resource', '--every', '1d'], /^citadel: a resource is not work/],
    ];
    const before = (await json<Bead[]>(['bead', 'list'])).length;
    for (const [args, message] of cases) {
      const result = await cli(args);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect((await json<Bead[]>(['bead', 'list'])).length).toBe(before);
  });

  it('town status without a scheduler, and town start without an agent say what to do', async () => {
    const status = await cli(['town', 'status']);
    expect(status.stdout).toMatch(/^the scheduler is off: `citadel town start` starts it/);
    const start = await cli(['town', 'start'], { PATH: '/usr/bin:/bin' });
    expect(start.code).toBe(1);
    expect(start.stderr).toMatch(/^citadel: no agent to sling: .* or give `citadel town start --agent NAME`/);
    const bad = await cli(['town', 'start', '--max', '0']);
    expect(bad.code).toBe(2);
    const unknown = await cli(['town', 'start', '--agent', 'nope']);
    expect(unknown.stderr).toMatch(/^citadel: unknown agent preset "nope"/);
  });
});
