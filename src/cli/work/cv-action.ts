import { visibleLine } from '../../common/visible-text.js';
import { localName } from '../../model/address.js';
import { buildCv, CV_FOLD, CV_RECENT_KEPT, readCvFold, type Cv } from '../../model/cv.js';
import type { Bead } from '../../model/bead.js';
import { checkActor } from '../../model/validate.js';
import { agentKey, folderSkills, SkillBook, type SkillProfile } from '../../scheduler/skills.js';
import type { Town } from '../../town/town.js';
import type { CliContext } from '../context.js';
import { cvText } from '../format/cv.js';
import { positiveInt } from './input.js';
import { usage } from '../../common/errors.js';
import type { JournalRecord } from '../../journal/types.js';
import { POLECAT_KIND } from '../../model/polecat.js';

/** The routing profile as `cv` prints it (docs/scheduler.md, "Routing by CV"). */
export interface CvProfile {
  /** Finished work by bead type, and merged changes by folder. */
  readonly types: readonly { readonly type: string; readonly count: number }[];
  readonly paths: readonly { readonly path: string; readonly count: number }[];
  readonly quality: { readonly merged: number; readonly bounced: number; readonly merged_first_try: number; readonly median_merge_seconds: number | null };
}

/**
 * `cv [ACTOR]`: the actor's work history from the journal (default: whoever asks), with the
 * skill profile the scheduler routes by. `cv --agent NAME`: an agent's — every polecat it ran.
 */
export async function cvAction(context: CliContext, actor: string | undefined, options: CvOptions): Promise<void> {
  if (options.verify !== undefined) {
    const { verifyCvAction } = await import('./cv-portable.js');
    await verifyCvAction(context, actor, options.verify, options);
    return;
  }
  if (options.sign !== undefined && options.export === undefined) throw usage('--sign signs an export: give --export FILE too');
  if (options.allowedSigners !== undefined) throw usage('--allowed-signers is for --verify FILE');
  const town = context.town();
  if (options.export !== undefined) {
    const { exportCvAction } = await import('./cv-portable.js');
    await exportCvAction(context, town, actor === undefined ? town.actor : checkActor(localName(actor, town.config.name), 'actor'), options.export, options);
    return;
  }
  const recent = options.recent === undefined ? 10 : positiveInt(options.recent, '--recent');
  if (options.agent !== undefined) {
    const name = checkActor(options.agent, 'agent');
    const { profile, polecats } = await profileOf(town, agentKey(name));
    const skills = sorted(profile.labels).map(([label, count]) => ({ label, count }));
    const out = { agent: name, polecats, closed: profile.closed, skills, ...shape(profile) };
    if (options.json) context.json(out);
    else context.out(`CV of agent ${visibleLine(name)}${polecats.length ? ` (polecats ${polecats.join(', ')})` : ''}\n\nbeads:           ${profile.closed} finished\n${skills.length ? `skills:          ${skills.map((s) => `${s.label} (${s.count})`).join(', ')}\n` : ''}${profileText(out)}`);
    return;
  }
  // A bare name or this town's address (entity://citadel/<town>/<id>).
  const who = actor === undefined ? town.actor : checkActor(localName(actor, town.config.name), 'actor');
  const { cv, profile } = (await foldedCv(town, who, recent)) ?? { cv: buildCv(town.journal.records(), who, { recent, town: town.config.name }), profile: (await profileOf(town, who)).profile };
  const extra = shape(profile);
  if (options.json) context.json({ ...cv, ...extra });
  else context.out(cv.first_seen === null ? cvText(cv) : `${cvText(cv)}${profileText(extra)}`);
}

/** `cv` flags (docs/cli.md): the portable CV's export and verification besides the plain CV. */
export interface CvOptions {
  readonly recent?: string;
  readonly json?: boolean;
  readonly agent?: string;
  readonly export?: string;
  readonly sign?: string;
  readonly principal?: string;
  readonly verify?: string;
  readonly allowedSigners?: string;
}

/**
 * The CV and skill profile of `who` from its rows of the CV fold in the query index (docs/journal.md,
 * "Folds"), without replaying the journal; undefined without an index (or for more recent entries
 * than the fold keeps): the caller replays.
 */
