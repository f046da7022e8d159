import type { DaemonCore } from '../daemon/daemon.js';
import type { Town } from '../town/town.js';
import { townClock } from './clock.js';
import { EscalationHost } from './escalation-host.js';
import { SchedulerHost } from './host.js';

export interface HostedScheduler {
  summary(): ReturnType<SchedulerHost['summary']>;
  stop(): void;
}

/**
 * What the daemon hosts for issue 17, in one call from run.ts: the scheduler (it acts only
 * while the journal says `running`) and the witness's escalation ladder. `CITADEL_NO_SCHEDULER=1`
 * turns both off (a daemon test that wants no automation).
 */
export async function startScheduler(core: DaemonCore, town: Town, env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<HostedScheduler | undefined> {
  if (env.CITADEL_NO_SCHEDULER === '1') return undefined;
  const clock = townClock(env);
  const scheduler = new SchedulerHost({
    town,
    env,
    log,
    clock,
    spawn: (name) => core.polecats.spawn(name),
    hasPane: (name) => core.panes.has(name),
  });
  const escalation = new EscalationHost({ town, panes: core.panes, runner: core.polecats, log, clock });
  await scheduler.start();
  escalation.start();
  return {
    summary: () => scheduler.summary(),
    stop: () => {
      scheduler.stop();
      escalation.stop();
    },
  };
}
