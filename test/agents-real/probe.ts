/**
 * A look at a real agent CLI's screens against the stand-in, outside citadel: runs it in a pty
 * (the size of a polecat pane) and prints the screen, rows numbered, each time it settles.
 *   npx tsx test/agents-real/probe.ts claude [--untrusted] [--hold] [-- extra argv]
 * The stand-in plays a shell command that needs permission, then a closing text.
 */
import { mkdtempSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import * as pty from 'node-pty';
import xterm from '@xterm/headless';
import { endProcessesUnder } from './processes.js';
import { startStandIn } from './stand-in.js';
import { agentEnv } from './agent-env.js';
import type { AgentName } from './install.js';

const agent = process.argv[2] as AgentName;
const flags = process.argv.slice(3);
const extra = flags.includes('--') ? flags.slice(flags.indexOf('--') + 1) : [];
const seconds = Number(process.env.PROBE_SECONDS ?? 25);
const root = mkdtempSync(join(tmpdir(), 'probe-'));
const work = join(root, 'work');
mkdirSync(work);
execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: work });
// PROBE_WORKTREE=1: run in a git worktree under the repo, as a polecat does (.citadel/worktrees/nux).
let cwd = work;
if (process.env.PROBE_WORKTREE) {
  execFileSync('git', ['-c', 'user.name=p', '-c', 'user.email=p@p', 'commit', '-q', '--allow-empty', '-m', 'init'], { cwd: work });
  cwd = join(work, '.citadel', 'worktrees', 'nux');
  execFileSync('git', ['worktree', 'add', '-q', '-b', 'polecat/nux', cwd], { cwd: work });
}
// PROBE_FILE=relative/path: an (empty) file to put in the working folder first, e.g. .opencode/plugins/x.js.
if (process.env.PROBE_FILE) {
  mkdirSync(join(cwd, process.env.PROBE_FILE, '..'), { recursive: true });
  writeFileSync(join(cwd, process.env.PROBE_FILE), 'export const Probe = async () => ({});\n');
}
const standIn = await startStandIn([
  { kind: 'shell', command: 'echo probe > probe.txt', why: 'write probe.txt' },
  { kind: 'text', text: 'I wrote probe.txt.' },
]);
const hold = flags.includes('--hold') ? standIn.hold(0) : undefined;
const env = agentEnv(agent, { home: join(root, 'home'), url: standIn.url, trusted: flags.includes('--untrusted') ? [] : [work] });
const cols = Number(process.env.PROBE_COLS ?? 80);
const rows = Number(process.env.PROBE_ROWS ?? 24);
const term = new xterm.Terminal({ cols, rows, allowProposedApi: true });
const prompt = ['Run the command you are told to run.'];
const argv = agent === 'gemini' ? ['-i', ...prompt] : agent === 'opencode' ? ['--prompt', ...prompt] : prompt;
const child = pty.spawn(agent, [...extra, ...argv], {
  cols,
  rows,
  cwd,
  name: 'xterm-256color',
  env: { ...process.env, ...env, TERM: 'xterm-256color', COLORTERM: 'truecolor' } as Record<string, string>,
});
const started = Date.now();
// PROBE_REPLY=1: the terminal answers queries (cursor position, device attributes), as a real one does.
if (process.env.PROBE_REPLY) term.onData((data) => child.write(data));
// Log every query the program sends (DSR, DA, OSC colour queries…), to see what it waits for.
child.onData((data) => {
  for (const m of data.matchAll(/\x1b\[[>?=]?[0-9;]*[cn]|\x1b\][0-9]+;\?(\x07|\x1b\\)|\x1b\[\?[0-9]+\$p|\x1b\[1[48]t/g)) {
    process.stdout.write(`--- query ${JSON.stringify(m[0])} at t=${((Date.now() - started) / 1000).toFixed(1)}s\n`);
  }
});
let timer: NodeJS.Timeout | undefined;
let last = '';
const dump = () => {
  const buffer = term.buffer.active;
  const lines: string[] = [];
  for (let y = 0; y < rows; y++) lines.push(`${String(y).padStart(2)}|${buffer.getLine(buffer.baseY + y)?.translateToString(true) ?? ''}`);
  const text = lines.join('\n');
  if (text === last) return;
  last = text;
  process.stdout.write(`--- t=${((Date.now() - started) / 1000).toFixed(1)}s\n${text}\n`);
};
child.onData((data) => {
  term.write(data);
  clearTimeout(timer);
  timer = setTimeout(dump, 300);
});
if (hold) {
  void hold.reached.then(() => {
    process.stdout.write(`--- held at t=${((Date.now() - started) / 1000).toFixed(1)}s\n`);
    setTimeout(() => hold.release(), 4000);
  });
}
// Keys to type, PROBE_KEYS="5:\r,9:y" (seconds:key).
for (const spec of (process.env.PROBE_KEYS ?? '').split(',').filter(Boolean)) {
  const [at, key] = spec.split(':');
  setTimeout(() => {
    process.stdout.write(`--- typing ${JSON.stringify(key)} at t=${at}\n`);
    child.write((key ?? '').replace(/\\r/g, '\r'));
  }, Number(at) * 1000);
}
child.onExit(({ exitCode }) => process.stdout.write(`--- exited ${exitCode}\n`));
setTimeout(() => {
  dump();
  process.stdout.write('--- requests:\n');
  for (const r of standIn.requests) process.stdout.write(`${((r.at - started) / 1000).toFixed(1)}s ${r.method} ${r.path} ${r.status} main=${r.main} step=${r.step ?? ''} tools=${(r.tools ?? []).slice(0, 30).join(',')}\n`);
  // PROBE_TOOL=name: print that tool's declaration as the CLI sent it.
  const main = standIn.requests.find((r) => r.main);
  if (process.env.PROBE_TOOL && main) process.stdout.write(`--- tool ${process.env.PROBE_TOOL}: ${JSON.stringify(JSON.stringify(main.body).match(new RegExp(`.{0,200}"${process.env.PROBE_TOOL}".{0,3000}`))?.[0])}\n`);
  process.stdout.write(`--- probe.txt: ${(() => { try { return execFileSync('cat', ['probe.txt'], { cwd: work, encoding: 'utf8' }); } catch { return 'absent'; } })()}\n`);
  try { child.kill('SIGKILL'); } catch { /* gone */ }
  // Codex's app-server daemon (setsid) outlives the CLI: end what the probe left under its folder.
  void endProcessesUnder([root]).then(({ ended }) => {
    if (ended.length > 0) process.stdout.write(`--- ended ${ended.length} leftover process(es): ${ended.map((p) => p.cmdline).join(' | ')}\n`);
    return standIn.close();
  }).then(() => {
    if (!process.env.PROBE_KEEP) rmSync(root, { recursive: true, force: true });
    else process.stdout.write(`kept ${root}\n`);
    process.exit(0);
  });
}, seconds * 1000);
