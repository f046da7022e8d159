/**
 * Installs the four real agent CLIs, pinned, into a cache OUTSIDE the repository
 * ($CITADEL_AGENTS_CACHE, default ~/.cache/citadel-agents/<pkg>@<version>/), never globally.
 * Idempotent: a package whose binary is already there is skipped. Run by the agents tier's
 * vitest globalSetup, or alone: `npx tsx test/agents-real/install.ts`.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type AgentName = 'claude' | 'codex' | 'gemini' | 'opencode';

export interface AgentPackage {
  agent: AgentName;
  pkg: string;
  version: string;
  /** The binary under node_modules/.bin. */
  bin: string;
}

/** Pinned exactly: a new CLI release changes screens and hooks, so it is a deliberate bump. */
export const AGENT_PACKAGES: readonly AgentPackage[] = [
  { agent: 'claude', pkg: '@anthropic-ai/claude-code', version: '2.1.332', bin: 'claude' },
  { agent: 'codex', pkg: '@openai/codex', version: '0.171.0', bin: 'codex' },
  { agent: 'gemini', pkg: '@google/gemini-cli', version: '0.61.0', bin: 'gemini' },
  { agent: 'opencode', pkg: 'opencode-ai', version: '1.18.33', bin: 'opencode' },
];

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.CITADEL_AGENTS_CACHE || join(homedir(), '.cache', 'citadel-agents');
}

export function packageDir(p: AgentPackage, env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), `${p.pkg.replace('/', '+')}@${p.version}`);
}

export function binPath(p: AgentPackage, env: NodeJS.ProcessEnv = process.env): string {
  return join(packageDir(p, env), 'node_modules', '.bin', p.bin);
}

export interface InstallResult {
  agent: AgentName;
  ok: boolean;
  skipped: boolean;
  seconds: number;
  error?: string;
}

function run(argv: string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (error) => resolve({ code: -1, output: String(error) }));
    child.on('close', (code) => resolve({ code: code ?? -1, output }));
  });
}

/** Installs one package (skipping it when its binary and marker exist). */
export async function installOne(p: AgentPackage, env: NodeJS.ProcessEnv = process.env): Promise<InstallResult> {
  const dir = packageDir(p, env);
  const marker = join(dir, '.installed');
  const started = Date.now();
  if (existsSync(marker) && existsSync(binPath(p, env))) return { agent: p.agent, ok: true, skipped: true, seconds: 0 };
  mkdirSync(dir, { recursive: true });
  // A package.json of its own so npm never walks up into a project.
  if (!existsSync(join(dir, 'package.json'))) writeFileSync(join(dir, 'package.json'), '{"private":true}\n');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = await run(
    [npm, 'install', '--prefix', dir, '--no-audit', '--no-fund', '--no-save', '--loglevel', 'error', `${p.pkg}@${p.version}`],
    dir,
  );
  const seconds = (Date.now() - started) / 1000;
  if (result.code !== 0 || !existsSync(binPath(p, env))) {
    // npm's first error lines say what went wrong (code, errno, the request); its last ones only point at a log.
    const lines = result.output.trim().split('\n');
    const errors = lines.filter((line) => /^npm (error|ERR!)/.test(line)).slice(0, 3);
    return { agent: p.agent, ok: false, skipped: false, seconds, error: (errors.length > 0 ? errors : lines.slice(-3)).join(' | ') };
  }
  writeFileSync(marker, `${p.pkg}@${p.version}\n`);
  return { agent: p.agent, ok: true, skipped: false, seconds };
}

/** Installs all four, one after another (npm in parallel on 2 cores only thrashes). */
export async function installAll(env: NodeJS.ProcessEnv = process.env): Promise<InstallResult[]> {
  const results: InstallResult[] = [];
  for (const p of AGENT_PACKAGES) results.push(await installOne(p, env));
  return results;
}

/** Which agents are installed (their binaries exist), for the tests to pick up. */
export function installed(env: NodeJS.ProcessEnv = process.env): Set<AgentName> {
  return new Set(AGENT_PACKAGES.filter((p) => existsSync(join(packageDir(p, env), '.installed')) && existsSync(binPath(p, env))).map((p) => p.agent));
}

export function readMarker(p: AgentPackage): string | undefined {
  const marker = join(packageDir(p), '.installed');
  return existsSync(marker) && statSync(marker).isFile() ? readFileSync(marker, 'utf8').trim() : undefined;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const results = await installAll();
  for (const r of results) {
    process.stdout.write(`${r.agent}: ${r.ok ? (r.skipped ? 'present' : `installed in ${r.seconds.toFixed(1)} s`) : `FAILED (${r.error})`}\n`);
  }
  if (results.some((r) => !r.ok)) process.exitCode = 1;
}
