import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/town/config.js';

const parse = (section: Record<string, unknown>) => parseConfig(JSON.stringify(section), '.citadel/config.json');
const errorOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a throw');
};

describe('the scheduler and escalation sections of the town config', () => {
  it('fills in defaults and keeps what is given', () => {
    expect(parse({}).scheduler).toEqual({ max: 3, agents: {}, pinnedBackoffMaxSeconds: 60 });
    expect(parse({}).escalation).toEqual({ ladder: ['nudge', 'restart', 'mail'], idleSeconds: 120, stepSeconds: 120, restartWithUncommitted: false });
    const config = parse({ scheduler: { max: 5, agents: { claude: { labels: ['docs'], max: 2 }, wrapped: { argv: ['my-agent', '--fast'] } } }, escalation: { ladder: ['mail'] } });
    expect(config.scheduler).toMatchObject({ max: 5, agents: { claude: { labels: ['docs'], max: 2 } } });
    expect(config.escalation).toMatchObject({ ladder: ['mail'], stepSeconds: 120 });
  });

  it('refuses a bad section in one line naming the file, the key and what it must be', () => {
    expect(errorOf(() => parse({ scheduler: { max: 0 } }))).toBe('.citadel/config.json: "scheduler" must be an object whose "max" is a positive integer');
    expect(errorOf(() => parse({ scheduler: { agents: { claude: { lables: [] } } } }))).toMatch(/"scheduler" must be an object whose agent "claude" has only preset .*; "lables" is not that/);
    expect(errorOf(() => parse({ scheduler: { maxx: 1 } }))).toMatch(/only "max", "agents" and "pinnedBackoffMaxSeconds" \(not "maxx"\)/);
    expect(errorOf(() => parse({ escalation: { ladder: ['nudge', 'kill'] } }))).toMatch(/"escalation" must be an object whose "ladder" lists "nudge", "restart" and "mail"/);
    expect(errorOf(() => parse({ escalation: { restartWithUncommitted: 'yes' } }))).toMatch(/"restartWithUncommitted" is true or false/);
  });
});
