import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { join } from 'node:path';
import { CitadelError } from '../../common/errors.js';
import type { CliContext } from '../context.js';
import { addCodexNotify, applyTrust, describeTrust, recordTrust, trustableAgents, type TrustableAgent } from '../../agent-cli/agent-trust.js';

/** Agents with nothing to trust: they are ready as soon as they are installed and logged in. */
const nothingToDo: Readonly<Record<string, string>> = {
  opencode: 'opencode asks no trust question: log in once (`opencode auth login`) and sling',
  aider: 'aider asks no trust question: set its API key (e.g. OPENAI_API_KEY) and sling',
};

/**
 * `citadel agent setup NAME`: shows what trusting the polecats' worktrees changes in the
 * agent's own config, asks (or takes --yes), applies it, and records the consent in the town so
 * each new worktree is trusted at its pane start (agent-trust.ts).
 */
export async function setupAgent(context: CliContext, name: string, options: { yes?: boolean | undefined; json?: boolean | undefined }): Promise<void> {
  if (Object.hasOwn(nothingToDo, name)) {
    if (options.json) context.json({ agent: name, changed: [], note: nothingToDo[name] });
    else context.out(`${nothingToDo[name]}\n`);
    return;
  }
  if (!(trustableAgents as readonly string[]).includes(name)) {
    throw new CitadelError('usage', `unknown agent "${name}" for setup (known: ${[...trustableAgents, ...Object.keys(nothingToDo)].join(', ')})`);
  }
  const agent = name as TrustableAgent;
  const town = context.town();
  const worktrees = join(realpathSync(town.paths.root), '.citadel', 'worktrees');
  const existing = existsSync(worktrees) ? readdirSync(worktrees, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => join(worktrees, entry.name)) : [];
  const paths = [worktrees, ...existing];
  const plan = describeTrust(agent, paths, context.env);
  if (!options.yes) {
    const lines = `citadel agent setup ${agent} trusts the polecats' worktrees (now and each new one at its start):\n${plan.map((line) => `  ${line}`).join('\n')}\n`;
    if (!process.stdin.isTTY || options.json) {
      context.err(lines);
      throw new CitadelError('refused', `nothing changed: run \`citadel agent setup ${agent} --yes\` to apply the above`);
    }
    context.out(lines);
    const reader = createInterface({ input: process.stdin, output: process.stdout });
    const answer = await reader.question('Apply? [y/N] ');
    reader.close();
    if (!/^y(es)?$/i.test(answer.trim())) throw new CitadelError('refused', 'nothing changed');
  }
  const changed = await applyTrust(agent, paths, context.env);
  if (agent === 'codex' && (await addCodexNotify(context.env))) changed.push('notify');
  await recordTrust(town.paths.citadel, agent);
  if (options.json) {
    context.json({ agent, changed, trusted: paths });
    return;
  }
  context.out(`${agent}: ${changed.length ? `trusted ${changed.length} folder(s)` : 'already trusted'}; new worktrees are trusted when their polecat starts.\n`);
}
