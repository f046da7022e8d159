import { describe, expect, it } from 'vitest';
import { beadsOf, readyQueue, transact, whyNotReady, type Bead } from '../../../src/model/index.js';
import { parseInterval, parseTime, scheduleFields } from '../../../src/model/schedule.js';
import { nextStep, type Track } from '../../../src/scheduler/escalation.js';
import { defaultEscalationConfig } from '../../../src/scheduler/config.js';
import { memoryTown } from '../model/fixtures.js';

const errorOf = (fn: () => unknown): Error => {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
};

describe('scheduling fields on beads', () => {
  it('parses intervals and times, refusing nonsense in one line', () => {
    expect(parseInterval('1h30m')).toBe(5_400_000);
    expect(parseInterval('nightly')).toBe(86_400_000);
    expect(parseInterval('90s')).toBe(90_000);
    expect(errorOf(() => parseInterval('soon')).message).toMatch(/--every "soon" is not an interval: use e.g. 30m/);
    expect(errorOf(() => parseInterval('0m')).message).toMatch(/at least 1s/);
    const now = Date.parse('2026-06-01T00:00:00Z');
    expect(parseTime('+2h', now)).toBe('2026-06-01T02:00:00.000Z');
    expect(parseTime('2026-12-24', now)).toBe('2026-12-24T00:00:00.000Z');
    expect(errorOf(() => parseTime('tomorrow', now)).message).toMatch(/is not a time: use an ISO date/);
    expect(errorOf(() => scheduleFields({ capacity: '2' }, 'task', now)).message).toMatch(/--capacity is for a resource/);
    expect(errorOf(() => scheduleFields({ every: '1d' }, 'resource', now)).message).toMatch(/a resource is not work/);
  });

  it('a resource admits at most capacity users in progress: the ready rule and claim agree', () => {
    const { journal, as } = memoryTown();
    const overseer = as('overseer');
    const db = journal.mutate(transact(overseer, (tx) => tx.create({ title: 'staging db', type: 'resource', fields: { capacity: 1 } })));
    const [a, b] = journal.mutate(transact(overseer, (tx) => ['a', 'b'].map((t) => tx.create({ title: t, fields: { uses: [db.id] } }))));
    expect(readyQueue(beadsOf(journal.read())).map((x) => x.id)).toEqual([a!.id, b!.id]); // the resource itself is not work
    journal.mutate(transact(as('nux'), (tx) => tx.claim(a!.id)));
    expect(readyQueue(beadsOf(journal.read())).map((x) => x.id)).toEqual([]);
    expect(whyNotReady(beadsOf(journal.read()).get(b!.id)!, beadsOf(journal.read()))).toBe(`${db.id} is at capacity 1 (held by ${a!.id})`);
    expect(errorOf(() => journal.mutate(transact(as('slit'), (tx) => tx.claim(b!.id)))).message).toMatch(new RegExp(`${b!.id} cannot start now: ${db.id} is at capacity 1`));
    journal.mutate(transact(as('nux'), (tx) => tx.close(a!.id)));
    expect(readyQueue(beadsOf(journal.read())).map((x) => x.id)).toEqual([b!.id]);
  });

  it('a deferred bead is not ready before its time; a recurring bead pours its next occurrence on close', () => {
    const { journal, as } = memoryTown();
    const overseer = as('overseer');
    const timed = journal.mutate(transact(overseer, (tx) => tx.create({ title: 'later', fields: { defer_until: '2026-01-02T00:00:00.000Z' } })));
    const beads = (): ReadonlyMap<string, Bead> => beadsOf(journal.read());
    expect(readyQueue(beads(), { now: Date.parse('2026-01-01T23:59:59Z') })).toEqual([]);
    expect(whyNotReady(beads().get(timed.id)!, beads(), undefined, Date.parse('2026-01-01T23:00:00Z'))).toBe('it is deferred until 2026-01-02T00:00:00.000Z');
    expect(readyQueue(beads(), { now: Date.parse('2026-01-02T00:00:00Z') }).map((b) => b.id)).toEqual([timed.id]);

    const nightly = journal.mutate(transact(overseer, (tx) => tx.create({ title: 'bump deps', labels: ['deps'], fields: { every: 'nightly' } })));
    journal.mutate(transact(as('nux'), (tx) => tx.claim(nightly.id)));
    const closed = journal.mutate(transact(as('nux'), (tx) => tx.close(nightly.id)));
    const next = [...beads().values()].find((b) => (b as { recurs_from?: string }).recurs_from === nightly.id) as Bead & { defer_until: string; every: string };
    expect(next).toMatchObject({ title: 'bump deps', labels: ['deps'], status: 'open', assignee: null, every: 'nightly' });
    expect(Date.parse(next.defer_until) - Date.parse(closed[0]!.closed_at!)).toBe(86_400_000);
    expect(journal.log.at(-1)!.summary).toMatch(new RegExp(`${nightly.id} recurs: ${next.id} poured, not before`));
  });
});

describe('the escalation ladder', () => {
  const config = { ...defaultEscalationConfig, idleSeconds: 10, stepSeconds: 5 };
  const idle = { status: 'idle', bead: 'ct-a', running: true, unfinished: true };
  it('nudge, restart, mail — in that order, one per stepSeconds, then nothing', () => {
    let track: Track | undefined;
    const steps: string[] = [];
    for (let t = 0; t <= 60_000; t += 1000) {
      const verdict = nextStep(idle, track, t, config);
      track = verdict.track;
      if (verdict.step) steps.push(`${verdict.step}@${t / 1000}`);
    }
    expect(steps).toEqual(['nudge@10', 'restart@15', 'mail@20']);
  });
  it('working again for a while ends the episode; a finished bead or a new bead is not escalated', () => {
    let verdict = nextStep(idle, undefined, 0, config);
    verdict = nextStep(idle, verdict.track, 10_000, config);
    expect(verdict.step).toBe('nudge');
    expect(nextStep({ ...idle, status: 'working' }, verdict.track, 12_000, config).track).toBeDefined();
    expect(nextStep({ ...idle, status: 'working' }, verdict.track, 15_000, config).track).toBeUndefined();
    expect(nextStep({ ...idle, unfinished: false }, undefined, 99_000, config).step).toBeNull();
    expect(nextStep({ ...idle, bead: 'ct-b' }, verdict.track, 11_000, config).track).toMatchObject({ bead: 'ct-b', taken: 0 });
  });
});
