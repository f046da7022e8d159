import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/temp.js';
import type { Change, Entity } from '../../../src/journal/index.js';
import { buildCv, CV_FOLD, readCvFold } from '../../../src/model/cv.js';
import { profileFrom } from '../../../src/cli/work/cv-action.js';
import { open } from './helpers.js';

/**
 * The CV fold in the query index (docs/journal.md, "Folds") against a full replay: after random
 * mutations by several writers — claims, assigns, closes, reopens, mail, merge requests and their
 * verdicts, validation records, deletes — some written by a handle without the fold (it lags and catches
 * up when read), some cut at a step (appended but the index not updated; HEAD.json not written),
 * `cv ACTOR` read from the fold equals `buildCv` over every record, and the skill profile equals
 * the skill book's (`profileFrom`). `CITADEL_INDEX_RUNS` (default 30) sets the number of runs.
 */
const RUNS = Number(process.env.CITADEL_INDEX_RUNS ?? 30);
const OPTIONS = { segmentBytes: 3000, checkpointEvery: 9, fsync: false } as const;
const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

const ACTORS = ['nux', 'ace', 'overseer'] as const;
const WORK = ['w1', 'w2', 'w3'];
const MRS = ['m1', 'm2'];
const ACTIONS = ['create', 'claim', 'assign', 'close', 'update', 'read'] as const;

const op = fc.record({
  writer: fc.constantFrom(...ACTORS),
  what: fc.constantFrom('work', 'work', 'work', 'mr', 'mail', 'validation', 'delete'),
  target: fc.nat(),
  action: fc.constantFrom(...ACTIONS),
  status: fc.constantFrom('open', 'in_progress', 'closed'),
  assignee: fc.constantFrom(null, 'nux', 'ace'),
  polecat: fc.constantFrom('nux', 'ace'),
  state: fc.constantFrom('queued', 'merged', 'rejected'),
  verdict: fc.constantFrom('accepted', 'rejected'),
  stage: fc.constantFrom('gates', 'review'),
  label: fc.nat(),
  minute: fc.nat({ max: 50 }),
  crash: fc.constantFrom('none', 'none', 'none', 'no fold', 'index not updated', 'HEAD not written'),
});
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

const at = (step: number, minute: number): string => new Date(Date.UTC(2026, 0, 1, 0, step * 60 + minute)).toISOString();

function change(o: Op, step: number): Change {
  const ts = at(step, o.minute);
  if (o.what === 'work') {
    const id = WORK[o.target % WORK.length]!;
    const entity = { id, type: o.label % 2 ? 'task' : 'bug', title: `t ${id} ${step}`, status: o.status, labels: o.label % 3 ? [`l${o.label % 3}`] : [], assignee: o.assignee, created_by: o.writer, created_at: ts, needs: [] };
    return { kind: 'beads', id, entity: entity as Entity, action: o.action };
  }
  if (o.what === 'delete') {
    // A tombstone: a replay's `latest` keeps the last version, and so does the fold.
    const id = o.target % 2 ? WORK[o.target % WORK.length]! : MRS[o.target % MRS.length]!;
    return { kind: 'beads', id, entity: null, action: 'delete' };
  }
  if (o.what === 'mr') {
    const id = MRS[o.target % MRS.length]!;
    const entity = { id, type: 'merge_request', title: `merge ${id}`, status: 'open', labels: [], assignee: null, created_by: o.polecat, created_at: ts, polecat: o.polecat, bead: WORK[o.target % WORK.length], state: o.state, branch: `polecat/${o.polecat}` };
    return { kind: 'beads', id, entity: entity as Entity, action: o.state === 'queued' ? (o.action === 'create' ? 'create' : 'update') : o.state };
  }
  if (o.what === 'mail') {
    const id = `msg${step}`;
    const entity = { id, type: 'message', title: 'hello', status: 'open', labels: [], assignee: null, created_by: o.writer, created_at: ts, from: o.writer, to: o.assignee ?? 'overseer', read_by: [] };
    return { kind: 'beads', id, entity: entity as Entity, action: o.action === 'read' ? 'read' : 'mail' };
  }
  const mr = MRS[o.target % MRS.length]!;
  const entity = {
    id: `${mr}.v${step}`,
    stage: o.stage,
    verdict: o.verdict,
    validator: o.writer,
    validator_address: `entity://citadel/t/${o.writer}`,
    merge_request: mr,
    branch: null,
    branch_commit: null,
    bead: o.target % 2 ? WORK[o.target % WORK.length] : null,
    worker: o.polecat,
    worker_address: null,
    main_before: null,
    main_commit: o.verdict === 'accepted' && o.stage === 'gates' ? 'abc' : null,
    gates: [],
    gates_hash: null,
    reason: null,
    note: o.stage === 'review' ? `note ${step}` : null,
    at: ts,
  };
  return { kind: 'validations', id: entity.id, entity: entity as Entity, action: o.verdict, summary: `${o.verdict} ${mr}` };
}

describe('the CV fold agrees with a full replay (property)', () => {
  it(`after random mutations, a writer without the fold, and a crash at any step (${RUNS} runs)`, { timeout: 300_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(op, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 20 }), async (mutations) => {
        const root = tempDir('citadel-cvfold-');
        cleanups.push(root.dispose);
        const dir = join(root.path, 'journal');
        for (const [step, ops] of mutations.entries()) {
          const crash = ops[0]!.crash;
          const writer = open(dir, { ...OPTIONS, writer: ops[0]!.writer, queryIndex: crash !== 'index not updated', ...(crash === 'no fold' ? {} : { folds: [CV_FOLD] }) });
          const head = crash === 'HEAD not written' ? readFileSafe(join(dir, 'HEAD.json')) : undefined;
          try {
            const changes = new Map<string, Change>();
            for (const o of ops) {
              const c = change(o, step);
              changes.set(`${c.kind}/${c.id}`, c);
            }
            await writer.mutate(() => ({ changes: [...changes.values()], value: undefined }));
          } finally {
            writer.close();
          }
          if (head) writeFileSync(join(dir, 'HEAD.json'), head);
          if (step % 3 !== 2 && step !== mutations.length - 1) continue;

          const indexed = open(dir, { ...OPTIONS, folds: [CV_FOLD] });
          const replay = open(dir, { ...OPTIONS, queryIndex: false });
          try {
            const records = [...replay.records()];
            for (const actor of ACTORS) {
              const folded = indexed.folded!(CV_FOLD, (reader) => readCvFold(reader, actor, { recent: 7 }));
              expect(folded).toBeDefined();
              expect(folded!.cv).toEqual(buildCv(records, actor, { recent: 7 }));
              const { profile } = await profileFrom(records, actor, undefined);
              const skills = folded!.skills;
              expect({ labels: sorted(skills.labels), types: sorted(skills.types), closed: skills.closed, firstTry: skills.firstTry, merged: skills.merged, bounced: skills.bounced, median: skills.medianMergeSeconds }).toEqual({
                labels: sorted(profile.labels),
                types: sorted(profile.types),
                closed: profile.closed,
                firstTry: profile.firstTry,
                merged: profile.merged,
                bounced: profile.bounced,
                median: profile.medianMergeSeconds,
              });
            }
          } finally {
            indexed.close();
            replay.close();
          }
        }
      }),
      { numRuns: RUNS },
    );
  });
});

const sorted = (map: ReadonlyMap<string, number>): [string, number][] => [...map].sort(([a], [b]) => a.localeCompare(b));

function readFileSafe(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}
