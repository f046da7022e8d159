// Builds the town of the scale benchmark (bench/scale.js): N beads and ~10 journal events per
// bead, shaped like months of a busy town — tasks under epics with dependencies and a history
// of edits, claims, releases and closes; mail with replies and reads; merge requests moving
// through the refinery's states with their mail to `refinery`; poured molecules whose steps
// are claimed and closed; polecats. Everything goes through the model's transactions and the
// journal's `mutate`, so the records, segments, snapshots, projections and HEAD are the ones real
// use writes. Only two things differ from a town grown command by command: fsync is off (setup
// only), and one mutation carries a batch of operations (~1000 records), so seqs are not
// interleaved by time and the segment that a batch crosses 4 MiB in runs a batch long.
// Snapshots are written every 50k records while building (not every 2k: a snapshot of a
// 100k-bead state costs about a second) and once more at the end, so the town ends as real use
// leaves it: a snapshot at the head, segments it covers archived.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Bump when the town this builds changes: it keys the cache. */
// 2: projection files for polecats only, one snapshot, the CV fold built (issue 18, disk).
// 3: two review edits per worked bead (960k events), archives compressed.
// 4: three or four review edits (over 1M events, the issue's figure); archives without derivable fields.
export const BUILDER_VERSION = 4;

const { openJournal } = await import('../dist/journal/index.js');
const { CV_FOLD } = await import('../dist/model/cv.js');
const { projectedKinds } = await import('../dist/town/town.js');
const { townPaths } = await import('../dist/town/paths.js');
const { loadConfig } = await import('../dist/town/config.js');
const { modelContext, transact } = await import('../dist/model/index.js');
const { pourMolecule } = await import('../dist/molecules/pour.js');
const { composeMolecule, resolveMolecule } = await import('../dist/molecules/index.js');
const { openMoleculeLibrary } = await import('../dist/town/molecules.js');

/** A seeded random source, so every build makes the same town. */
export function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const POLECATS = ['nux', 'furiosa', 'slit', 'capable', 'toast', 'dag', 'ace', 'morsov', 'keeper', 'rictus', 'cheedo', 'dementus'];
const LABELS = ['ui', 'parser', 'docs', 'infra', 'tests', 'perf', 'journal', 'daemon'];
const WORDS = 'the parser drops a token when a comment ends a line so the journal replays a torn tail and the board shows a stale frame until the daemon restarts its watch'.split(' ');

/** Where built towns are kept: $CITADEL_BENCH_CACHE, else ~/.cache/citadel-bench. */
export function cacheRoot() {
  return process.env.CITADEL_BENCH_CACHE || join(homedir(), '.cache', 'citadel-bench');
}

/**
 * The cached town of `beads` beads (built now if missing or built by another builder version):
 * a directory holding a git repository with `.citadel/`. Never run commands in it: copy it.
 */
