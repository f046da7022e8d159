import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { makeRepo } from '../../helpers/git.js';
import { tempDir } from '../../helpers/temp.js';

/** Issue 16, the command line as a daily driver: the real binary in a real town. */
describe('the command line, day to day', () => {
  let repo: { path: string; dispose: () => void };
  let runtime: { path: string; dispose: () => void };
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { cwd: repo.path, env: { CITADEL_RUNTIME_DIR: runtime.path, ...env } });

  beforeAll(async () => {
    repo = makeRepo();
    runtime = tempDir('citadel-rt-');
    const init = await cli(['init']);
    if (init.code !== 0) throw new Error(init.stderr);
  });
  afterAll(() => {
    repo.dispose();
    runtime.dispose();
  });

  const expectOneLine = (stderr: string, pattern: RegExp): void => {
    expect(stderr.trim().split('\n'), stderr).toHaveLength(1);
    expect(stderr.trim()).toMatch(pattern);
  };

  it('--version and -V print the version of package.json', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const result = await cli([flag]);
      expect(result).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    }
  });

  it('suggests the nearest command for a typo, whatever follows it, in one line', async () => {
    for (const args of [['slng', 'ct-a3f8'], ['slng', 'ct-a3f8', '--agent', 'shell'], ['slng']]) {
      const result = await cli(args);
      expect(result.code, args.join(' ')).toBe(2);
      expectOneLine(result.stderr, /^citadel: unknown command "slng" \(did you mean sling\?\)/);
    }
    const sub = await cli(['bead', 'craete', 'x']);
    expect(sub.code).toBe(2);
    expectOneLine(sub.stderr, /^citadel: unknown command 'craete' \(did you mean create\?\)/);
    // A subcommand of a command that names mistyped subcommands does not drop a word it was given.
    const extra = await cli(['refinery', 'status', 'ct-zzzz']);
    expect(extra.code).toBe(2);
    expectOneLine(extra.stderr, /^citadel: too many arguments for 'status'/);
    const option = await cli(['--bogus']);
    expect(option.code).toBe(2);
    expectOneLine(option.stderr, /^citadel: unknown option '--bogus'/);
  });

  it('bead --help names only commands that exist', async () => {
    const help = (await cli(['bead', '--help'])).stdout;
    const commands = [...help.slice(help.indexOf('Commands:')).matchAll(/^ {2}(\w+)/gm)].map((m) => m[1]);
    const description = help.split('\n').find((line) => line.includes('beads (units of work)'))!;
    const named = description.replace(/ beads \(units of work\).*/, '').split(/, | and /);
    named.push(...[...description.matchAll(/\((\w+)\)$/g)].map((m) => m[1]!));
    expect(named.length).toBeGreaterThan(5);
    for (const name of named) expect(commands, `bead --help names "${name}"`).toContain(name);
  });

  it('says "<kind> <id> not found (…)" for every missing bead, message or polecat', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['bead', 'show', 'zz-nope'], /^citadel: bead zz-nope not found \(see `citadel bead list`\)$/],
      [['mail', 'read', 'zz-nope'], /^citadel: message zz-nope not found \(see `citadel mail inbox`\)$/],
      [['sling', 'zz-nope', '--agent', 'shell'], /^citadel: bead zz-nope not found \(see `citadel ready`\)$/],
      [['polecat', 'kill', 'ghost'], /^citadel: polecat ghost not found \(/],
      [['polecat', 'restart', 'ghost'], /^citadel: polecat ghost not found \(/],
      [['nudge', 'ghost', 'hi'], /^citadel: polecat ghost not found \(/],
      [['approve', 'zz-nope'], /^citadel: merge request zz-nope not found \(see `citadel refinery status`\)$/],
      [['bead', 'create', 'x', '--needs', 'zz-nope'], /^citadel: needed bead zz-nope not found \(see `citadel bead list`\)$/],
      [['host', 'check', 'nohost'], /^citadel: host nohost not found \(see `citadel host list`\)$/],
      [['molecule', 'pour', 'nope'], /^citadel: molecule nope not found \(.*; see `citadel molecule list`\)$/],
    ];
    for (const [args, pattern] of cases) {
      const result = await cli(args);
      expect(result.code, args.join(' ')).toBe(1);
      expectOneLine(result.stderr, pattern);
    }
  });

  it('refuses to open the workstation inside a polecat pane, in one line, starting nothing', async () => {
    for (const args of [[], ['attach']]) {
      const result = await cli(args, { CITADEL_POLECAT: 'nux' });
      expect(result.code, args.join(' ')).toBe(1);
      expectOneLine(result.stderr, /^citadel: not opening the workstation inside polecat nux's pane: unset CITADEL_POLECAT to force it$/);
    }
    expect(existsSync(join(repo.path, '.citadel', 'run', 'daemon.lock'))).toBe(false);
  });
});
