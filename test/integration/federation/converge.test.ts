import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { syncTown } from '../../../src/federation/sync.js';
import { beadsOf } from '../../../src/model/query.js';
import { readyQueue } from '../../../src/model/ready.js';
import { modelContext } from '../../../src/model/context.js';
import { transact } from '../../../src/model/transaction.js';
import { openTownAt, type Town } from '../../../src/town/town.js';
import { runCli } from '../../helpers/cli.js';
import { git, gitEnv } from '../../helpers/git.js';
import { tempDir } from '../../helpers/temp.js';
import { seededRandom } from '../../unit/model/memory-journal.js';

/**
 * Three towns making random concurrent edits (creates, title/priority/label edits, claims,
 * releases, closes) and syncing in a random order through one bare remote, in-process with
 * real git: once every town has synced twice more, all hold the same beads and ready queue,
 * and every bead any town made is there. Seeds are fixed (CITADEL_FED_SEEDS to add more).
 */

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const dispose of cleanup.splice(0).reverse()) dispose();
});

async function makeTowns(count: number): Promise<string[]> {
  const dir = tempDir('citadel-fed3-');
  cleanup.push(dir.dispose);
  const hub = join(dir.path, 'hub.git');
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', hub]);
  const seed = join(dir.path, 'seed');
  execFileSync('git', ['init', '-q', '-b', 'main', seed]);
  git(seed, 'commit', '-q', '--allow-empty', '-m', 'initial commit');
  git(seed, 'push', '-q', hub, 'main');
  const roots: string[] = [];
  for (let i = 0; i < count; i++) {
    const root = join(dir.path, `town${i}`);
    execFileSync('git', ['clone', '-q', hub, root], { env: { ...process.env, ...gitEnv } });
    const init = await runCli(['init'], { cwd: root });
    if (init.code !== 0) throw new Error(init.stderr);
    roots.push(root);
  }
  return roots;
}

const seeds = (process.env.CITADEL_FED_SEEDS ?? '1,2').split(',').map(Number);

describe('federation converges', () => {
  for (const seed of seeds) {
    it(`three towns, random concurrent edits and sync order (seed ${seed})`, async () => {
      const random = seededRandom(seed);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
      const roots = await makeTowns(3);
      const towns: Town[] = roots.map((root) => openTownAt(root, 'overseer'));
      cleanup.push(() => towns.forEach((town) => town.close()));
      const made = new Set<string>();
      const actors = ['nux', 'slit', 'toast'];
      for (let round = 0; round < 8; round++) {
        for (const [index, town] of towns.entries()) {
          const ctx = modelContext(actors[index]!, 'ct', { random });
          for (let op = 0; op < 4; op++) {
            const all = [...beadsOf(town.journal.read()).values()];
            const beads = all.filter((bead) => bead.type === 'task');
            const messages = all.filter((bead) => bead.type === 'message' && bead.from !== 'federation');
            const choice = beads.length === 0 ? 0 : Math.floor(random() * 8);
            const target = beads.length ? pick(beads) : undefined;
            await town.journal
              .mutate(
                transact(ctx, (tx) => {
                  if (choice === 0 || !target) made.add(tx.create({ title: `t${index} r${round} o${op}` }).id);
                  else if (choice === 1) tx.update(target.id, { title: `${target.title} / ${index}.${round}` });
                  else if (choice === 2) tx.update(target.id, { priority: Math.floor(random() * 5), addLabels: [`l${index}`] });
                  else if (choice === 3) tx.claim(target.id);
                  else if (choice === 4) tx.release(target.id);
                  else if (choice === 6) tx.sendMail({ to: '@all', subject: `news from ${index}.${round}` });
                  else if (choice === 7 && messages.length) tx.markRead(pick(messages).id, pick(actors));
                  else if (choice === 5) tx.close(target.id, `closed by ${index}`);
                }),
              )
              .catch(() => undefined); // a refused claim or close is fine: that town just did not do it
          }
        }
        // Some towns sync this round, in a random order.
        for (const index of [0, 1, 2].sort(() => random() - 0.5)) if (random() < 0.6) await syncTown(towns[index]!);
      }
      for (let pass = 0; pass < 2; pass++) for (const town of towns) await syncTown(town);

      // Everything but the claim-lost mail, which stays in the town whose claimer lost.
      const lists = towns.map((town) => JSON.stringify([...beadsOf(town.journal.read()).values()].filter((bead) => bead.from !== 'federation').sort((x, y) => x.id.localeCompare(y.id))));
      expect(lists[1]).toBe(lists[0]);
      expect(lists[2]).toBe(lists[0]);
      const ready = towns.map((town) => JSON.stringify(readyQueue(beadsOf(town.journal.read()))));
      expect(ready[1]).toBe(ready[0]);
      expect(ready[2]).toBe(ready[0]);
      const ids = new Set(JSON.parse(lists[0]!).map((bead: { id: string }) => bead.id));
      for (const id of made) expect(ids.has(id)).toBe(true);
      // The run did edit concurrently (else it proves little), and every town recorded its conflicts.
      const conflicts = towns.map((town) => town.journal.read().all('fed-conflict').size);
      expect(conflicts.reduce((sum, n) => sum + n, 0)).toBeGreaterThan(0);
    }, 300_000);
  }
});
