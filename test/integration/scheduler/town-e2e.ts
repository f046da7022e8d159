import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Entity, JournalRecord } from '../../../src/journal/types.js';
import { openTownAt } from '../../../src/town/town.js';
import { git } from '../../helpers/git.js';
import { makeTown, type TestTown } from '../daemon/harness.js';
import { tempDir } from '../../helpers/temp.js';

/**
 * Helpers for the scheduler's end-to-end tests: a test town with a gate (trusted), the
 * scripted agent fast, and an injectable clock file; and a replay of the journal that checks
 * invariants at every record — stronger than sampling, since every state the town was ever
 * in is looked at.
 */
export interface SchedTown extends TestTown {
  clockFile: string;
  /** Moves the town's clock `ms` ahead of real time (the scheduler reads it at every tick). */
  setClock(ms: number): void;
  id(args: string[]): Promise<string>;
  records(): JournalRecord[];
}

export async function makeSchedTown(config: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}): Promise<SchedTown> {
  const clock = tempDir('citadel-clock-');
  const clockFile = join(clock.path, 'offset');
  writeFileSync(clockFile, '0\n');
  const town = await makeTown({ env: { CITADEL_SCRIPTED_DELAY_MS: '20', CITADEL_TEST_CLOCK_FILE: clockFile, ...env } });
  // The gate main must pass: every work file a polecat wrote is non-empty.
  writeFileSync(join(town.root, 'check.js'), "const fs=require('fs');const d='work';if(fs.existsSync(d))for(const f of fs.readdirSync(d))if(!fs.readFileSync(d+'/'+f,'utf8').trim())process.exit(1);\n");
  const file = join(town.root, '.citadel', 'config.json');
  const current = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  writeFileSync(file, `${JSON.stringify({ ...current, gates: [['node', 'check.js']], idleSeconds: 5, stuckMinutes: 1, ...config }, null, 2)}\n`);
  git(town.root, 'add', 'check.js', '.citadel/config.json');
  git(town.root, 'commit', '-q', '-m', 'the gate');
  const trusted = await town.cli(['trust']);
  if (trusted.code !== 0) throw new Error(`citadel trust: ${trusted.stderr}`);
  return {
    ...town,
    clockFile,
    setClock: (ms) => writeFileSync(clockFile, `${ms}\n`),
    id: async (args) => {
      const result = await town.cli(args);
      if (result.code !== 0) throw new Error(`citadel ${args.join(' ')}: ${result.stderr}`);
      return result.stdout.trim();
    },
    records: () => {
      const opened = openTownAt(town.root, 'test');
      try {
        return [...opened.journal.records()];
      } finally {
        opened.close();
      }
    },
    dispose: async () => {
      await town.dispose();
      clock.dispose();
    },
  };
}

/** The state after each whole mutation (a batch's records apply together), handed to `check`. */
export function replay(records: readonly JournalRecord[], check: (state: Map<string, Map<string, Entity>>, record: JournalRecord) => void): void {
  const state = new Map<string, Map<string, Entity>>();
  let remaining = 0;
  for (const record of records) {
    const kind = state.get(record.kind) ?? new Map<string, Entity>();
    state.set(record.kind, kind);
    if (record.entity) kind.set(record.id, record.entity);
    else kind.delete(record.id);
    if (remaining === 0) remaining = record.batch ?? 1;
    remaining--;
    if (remaining === 0) check(state, record);
  }
}

/** Runs the town's gate on main as the refinery left it in the town's working tree. */
export function mainGreen(root: string): boolean {
  try {
    execFileSync('node', ['check.js'], { cwd: root, stdio: 'pipe' });
    return git(root, 'status', '--porcelain', '--untracked-files=no').trim() === '';
  } catch {
    return false;
  }
}
