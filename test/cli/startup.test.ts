import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { makeTown, type TestTown } from './bead-town.js';

/**
 * Cold start (docs/cli.md, "Startup"): a command loads only what it uses. The real binary runs
 * with a module loader hook that writes down every module it loads; a data command must not
 * load the workstation, the daemon, ptys, MCP or any package but commander, and
 * `citadel --version` must not even load the journal. The times are in `npm run bench:cli`.
 */
describe('citadel start-up', () => {
  let town: TestTown;
  let hooks: string;
  let log: string;

  beforeAll(async () => {
    town = await makeTown();
    hooks = mkdtempSync(join(tmpdir(), 'citadel-startup-'));
    log = join(hooks, 'modules.log');
    writeFileSync(
      join(hooks, 'hook.mjs'),
      `import { appendFileSync } from 'node:fs';\n` +
        `export async function load(url, context, next) {\n` +
        `  appendFileSync(${JSON.stringify(log)}, url + '\\n');\n` +
        `  return next(url, context);\n` +
        `}\n`,
    );
    writeFileSync(join(hooks, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(hooks, 'hook.mjs')).href)});\n`);
  });
  afterAll(() => {
    town?.dispose();
    if (hooks) rmSync(hooks, { recursive: true, force: true });
  });

  /** The modules `citadel ARGS` loads: dist/… paths and package names. */
  async function modulesOf(args: string[]): Promise<string[]> {
    rmSync(log, { force: true });
    const result = await runCli(args, {
      cwd: town.path,
      env: { CITADEL_ACTOR: 'overseer', NODE_OPTIONS: `--import=${pathToFileURL(join(hooks, 'register.mjs')).href}` },
    });
    expect(result.code, result.stderr).toBe(0);
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

  it('answers --version without loading a command or the journal, and --help without the journal', async () => {
    const version = await modulesOf(['--version']);
    expect(version.filter((name) => /^dist\/(cli\/commands|journal|town|model)\//.test(name))).toEqual([]);
    const help = await modulesOf(['--help']);
    expect(help).toContain('dist/cli/commands/ready.js');
    expect(help.filter((name) => /^dist\/(journal|town\/town)/.test(name) || heavy.test(name))).toEqual([]);
  });
});