export async function cachedTown(beads, log = console.log) {
  const dir = join(cacheRoot(), `town-${beads}-v${BUILDER_VERSION}`);
  if (existsSync(join(dir, 'built.json'))) return { dir, ...JSON.parse(readFileSync(join(dir, 'built.json'), 'utf8')), cached: true };
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const started = performance.now();
  const facts = await buildTown(partial, beads, log);
  const seconds = (performance.now() - started) / 1000;
  writeFileSync(join(partial, 'built.json'), `${JSON.stringify({ ...facts, seconds }, null, 2)}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(partial, dir);
  return { dir, ...facts, seconds, cached: false };
}

/**
 * Copies a cached town to `to` (commands that write must not dirty the cache). With `cp -a`:
 * the query index trusts a segment only while its size and modification time are the ones it
 * noted, to the nanosecond, and Node's copy keeps times only to the microsecond — a copy made
 * that way is read from the snapshot until its first write rebuilds the index.
 */
export function copyTown(from, to) {
  execFileSync('cp', ['-a', `${join(from, 'repo')}/.`, to], { stdio: 'ignore' });
}

const git = (cwd, ...args) => execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });

/** Builds the town in `<dir>/repo`. Returns what the benchmark needs to know about it. */
export async function buildTown(dir, beads, log) {
  const root = join(dir, 'repo');
  mkdirSync(root);
  git(root, 'init', '-q', '-b', 'main');
  git(root, '-c', 'user.name=bench', '-c', 'user.email=bench@example.invalid', 'commit', '-q', '--allow-empty', '-m', 'start');
  const bin = new URL('../bin/citadel.js', import.meta.url).pathname;
  execFileSync(process.execPath, [bin, 'init'], { cwd: root, stdio: 'ignore', env: { ...process.env, CITADEL_ACTOR: 'overseer' } });
  const paths = townPaths(root);
  const config = loadConfig(paths.config);
  // Projections are written once per entity at the end (below), not once per record: on this
  // disk an atomic file write costs ~0.8 ms, so 1M of them would take the build past 10 minutes.
  const journal = openJournal(paths.journal, { writer: 'overseer', fsync: false, checkpointEvery: 50_000 });
  const random = seeded(beads);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const words = (n) => Array.from({ length: n }, () => pick(WORDS)).join(' ');
  // A clock that runs through four months, a little per operation.
  let clock = Date.parse('2026-01-05T09:00:00Z');
  const perOp = (120 * 86_400_000) / (beads * 10);
  const now = () => {
    clock += perOp * (0.5 + random());
    return new Date(clock).toISOString();
  };
  const ctx = (actor) => modelContext(actor, config.prefix, { random, now });
  const lib = openMoleculeLibrary({ townDir: paths.molecules, cwd: root });
  const molecules = ['quick-fix', 'research', 'engineer-in-box'].map((name) => {
    try {
      return { name, composed: composeMolecule(name, lib) };
    } catch {
      return undefined;
    }
  }).filter(Boolean);

  // The polecats, as sling writes them.
  await journal.mutate(() => ({
    changes: POLECATS.map((name) => ({
      kind: 'polecats',
      id: name,
      entity: { id: name, name, bead: null, worktree: join(paths.worktrees, name), branch: null, agent: 'claude', argv: ['claude'], type_in: null, status: 'idle', pid: null, exit_code: null, created_at: new Date(clock).toISOString(), updated_at: new Date(clock).toISOString() },
      action: 'sling',
      summary: `${name} started`,
    })),
    value: undefined,
  }));

  const tasks = []; // ids of work beads, oldest first
  const openTasks = [];
  const messages = [];
  let count = 0;
  let pours = 0;
  let lastLog = performance.now();
  // One round: ~60 beads and ~600 records, as a day's slice of a busy town.
  while (count < beads) {
    const { value } = await journal.mutate(
      transact(ctx('overseer'), (tx) => {
        const made = { tasks: [], mail: [], beads: 0 };
        // 36 tasks: an epic now and then, children of the latest epic, needs on older work.
        for (let i = 0; i < 36; i++) {
          const epic = (tasks.length + i) % 40 === 0;
          const parents = tasks.length > 100 ? tasks.slice(-100).filter((id) => tx.get(id)?.type === 'epic' && tx.get(id).status !== 'closed') : [];
          const parent = !epic && parents.length && random() < 0.4 ? parents[parents.length - 1] : null;
          const needs = openTasks.length > 20 && random() < 0.25 ? [openTasks[openTasks.length - 1 - Math.floor(random() * 20)]].filter((id) => tx.get(id) && id !== parent) : [];
          const label = pick(LABELS);
          const bead = tx.create({
            title: `${epic ? 'Epic' : 'Task'} ${tasks.length + i}: ${words(8)}`,
            type: epic ? 'epic' : pick(['task', 'task', 'task', 'bug', 'feature', 'chore']),
            priority: Math.floor(random() * 5),
            labels: [label],
            body: `${words(30)}.\n\nAcceptance: ${words(12)}.`,
            needs,
            parent,
          });
          made.tasks.push(bead.id);
        }
        made.beads += 36;
        return made;
      }),
    );
    tasks.push(...value.tasks);
    openTasks.push(...value.tasks);
    count += value.beads;

    // The history of this round's tasks and of older open ones: edits, dependencies, claims
    // by polecats, a release and a re-claim, progress notes, and most of them close.
    const { value: history } = await journal.mutate(
      transact(ctx(pick(POLECATS)), (tx) => {
        const closed = [];
        const worked = value.tasks.concat(openTasks.slice(-200, -36).filter(() => random() < 0.1));
        for (const id of worked) {
          const bead = tx.get(id);
          if (!bead || bead.status === 'closed' || bead.type === 'epic' || (bead.assignee && bead.assignee !== tx.context.actor)) continue;
          tx.update(id, { addLabels: ['triaged'] });
          tx.update(id, { priority: Math.floor(random() * 5) });
          tx.update(id, { body: `${bead.body}\n\nNotes: ${words(20)}.` });
          if (random() < 0.1 && tasks.length > 200) {
            const other = tasks[tasks.length - 200 + Math.floor(random() * 150)];
            try {
              tx.addNeed(id, other);
            } catch {
              // a cycle: skipped, as a user would
            }
          }
          const take = () => (tx.get(id).assignee === tx.context.actor ? tx.get(id) : tx.get(id).needs.every((need) => tx.get(need)?.status === 'closed') ? tx.claim(id) : tx.update(id, { assignee: tx.context.actor, status: 'in_progress' }));
          take();
          tx.update(id, { addLabels: ['estimated'] });
          if (random() < 0.4) {
            tx.release(id);
            take();
          }
          tx.update(id, { body: `${tx.get(id).body}\n\nProgress: ${words(15)}.` });
          tx.update(id, { priority: Math.floor(random() * 5) });
          tx.update(id, { body: `${tx.get(id).body}\n\nBlocked on review: ${words(10)}.` });
          tx.update(id, { addLabels: [pick(LABELS)] });
          tx.update(id, { title: `${tx.get(id).title.slice(0, 200)} (${pick(['narrowed', 'split', 'reworded'])})` });
          tx.update(id, { body: `${tx.get(id).body}\n\nReviewed: ${words(10)}.` });
          tx.update(id, { removeLabels: ['estimated'], addLabels: ['sized'] });
          // Review rounds: two more small edits, so the town reaches the issue's ~1M events.
          tx.update(id, { addLabels: ['reviewed'] });
          tx.update(id, { priority: Math.floor(random() * 5) });
          tx.update(id, { removeLabels: ['triaged'] });
          if (random() < 0.5) tx.update(id, { addLabels: ['checked'] });
          const roll = random();
          if (roll < 0.75) {
            tx.update(id, { status: 'closed', reason: pick(['done', 'done', 'merged', 'fixed in the refinery', "won't fix"]) });
            closed.push(id);
          } else if (roll < 0.85) tx.release(id);
        }
        // Epics whose children all closed.
        for (const id of tasks.slice(-400)) {
          const bead = tx.get(id);
          if (bead?.type === 'epic' && bead.status !== 'closed' && random() < 0.2 && tx.children(id).every((c) => c.status === 'closed')) tx.close(id, 'all done');
        }
        return closed;
      }),
    );
    for (const id of history) {
      const at = openTasks.lastIndexOf(id);
      if (at >= 0) openTasks.splice(at, 1);
    }

    // Merge requests for half of what closed: filed with mail to the refinery (as `done`), then
    // merging, testing, merged (or rejected); the refinery reads its mail.
    const { value: requests } = await journal.mutate(
      transact(ctx('refinery'), (tx) => {
        let n = 0;
        for (const id of history.filter(() => random() < 0.5)) {
          const work = tx.get(id);
          const polecat = work.assignee ?? pick(POLECATS);
          const branch = `polecat/${polecat}/${id}`;
          const request = tx.create({ type: 'merge_request', title: `merge ${id}: ${work.title}`.slice(0, 300), body: '', priority: work.priority, branch, polecat, bead: id, fields: { head: Math.floor(random() * 2 ** 52).toString(16).padStart(40, '0').slice(0, 40) } });
          const mail = tx.sendMail({ to: 'refinery', subject: `merge request ${request.id}: ${branch}`, body: `${polecat} submitted ${branch} (1 commit) for ${id}.` });
          tx.markRead(mail.id, 'refinery');
          tx.setMergeRequestState(request.id, 'merging');
          tx.setMergeRequestState(request.id, 'testing');
          if (random() < 0.9) tx.setMergeRequestState(request.id, 'merged');
          else tx.setMergeRequestState(request.id, 'rejected', 'gate failed: npm test exited 1');
          n += 2;
        }
        return n;
      }),
    );
    count += requests;

    // Mail between the overseer and the polecats: questions, replies, reads. Each message is
    // its sender's own transaction (the model writes the actor as the sender), all in one mutation.
    const { value: mail } = await journal.mutate((state) => {
      const changes = [];
      const sent = [];
      const ids = new Set();
      for (let i = 0; i < 10; i++) {
        const from = random() < 0.5 ? 'overseer' : pick(POLECATS);
        const to = from === 'overseer' ? pick(POLECATS) : pick(['overseer', 'overseer', pick(POLECATS)]);
        const original = messages.length && random() < 0.3 ? messages[messages.length - 1 - Math.floor(random() * Math.min(50, messages.length))] : undefined;
        const tx = transact(ctx(from), (t) => {
          const message = original ? t.sendMail({ replyTo: original, body: words(25) }) : t.sendMail({ to, subject: words(6), body: words(40) });
          if (random() < 0.8) t.markRead(message.id, message.to === 'overseer' || message.to === '@all' ? 'overseer' : message.to);
          return message.id;
        })(state);
        if (ids.has(tx.value)) continue; // two transactions drew the same fresh id: drop the second
        ids.add(tx.value);
        sent.push(tx.value);
        changes.push(...tx.changes);
      }
      return { changes, value: sent };
    });
    messages.push(...mail);
    count += mail.length;

    // Now and then a molecule is poured, and its first steps are worked.
    if (molecules.length && count > (pours + 1) * Math.max(2000, beads / 60)) {
      pours++;
      const chosen = molecules[pours % molecules.length];
      const resolvedMolecule = resolveMolecule(chosen.composed, chosen.composed.vars.some((v) => v.name === 'issue') ? { issue: `task ${tasks.length}` } : {}, { lenient: true });
      const { value: poured } = await journal.mutate(pourMolecule(ctx('overseer'), resolvedMolecule, { priority: 1 }));
      const steps = poured.steps.map((s) => s.id);
      const polecat = pick(POLECATS);
      await journal.mutate(
        transact(ctx(polecat), (tx) => {
          for (const id of steps.slice(0, Math.max(1, steps.length - 1))) {
            const step = tx.get(id);
            if (step.needs.every((need) => tx.get(need)?.status === 'closed')) {
              tx.claim(id);
              tx.close(id, 'step done');
            }
          }
        }),
      );
      count += steps.length + 1;
    }
    if (performance.now() - lastLog > 15_000) {
      lastLog = performance.now();
      log(`  … ${count} beads, seq ${journal.headSeq()}`);
    }
  }
  journal.close();
  // The last mutation goes through a journal writing projections, as every command's does: it
  // finds them missing and writes each entity's file once (the journal's own rebuild, the one
  // `doctor --repair` runs), then leaves a polecat holding a bead, as after a sling.
  const kinds = projectedKinds({});
  const projected = openJournal(paths.journal, { writer: 'nux', projections: paths.projections, ...(kinds ? { projectKinds: kinds } : {}), folds: [CV_FOLD], fsync: false });
  const view = projected.read();
  const held = openTasks.find((id) => {
    const bead = view.get('beads', id);
    return bead && bead.status === 'open' && !bead.assignee && bead.needs.length === 0;
  }) ?? openTasks[openTasks.length - 1];
  await projected.mutate((state) => {
    const polecat = state.get('polecats', 'nux');
    const tx = transact(ctx('nux'), (t) => (t.get(held).status === 'open' && !t.get(held).assignee ? t.claim(held) : t.update(held, { assignee: 'nux', status: 'in_progress' })))(state);
    return { changes: [...tx.changes, { kind: 'polecats', id: 'nux', entity: { ...polecat, bead: held, branch: `polecat/nux/${held}`, status: 'working', updated_at: new Date(clock).toISOString() }, action: 'sling', summary: `${held} slung to nux (claude)` }], value: undefined };
  });
  await projected.checkpoint();
  // The CV fold, built once from every record as the first `cv` of an upgraded town would.
  projected.folded(CV_FOLD, () => undefined);
  // The rebuild above logged itself as a recovery; a town grown command by command has no such line.
  rmSync(join(paths.journal, 'recovery.log'), { force: true });
  const state = projected.read();
  const types = {};
  for (const bead of state.all('beads').values()) types[bead.type] = (types[bead.type] ?? 0) + 1;
  const facts = { beads: state.all('beads').size, seq: state.seq, types, pours, held, prefix: config.prefix };
  projected.close();
  return facts;
}
