import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../../src/journal/types.js';
import type { Bead } from '../../../src/model/bead.js';
import { isBusy, plan, type PlanAgent, type PlanInput, type PlanPolecat } from '../../../src/scheduler/plan.js';
import { agentKey, SkillBook } from '../../../src/scheduler/skills.js';
import { bead, byId } from '../model/fixtures.js';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const names = ['nux', 'slit', 'toast', 'capable', 'dag', 'cheedo'];
const empty = new SkillBook();

function input(beads: Bead[], polecats: PlanPolecat[] = [], more: Partial<PlanInput> = {}): PlanInput {
  return { beads: byId(...beads), polecats, now: NOW, max: 3, agents: [{ name: 'scripted' }], profile: (who) => empty.profile(who), names, ...more };
}

const polecat = (name: string, fields: Partial<PlanPolecat> = {}): PlanPolecat => ({ name, bead: null, status: 'exited', pid: null, agent: 'scripted', branch: null, updatedAt: NOW - 60_000, ...fields });
const resource = (id: string, capacity = 1): Bead => bead(id, { type: 'resource', ...({ capacity } as object) });
const uses = (id: string, res: string, fields: Partial<Bead> = {}): Bead => bead(id, { ...fields, ...({ uses: [res] } as object) });

describe('the scheduler plan', () => {
  it('takes ready beads in queue order up to max, reusing idle polecats first, with reasons', () => {
    const beads = [bead('ct-a', { priority: 1 }), bead('ct-b'), bead('ct-c'), bead('ct-d'), bead('ct-e')];
    const result = plan(input(beads, [polecat('slit'), polecat('nux', { pid: 42, status: 'working', bead: 'ct-x' })]));
    expect(result.busy).toBe(1);
    expect(result.decisions.map((d) => [d.bead, d.polecat, d.reused])).toEqual([
      ['ct-a', 'slit', true],
      ['ct-b', 'toast', false],
    ]);
    expect(result.decisions[0]!.reason).toMatch(/ct-a \(P1, next in the queue\) → slit \(reused\) on scripted/);
    expect(result.waiting.map((w) => w.bead)).toEqual(['ct-c', 'ct-d', 'ct-e']);
    expect(result.waiting[0]!.why).toMatch(/no free slot \(3\/3/);
  });

  it('never gives a capacity-1 resource to two beads, counting holders and its own picks', () => {
    const beads = [resource('ct-db'), uses('ct-m1', 'ct-db'), uses('ct-m2', 'ct-db'), bead('ct-other')];
    const first = plan(input(beads));
    expect(first.decisions.map((d) => d.bead)).toEqual(['ct-m1', 'ct-other']);
    expect(first.waiting).toEqual([{ bead: 'ct-m2', title: 'bead ct-m2', why: 'ct-db is at capacity 1 (held by ct-m1)' }]);
    const held = plan(input([resource('ct-db'), uses('ct-m1', 'ct-db', { status: 'in_progress', assignee: 'nux' }), uses('ct-m2', 'ct-db')]));
    expect(held.decisions).toEqual([]);
  });

  it('leaves a deferred bead until its time, on the injected clock', () => {
    const timed = bead('ct-t', { ...({ defer_until: '2026-06-01T13:00:00.000Z' } as object) });
    expect(plan(input([timed])).decisions).toEqual([]);
    expect(plan(input([timed], [], { now: Date.parse('2026-06-01T13:00:00Z') })).decisions.map((d) => d.bead)).toEqual(['ct-t']);
  });

  it('sends a bounced bead back to its own polecat, and keeps that polecat for it', () => {
    const work = bead('ct-w', { status: 'in_progress', assignee: 'nux' });
    const mr = bead('ct-mr', { type: 'merge_request', status: 'closed', ...({ bead: 'ct-w', state: 'rejected', polecat: 'nux' } as object) });
    const result = plan(input([work, mr, bead('ct-n')], [polecat('nux', { branch: 'polecat/nux/ct-w' })]));
    expect(result.decisions.map((d) => [d.kind, d.bead, d.polecat])).toEqual([
      ['rework', 'ct-w', 'nux'],
      ['take', 'ct-n', 'slit'],
    ]);
  });

  it('restarts a pinned bead on its own polecat, outside max, after its backoff', () => {
    const pinned = bead('ct-mayor', { ...({ pinned: true } as object) });
    const mayor = polecat('toast', { branch: 'polecat/toast/ct-mayor' });
    const busy = ['nux', 'slit', 'dag'].map((n) => polecat(n, { pid: 1, status: 'working', bead: `ct-${n}` }));
    const result = plan(input([pinned, bead('ct-x')], [mayor, ...busy]));
    expect(result.decisions.map((d) => [d.kind, d.bead, d.polecat])).toEqual([['pinned', 'ct-mayor', 'toast']]);
    expect(plan(input([pinned], [mayor], { notBefore: new Map([['ct-mayor', NOW + 1000]]) })).decisions).toEqual([]);
    // Paused or off: only pinned beads that ran before come back; a new pinned bead and other work wait.
    const fresh = bead('ct-fresh', { ...({ pinned: true } as object) });
    expect(plan(input([pinned, fresh, bead('ct-y')], [mayor], { only: 'pinned' })).decisions.map((d) => d.bead)).toEqual(['ct-mayor']);
  });

  it('respects per-agent max and labels, and says why a bead waits', () => {
    const agents: PlanAgent[] = [
      { name: 'claude', labels: ['docs'], max: 1 },
      { name: 'codex', labels: ['api'] },
    ];
    const result = plan(input([bead('ct-d1', { labels: ['docs'] }), bead('ct-d2', { labels: ['docs'] }), bead('ct-a1', { labels: ['api'] }), bead('ct-x')], [], { agents }));
    expect(result.decisions.map((d) => [d.bead, d.agent])).toEqual([
      ['ct-d1', 'claude'],
      ['ct-a1', 'codex'],
    ]);
    expect(result.waiting.find((w) => w.bead === 'ct-d2')!.why).toMatch(/claude is at its max 1/);
    expect(result.waiting.find((w) => w.bead === 'ct-x')!.why).toMatch(/claude takes only docs; codex takes only api/);
  });

  it('routes by CV: the agent (and polecat) whose history matches the bead, and says so', () => {
    const book = new SkillBook();
    let seq = 0;
    const add = (kind: string, id: string, action: string, entity: object): void =>
      book.add({ v: 1, seq: ++seq, ts: new Date(NOW - 100_000 + seq * 1000).toISOString(), writer: 'x', pid: 1, action, kind, id, entity: { id, ...entity } } as JournalRecord);
    add('polecats', 'nux', 'sling', { agent: 'scripted', scheduler_agent: 'alpha' });
    add('polecats', 'slit', 'sling', { agent: 'scripted', scheduler_agent: 'beta' });
    for (const [polecatName, label, n] of [['nux', 'docs', 3], ['slit', 'api', 2]] as const) {
      for (let i = 0; i < n; i++) {
        const id = `ct-${label}${i}`;
        add('beads', id, 'claim', { ...bead(id, { labels: [label], status: 'in_progress', assignee: polecatName }) });
        add('beads', `${id}-mr`, 'merged', { ...bead(`${id}-mr`, { type: 'merge_request', status: 'closed', ...({ bead: id, state: 'merged', polecat: polecatName } as object) }) });
        add('beads', id, 'close', { ...bead(id, { labels: [label], status: 'closed', assignee: polecatName }) });
      }
    }
    expect(book.profile(agentKey('alpha')).labels.get('docs')).toBe(3);
    const agents: PlanAgent[] = [{ name: 'beta' }, { name: 'alpha' }];
    const result = plan(
      input([bead('ct-new-docs', { labels: ['docs'] }), bead('ct-new-api', { labels: ['api'] }), bead('ct-skill', { ...({ needs_skill: ['api'] } as object) })], [polecat('nux', { agent: 'alpha' }), polecat('slit', { agent: 'beta' })], {
        agents,
        profile: (who) => book.profile(who),
      }),
    );
    const byBead = new Map(result.decisions.map((d) => [d.bead, d]));
    expect(byBead.get('ct-new-docs')).toMatchObject({ agent: 'alpha', polecat: 'nux' });
    expect(byBead.get('ct-new-docs')!.reason).toMatch(/best match \(closed 3 beads labelled docs, 3\/3 merged first try\)/);
    expect(byBead.get('ct-new-api')).toMatchObject({ agent: 'beta', polecat: 'slit' });
    expect(byBead.get('ct-skill')).toMatchObject({ agent: 'beta' });
    expect(byBead.get('ct-skill')!.reason).toMatch(/has shown api/);
    // Nobody has shown "rust": the bead waits, and says so.
    const none = plan(input([bead('ct-rust', { ...({ needs_skill: ['rust'] } as object) })], [], { agents, profile: (who) => book.profile(who) }));
    expect(none.waiting[0]!.why).toMatch(/beta has not shown rust; alpha has not shown rust/);
  });

  it('property: never over max, never over a resource capacity, no bead or polecat twice, no busy polecat taken', () => {
    const arbitraryTown = fc.record({
      beads: fc.array(
        fc.record({
          status: fc.constantFrom('open', 'open', 'open', 'in_progress', 'closed' as const),
          uses: fc.subarray(['ct-r1', 'ct-r2']),
          priority: fc.integer({ min: 0, max: 4 }),
          pinned: fc.boolean(),
          deferred: fc.boolean(),
        }),
        { maxLength: 25 },
      ),
      capacities: fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 1, max: 3 })),
      polecats: fc.array(fc.record({ busy: fc.boolean(), starting: fc.boolean() }), { maxLength: 8 }),
      max: fc.integer({ min: 0, max: 5 }),
      agentMax: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(arbitraryTown, (town) => {
        const beads: Bead[] = [resource('ct-r1', town.capacities[0]), resource('ct-r2', town.capacities[1])];
        town.beads.forEach((b, i) =>
          beads.push(
            bead(`ct-b${i}`, {
              status: b.status,
              priority: b.priority as Bead['priority'],
              assignee: b.status === 'in_progress' ? `p${i}` : null,
              ...({ uses: b.uses, pinned: b.pinned || undefined, defer_until: b.deferred ? '2027-01-01T00:00:00Z' : undefined } as object),
            }),
          ),
        );
        const polecats = town.polecats.map((p, i) => polecat(names[i] ?? `polecat-${i}`, p.busy ? { pid: 100 + i, status: 'working', bead: 'ct-b0' } : p.starting ? { status: 'starting', updatedAt: NOW - 1000 } : {}));
        const map = byId(...beads);
        const result = plan(input(beads, polecats, { max: town.max, agents: [{ name: 'scripted', max: town.agentMax }] }));
        const pinned = (id: string): boolean => (map.get(id) as { pinned?: boolean }).pinned === true;
        const taken = result.decisions.filter((d) => !pinned(d.bead));
        // Never over max (busy polecats counted, pinned ones aside), nor over the agent's own max.
        expect(result.busy + taken.length).toBeLessThanOrEqual(Math.max(town.max, result.busy));
        if (taken.length > 0) expect(result.busy + taken.length).toBeLessThanOrEqual(town.max);
        if (town.agentMax !== undefined && taken.length > 0) expect(taken.length).toBeLessThanOrEqual(town.agentMax);
        // Never over a resource's capacity: holders in progress plus the plan's picks.
        for (const [res, capacity] of [['ct-r1', town.capacities[0]], ['ct-r2', town.capacities[1]]] as const) {
          const holding = beads.filter((b) => b.status === 'in_progress' && ((b as { uses?: string[] }).uses ?? []).includes(res)).length;
          const picked = result.decisions.filter((d) => ((map.get(d.bead) as { uses?: string[] }).uses ?? []).includes(res)).length;
          if (picked > 0) expect(holding + picked).toBeLessThanOrEqual(capacity);
        }
        expect(new Set(result.decisions.map((d) => d.bead)).size).toBe(result.decisions.length);
        expect(new Set(result.decisions.map((d) => d.polecat)).size).toBe(result.decisions.length);
        for (const d of result.decisions) {
          const p = polecats.find((x) => x.name === d.polecat);
          if (p) expect(isBusy(p, NOW)).toBe(false);
          expect((map.get(d.bead) as { defer_until?: string }).defer_until).toBeUndefined();
        }
      }),
      { numRuns: 400 },
    );
  });
});
