import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTownAt } from '../../../src/town/town.js';
import { runCli } from '../../helpers/cli.js';
import { makeTown, type TestTown } from './bead-town.js';
import { moduleLogHook } from '../../helpers/module-log.js';

/**
 * Cold start (docs/cli.md, "Startup"): a command loads only what it uses. The real binary runs
 * with a module loader hook that writes down every module it loads; a data command must not
 * load the workstation, the daemon, ptys, MCP or any package but commander, and
 * `citadel --version` must not even load the journal. The commands agents run most (`prime`,
 * `hook` on every tool call, `done`, `mail`) load no barrel module and nothing only another path
 * uses. The times are in `npm run bench:cli`.
 *
 * Those commands run from one bundled file (dist/cli/data.cjs) whose lazily initialised parts
 * follow the same module structure, so the structure is checked on the modules themselves
 * (CITADEL_NO_BUNDLE=1); the last test checks which commands take the bundle.
 */
describe('citadel start-up', () => {
  let town: TestTown;
  let hooks: string;
  let log: string;

  beforeAll(async () => {
    town = await makeTown();
    hooks = mkdtempSync(join(tmpdir(), 'citadel-startup-'));
    ({ log } = moduleLogHook(hooks));
  });
  afterAll(() => {
    town?.dispose();
    if (hooks) rmSync(hooks, { recursive: true, force: true });
  });

  /** The modules `citadel ARGS` loads: dist/… paths and package names. */
  async function modulesOf(args: string[], options: { env?: Record<string, string>; input?: string; code?: number; bundle?: boolean } = {}): Promise<string[]> {
    rmSync(log, { force: true });
    const result = await runCli(args, {
      cwd: town.path,
      env: { CITADEL_ACTOR: 'overseer', CITADEL_NO_BUNDLE: options.bundle ? '' : '1', ...options.env, NODE_OPTIONS: `--import=${pathToFileURL(join(hooks, 'register.mjs')).href}` },
      input: options.input ?? '',
    });
    expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(options.code ?? 0);
    const urls = [...new Set(readFileSync(log, 'utf8').split('\n').filter(Boolean))];
    return urls.map((url) => url.replace(/^.*\/node_modules\/((@[^/]+\/)?[^/]+)\/.*$/, 'package:$1').replace(/^file:.*\/dist\//, 'dist/'));
  }

  // Packages a data command may load: the option parser and the journal's query index driver.
  const heavy = /^(dist\/(tui|daemon|mcp|pty|polecats|refinery|demo|scripted-agent)\/|package:(?!(commander|better-sqlite3)$))/;

  it('loads no workstation, daemon, pty or MCP code, and no package but commander (and the query index driver), for data commands', async () => {
    const bead = await town.create('Start-up probe');
    const commands = [
      ['ready', '--json'],
      ['bead', 'show', bead.id, '--json'],
      ['bead', 'list', '--json'],
      ['bead', 'create', 'Another', '--json'],
      ['mail', 'inbox', '--json'],
    ];
    for (const args of commands) {
      const modules = await modulesOf(args);
      expect(modules, args.join(' ')).toContain('dist/cli/main.js');
      expect(modules.filter((name) => heavy.test(name)), args.join(' ')).toEqual([]);
    }
    // `bead show` does not load the import code.
    expect((await modulesOf(['bead', 'show', bead.id, '--json'])).filter((name) => name.startsWith('dist/model/import/'))).toEqual([]);
  });

  // Barrels pull in every module of their folder (the model's brings molecules and import code).
  const barrels = /^dist\/(model|molecules|agent-cli|refinery|git)\/index\.js$/;

  it('loads no barrel and nothing only another path uses for the agents’ commands: prime, hook, done, mail', async () => {
    // A polecat as the daemon records one at sling time, holding a bead.
    const bead = await town.create('Polecat work');
    const writer = openTownAt(town.path, 'daemon');
    await writer.journal.mutate(() => ({
      changes: [{ kind: 'polecats', id: 'nux', entity: { id: 'nux', status: 'working', bead: bead.id }, action: 'spawn' }],
      value: undefined,
    }));
    writer.close();
    const polecat = { CITADEL_ACTOR: 'nux', CITADEL_POLECAT: 'nux', CITADEL_TOWN: '' };
    const check = (label: string, modules: string[], extra?: RegExp, allowed?: string): void => {
      expect(modules, label).toContain('dist/cli/main.js');
      const unwanted = (name: string): boolean => heavy.test(name) || barrels.test(name) || name.startsWith('dist/model/import/') || extra?.test(name) === true;
      expect(modules.filter((name) => name !== allowed && unwanted(name)), label).toEqual([]);
    };
    // prime: the bead's molecule status module only, never the molecules' pour/compose/parse code.
    const prime = await modulesOf(['prime'], { env: polecat });
    expect(prime).toContain('dist/agent-cli/prime-context.js');
    check('prime', prime, /^dist\/molecules\/(?!status\.js$)/);
    check('prime --json', await modulesOf(['prime', '--json'], { env: polecat }), /^dist\/molecules\/(?!status\.js$)/);
    // hook on a tool call (first a write, then a throttled read): no prime, no Codex parser, no molecules.
    const notHookPath = /^dist\/(agent-cli\/(prime|codex|install|claude|gemini|opencode|agent-trust|presets)|molecules\/)/;
    for (let i = 0; i < 2; i++) {
      const hook = await modulesOf(['hook', 'pre-tool-use'], { env: polecat, input: '{"hook_event_name":"PreToolUse"}' });
      expect(hook).toContain('dist/agent-cli/record-status.js');
      check(`hook pre-tool-use #${i + 1}`, hook, notHookPath);
    }
    check('hook outside a polecat', await modulesOf(['hook', 'stop'], { input: '{}' }), notHookPath);
    // SessionStart prints prime: that path loads it (the check above is not vacuous).
    expect(await modulesOf(['hook', 'session-start'], { env: polecat, input: '{}' })).toContain('dist/agent-cli/prime-context.js');
    // done (refused here: the town's checkout is on main) loads its submission code, no execa or simple-git.
    const done = await modulesOf(['done'], { env: polecat, code: 1 });
    expect(done).toContain('dist/refinery/submit.js');
    check('done', done, undefined, 'dist/refinery/submit.js');
    // mail: send never loads the mail formatting, inbox --json never the transaction code.
    check('mail send', await modulesOf(['mail', 'send', '--to', 'overseer', '--subject', 'probe', '--body', 'hi'], { env: polecat }), /^dist\/cli\/format\/mail\.js$/);
    check('mail inbox --json', await modulesOf(['mail', 'inbox', '--json'], { env: polecat }), /^dist\/model\/(transaction|graph)\.js$/);
    check('mail inbox', await modulesOf(['mail', 'inbox'], { env: polecat }), /^dist\/model\/(transaction|graph)\.js$/);
  });

  it('answers --version without loading a command or the journal, and --help without the journal', async () => {
    const version = await modulesOf(['--version']);
    expect(version.filter((name) => /^dist\/(cli\/commands|journal|town|model)\//.test(name))).toEqual([]);
    const help = await modulesOf(['--help']);
    expect(help).toContain('dist/cli/commands/ready.js');
    expect(help.filter((name) => /^dist\/(journal|town\/town)/.test(name) || heavy.test(name))).toEqual([]);
  });

  it('runs ready, bead, mail, done, prime, hook and cv from the bundle, every other command from dist/', async () => {
    const bead = await town.create('Bundle probe');
    // From the bundle no ES module of dist/ is loaded at all (it is one CommonJS script).
    for (const args of [['ready', '--json'], ['bead', 'show', bead.id, '--json'], ['mail', 'inbox', '--json'], ['cv', 'overseer', '--json'], ['--town', town.path, 'ready', '--json']]) {
      expect((await modulesOf(args, { bundle: true })).filter((name) => name.startsWith('dist/')), args.join(' ')).toEqual([]);
    }
    for (const args of [['--help'], ['molecule', 'list', '--json'], ['doctor', '--json'], ['--version']]) {
      expect(await modulesOf(args, { bundle: true }), args.join(' ')).toContain('dist/cli/main.js');
    }
    // A bundle older than dist/ (tsc run alone after a build) is not used: dist/ runs.
    const bundleFile = new URL('../../../dist/cli/data.cjs', import.meta.url);
    const { atime, mtime } = statSync(bundleFile);
    try {
      utimesSync(bundleFile, atime, new Date(statSync(new URL('../../../dist/cli/main.js', import.meta.url)).mtimeMs - 60_000));
      expect(await modulesOf(['ready', '--json'], { bundle: true })).toContain('dist/cli/main.js');
    } finally {
      utimesSync(bundleFile, atime, mtime);
    }
    // What the bundle holds (esbuild writes each module's path above its code): the data
    // commands' code and commander, never the workstation, the daemon, MCP or another package.
    const bundled = readFileSync(new URL('../../../dist/cli/data.cjs', import.meta.url), 'utf8')
      .split('\n')
      .filter((line) => /^\/\/ (dist|node_modules)\//.test(line))
      .map((line) => line.slice(3));
    expect(bundled).toContain('dist/cli/main.js');
    expect(bundled).toContain('dist/cli/commands/ready.js');
    expect(bundled.filter((name) => /^dist\/(tui|mcp|demo|scripted-agent)\/|^dist\/daemon\/(?!polecat-env\.js)|^dist\/cli\/commands\/(workstation|init|demo|daemon|mcp)\.js|^node_modules\/(?!commander\/)/.test(name))).toEqual([]);
  });
});