async function foldedCv(town: Town, who: string, recent: number): Promise<{ cv: Cv; profile: SkillProfile } | undefined> {
  if (recent > CV_RECENT_KEPT || !town.journal.folded) return undefined;
  const found = town.journal.folded(CV_FOLD, (reader, view) => ({ view, ...readCvFold(reader, who, { recent, town: town.config.name }) }));
  if (!found) return undefined;
  const { cv, skills, view } = found;
  const lookup = (id: string): Bead | undefined => view.get('beads', id) as Bead | undefined;
  // The folders of its last 50 merged requests, asked of git (as profileFrom does).
  const paths = new Map<string, number>();
  const last: Bead[] = [];
  for (let i = skills.mergedRequests.length - 1; i >= 0 && last.length < 50; i--) {
    const request = lookup(skills.mergedRequests[i]!);
    if (request?.type === 'merge_request' && request.polecat === who) last.unshift(request);
  }
  for (const request of last) {
    const validation = (request as { refinery?: { validation?: { main_before?: string; merged_sha?: string } } }).refinery?.validation;
    if (!validation?.main_before || !validation.merged_sha) continue;
    const { changedFiles } = await import('../../scheduler/host.js'); // a large module graph: only when git is asked
    for (const folder of new Set((await changedFiles(town.paths.root, validation.main_before, validation.merged_sha)).flatMap(folderSkills))) paths.set(folder, (paths.get(folder) ?? 0) + 1);
  }
  const profile: SkillProfile = { who, labels: skills.labels, types: skills.types, paths, closed: skills.closed, firstTry: skills.firstTry, merged: skills.merged, bounced: skills.bounced, medianMergeSeconds: skills.medianMergeSeconds };
  return { cv, profile };
}

/** The profile of `who`, the files of its merged requests asked of git (the last 50 at most). */
async function profileOf(town: Town, who: string): Promise<{ profile: SkillProfile; polecats: string[] }> {
  return profileFrom(town.journal.records(), who, town.paths.root, (id) => town.journal.read().get('beads', id));
}

/**
 * The skill profile of `who` from `records` alone (labels, bead types, quality); the folders its
 * merged requests touched are asked of git in `root` (when given and the commits are there).
 * `lookup` finds a merge request's latest state (default: its last version in `records`).
 */
export async function profileFrom(
  records: Iterable<JournalRecord>,
  who: string,
  root: string | undefined,
  lookup?: (id: string) => unknown,
): Promise<{ profile: SkillProfile; polecats: string[] }> {
  const book = new SkillBook();
  const polecats = new Set<string>();
  const latest = new Map<string, unknown>();
  for (const record of records) {
    if (record.kind === 'beads' && record.entity) latest.set(record.id, record.entity);
    book.add(record);
    const entity = record.kind === POLECAT_KIND ? record.entity : undefined;
    const agent = entity ? (entity.scheduler_agent !== undefined && entity.scheduled_bead === entity.bead ? entity.scheduler_agent : entity.agent) : undefined;
    if (typeof agent === 'string' && agentKey(agent) === who) polecats.add(record.id);
  }
  // An agent's merged requests: those its polecats made (the book knows which agent ran each bead).
  const get = lookup ?? ((id: string) => latest.get(id));
  const mine = book.mergedWithoutPaths().filter((id) => {
    const mr = get(id) as { polecat?: string } | undefined;
    return mr?.polecat === who || (mr?.polecat !== undefined && polecats.has(mr.polecat));
  });
  for (const id of root === undefined ? [] : mine.slice(-50)) {
    const validation = (get(id) as { refinery?: { validation?: { main_before?: string; merged_sha?: string } } } | undefined)?.refinery?.validation;
    if (validation?.main_before && validation.merged_sha) {
      const { changedFiles } = await import('../../scheduler/host.js');
      book.addPaths(id, await changedFiles(root!, validation.main_before, validation.merged_sha));
    }
  }
  return { profile: book.profile(who), polecats: [...polecats].sort() };
}

const sorted = (map: ReadonlyMap<string, number>): [string, number][] => [...map].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));

export function shape(profile: SkillProfile): CvProfile {
  return {
    types: sorted(profile.types).map(([type, count]) => ({ type, count })),
    paths: sorted(profile.paths).map(([path, count]) => ({ path, count })),
    quality: { merged: profile.merged, bounced: profile.bounced, merged_first_try: profile.firstTry, median_merge_seconds: profile.medianMergeSeconds },
  };
}

export function profileText(profile: CvProfile): string {
  const q = profile.quality;
  const lines = [
    `types:           ${profile.types.length ? profile.types.map((t) => `${t.type} (${t.count})`).join(', ') : 'none yet'}`,
    `paths:           ${profile.paths.length ? profile.paths.slice(0, 8).map((p) => `${p.path} (${p.count})`).join(', ') : 'none yet (folders its merged commits touched)'}`,
    `quality:         ${q.merged + q.bounced === 0 ? 'no verdicts yet' : `${q.merged_first_try} of ${q.merged} merged first try, ${q.bounced} bounce${q.bounced === 1 ? '' : 's'}`}${q.median_merge_seconds === null ? '' : `; claim → merge ${Math.round(q.median_merge_seconds)} s (median)`}`,
  ];
  return `${lines.map(visibleLine).join('\n')}\n`;
}
