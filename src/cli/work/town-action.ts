import { CitadelError } from '../../common/errors.js';
import { ensureDaemon } from '../../daemon/lifecycle.js';
import { ensureCitadelShim, polecatEnv } from '../../daemon/polecat-env.js';
import { defaultAgent, getPreset } from '../../agent-cli/presets.js';
import { findExecutable } from '../../pty/executable.js';
import { townClock } from '../../scheduler/clock.js';
import { SkillBook } from '../../scheduler/skills.js';
import { readScheduler, setScheduler } from '../../scheduler/state.js';
import { schedulerView, type SchedulerView } from '../../scheduler/view.js';
import type { Town } from '../../town/town.js';
import type { CliContext } from '../context.js';
import { positiveInt } from './input.js';

/** `town start`: one mutation (running, --max, --agent), then the daemon, which hosts the scheduler. */
export async function townStart(context: CliContext, options: { max?: string; agent?: string; json?: boolean }): Promise<void> {
  const max = options.max === undefined ? undefined : positiveInt(options.max, '--max');
  const town = context.town();
  if (options.agent !== undefined) checkAgent(town, options.agent, context.env);
  else if (Object.keys(town.config.scheduler.agents).length === 0 && !readScheduler(town.journal.read())?.agent) fallbackAgent(town, context.env, true);
  const now = new Date(townClock(context.env)()).toISOString();
  await town.journal.mutate(setScheduler(town.actor, now, { state: 'running', max, agent: options.agent }));
  const { client, started } = await ensureDaemon(town.paths.root, { env: context.env });
  client.close();
  const view = viewOf(town, context.env);
  if (options.json) {
    context.json({ ...view, daemon_started: started });
    return;
  }
  context.out(
    `the scheduler runs: up to ${view.max} polecat${view.max === 1 ? '' : 's'} busy, agent${view.agents.length === 1 ? '' : 's'} ${view.agents.join(', ')}` +
      `${started ? ' (daemon started)' : ''}.\n` +
      `\`citadel town status\` shows what it takes next; \`citadel town pause\` stops taking work.\n`,
  );
}

/** `town pause`: takes no more work; running polecats finish. */
export async function townPause(context: CliContext, options: { json?: boolean }): Promise<void> {
  const town = context.town();
  const now = new Date(townClock(context.env)()).toISOString();
  await town.journal.mutate(setScheduler(town.actor, now, { state: 'paused' }));
  if (options.json) context.json(viewOf(town, context.env));
  else context.out('the scheduler is paused: it takes no more work; running polecats finish. `citadel town start` resumes.\n');
}

/** `town status`. */
export function townStatus(context: CliContext, options: { json?: boolean }): void {
  const town = context.town();
  const view = viewOf(town, context.env);
  if (options.json) context.json(view);
  else context.out(statusText(view));
}

function viewOf(town: Town, env: NodeJS.ProcessEnv): SchedulerView {
  const book = new SkillBook();
  for (const record of town.journal.records()) book.add(record);
  const fallback = fallbackAgent(town, env, false);
  return schedulerView(town.journal.read(), {
    now: townClock(env)(),
    config: town.config.scheduler,
    profile: (who) => book.profile(who),
    ...(fallback ? { fallbackAgent: fallback } : {}),
  });
}

/** The agent named by `--agent`: a config `scheduler.agents` entry or a preset, installed. */
function checkAgent(town: Town, agent: string, env: NodeJS.ProcessEnv): void {
  const entry = town.config.scheduler.agents[agent];
  if (entry?.argv) return;
  const preset = getPreset(entry?.preset ?? agent);
  ensureCitadelShim(town.paths.root); // the scripted agent runs `citadel`, from the town's shim
  const path = polecatEnv(env, { town: town.paths.root, name: 'polecat', bead: null }).PATH;
  if (!findExecutable(preset.argv[0]!, { cwd: town.paths.root, path })) {
    throw new CitadelError('not_found', `the ${preset.name} agent \`${preset.argv[0]}\` is not installed (not found on PATH): install it, or choose another with --agent`);
  }
}

function fallbackAgent(town: Town, env: NodeJS.ProcessEnv, required: boolean): string | undefined {
  const path = polecatEnv(env, { town: town.paths.root, name: 'polecat', bead: null }).PATH;
  try {
    return defaultAgent(town.config.defaultAgent, (program) => findExecutable(program, { cwd: town.paths.root, path }) !== undefined);
  } catch (error) {
    if (required) throw new CitadelError('not_found', (error as Error).message.replace(/or pass --agent NAME or -- ARGV$/, 'or give `citadel town start --agent NAME`'));
    return undefined;
  }
}

export function statusText(view: SchedulerView): string {
  const lines: string[] = [];
  const who = view.changed_by ? ` (by ${view.changed_by})` : '';
  if (view.state === 'off') lines.push('the scheduler is off: `citadel town start` starts it');
  else lines.push(`the scheduler is ${view.state}${who}: ${view.busy} of ${view.max} polecats busy, agent${view.agents.length === 1 ? '' : 's'} ${view.agents.join(', ')}`);
  if (view.next.length > 0) {
    lines.push(view.state === 'running' ? 'Next (taken at its next look):' : 'Next (were it running):');
    for (const decision of view.next) lines.push(`  ${decision.reason}`);
  }
  if (view.waiting.length > 0) {
    lines.push('Waiting:');
    for (const waiting of view.waiting.slice(0, 20)) lines.push(`  ${waiting.bead}  ${waiting.title.slice(0, 60)} — ${waiting.why}`);
    if (view.waiting.length > 20) lines.push(`  … and ${view.waiting.length - 20} more`);
  }
  if (view.resources.length > 0) {
    lines.push('Resources:');
    for (const resource of view.resources) {
      const holders = resource.holders.map((h) => `${h.bead}${h.polecat ? ` (${h.polecat})` : ''}`).join(', ');
      lines.push(`  ${resource.id}  ${resource.title.slice(0, 40)}  ${resource.holders.length}/${resource.capacity}${holders ? `  held by ${holders}` : '  free'}`);
    }
  }
  if (view.last) lines.push(`Last decision (${view.last.at}): ${view.last.reason}`);
  return `${lines.join('\n')}\n`;
}
