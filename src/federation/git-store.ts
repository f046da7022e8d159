import { CitadelError } from '../common/errors.js';
import { git, gitRun } from '../git/run.js';
import { checkRemoteName, isTownId, remoteTownsPrefix, townRef } from './ids.js';

/**
 * The journal's exported chunks on git: `refs/citadel/towns/<town>` is a chain of commits, each
 * holding one file, `chunk.jsonl` — the events of one export. A sync adds one commit (only the
 * new chunk: no tree of all chunks to rewrite), pushes that ref fast-forward only, and fetches
 * everyone's refs into `refs/citadel/remotes/<remote>/<town>`; git sends only new objects and
 * a reader walks only the commits after its cursor. Every git call goes through the project's
 * one runner (argv arrays), with remote names and town ids checked first.
 */

const CHUNK_FILE = 'chunk.jsonl';
const IDENTITY = {
  GIT_AUTHOR_NAME: 'citadel',
  GIT_AUTHOR_EMAIL: 'citadel@localhost',
  GIT_COMMITTER_NAME: 'citadel',
  GIT_COMMITTER_EMAIL: 'citadel@localhost',
};
const ZERO_OID = /^0+$/;

/** The configured git remotes of the repository. */
export async function listRemotes(repo: string): Promise<string[]> {
  const out = await git(repo, ['remote']);
  return out.split('\n').filter((name) => name !== '');
}

/** The remote to sync with: the one named (it must exist), else origin, else the only one. */
export async function resolveRemote(repo: string, name: string | undefined): Promise<string> {
  const remotes = await listRemotes(repo);
  if (name !== undefined) {
    checkRemoteName(name);
    if (!remotes.includes(name)) {
      throw new CitadelError('not_found', `unknown git remote "${name}": ${remotes.length ? `this repository has ${remotes.join(', ')}` : 'this repository has none'}; add one with \`git remote add ${name} URL\` (any git URL: ssh, https or a path to a bare repository)`);
    }
    return name;
  }
  if (remotes.includes('origin')) return 'origin';
  if (remotes.length === 1) return checkRemoteName(remotes[0]!);
  if (remotes.length === 0) throw new CitadelError('not_found', 'this repository has no git remote to sync through: add one with `git remote add origin URL` (ssh, https or a path to a bare repository)');
  throw new CitadelError('usage', `which remote? this repository has ${remotes.join(', ')} and none is called origin: \`citadel sync REMOTE\``);
}

/** The generation of the last chunk on our ref (0 when there is none), and its commit. */
export async function refTip(repo: string, town: string): Promise<{ commit: string | undefined; gen: number }> {
  const ref = townRef(town);
  const result = await gitRun(repo, ['rev-parse', '--verify', '-q', `${ref}^{commit}`]);
  if (result.code !== 0) return { commit: undefined, gen: 0 };
  const commit = result.stdout.trim();
  const subject = await git(repo, ['log', '-1', '--format=%s', commit]);
  const match = / gen (\d+) /.exec(`${subject} `);
  return { commit, gen: match ? Number(match[1]) : 0 };
}

/** Adds one commit holding `text` as the chunk of generation `gen` on our ref (compare-and-swap on the ref). */
export async function commitChunk(repo: string, town: string, gen: number, text: string, summary: string): Promise<string> {
  const ref = townRef(town);
  const { commit: parent } = await refTip(repo, town);
  const blob = await git(repo, ['hash-object', '-w', '--stdin'], { input: text });
  const tree = await git(repo, ['mktree'], { input: `100644 blob ${blob}\t${CHUNK_FILE}\n` });
  const commit = await git(repo, ['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-m', `citadel town ${town} gen ${gen} ${summary}`], { env: IDENTITY });
  await git(repo, ['update-ref', '-m', `citadel sync gen ${gen}`, ref, commit, parent ?? '0'.repeat(commit.length)]);
  return commit;
}

/** Fetches every town's ref from the remote into `refs/citadel/remotes/<remote>/`. */
export async function fetchTowns(repo: string, remote: string): Promise<void> {
  checkRemoteName(remote);
  const result = await gitRun(repo, ['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', remote, `+refs/citadel/towns/*:${remoteTownsPrefix(remote)}*`]);
  if (result.code !== 0) throw new CitadelError('unavailable', `could not fetch from ${remote}: ${gitMessage(result.stderr)}`);
}

/** Pushes our ref to the remote, fast-forward only. */
export async function pushTown(repo: string, remote: string, town: string): Promise<boolean> {
  checkRemoteName(remote);
  const ref = townRef(town);
  const local = await gitRun(repo, ['rev-parse', '--verify', '-q', ref]);
  if (local.code !== 0) return false;
  const result = await gitRun(repo, ['push', '--quiet', '--no-verify', remote, `${ref}:${ref}`]);
  if (result.code !== 0) {
    const message = gitMessage(result.stderr);
    if (/non-fast-forward|fetch first|rejected/.test(message)) {
      throw new CitadelError('conflict', `${remote} has a different history for this town (${town}): another clone uses the same town id (was .citadel/federation/town.json copied?); ${message}`);
    }
    throw new CitadelError('unavailable', `could not push to ${remote}: ${message}`);
  }
  return true;
}

/** The foreign towns the remote has, with their tips (invalid names are reported, not used). */
export async function foreignTowns(repo: string, remote: string, self: string): Promise<{ towns: Map<string, string>; ignored: string[] }> {
  const prefix = remoteTownsPrefix(remote);
  const out = await git(repo, ['for-each-ref', '--format=%(refname) %(objectname)', prefix]);
  const towns = new Map<string, string>();
  const ignored: string[] = [];
  for (const line of out.split('\n')) {
    if (line === '') continue;
    const [name, oid] = line.split(' ');
    const town = name!.slice(prefix.length);
    if (!isTownId(town)) {
      ignored.push(name!);
      continue;
    }
    if (town !== self && oid && !ZERO_OID.test(oid)) towns.set(town, oid);
  }
  return { towns, ignored };
}

/** The commits of a town's ref after `since` (all when undefined or unknown here), oldest first. */
export async function newCommits(repo: string, tip: string, since: string | null | undefined): Promise<string[]> {
  let known = false;
  if (since) known = (await gitRun(repo, ['cat-file', '-e', `${since}^{commit}`])).code === 0;
  const out = await git(repo, ['rev-list', '--reverse', '--first-parent', tip, ...(known ? [`^${since!}`] : [])]);
  return out.split('\n').filter((line) => /^[0-9a-f]{40,64}$/.test(line));
}

/** The chunk text of each commit (one `git cat-file --batch` for all of them). */
export async function readChunks(repo: string, commits: readonly string[]): Promise<Map<string, string>> {
  const chunks = new Map<string, string>();
  if (commits.length === 0) return chunks;
  const out = await git(repo, ['cat-file', '--batch'], { input: commits.map((commit) => `${commit}:${CHUNK_FILE}\n`).join('') });
  // Each object is "<oid> blob <size>\n<content>\n"; chunk content is JSON lines, so a header line
  // (which no JSON line can look like) starts the next object.
  let index = -1;
  let lines: string[] = [];
  const done = (): void => {
    if (index >= 0) chunks.set(commits[index]!, lines.join('\n'));
  };
  for (const line of `${out}\n`.split('\n')) {
    if (/^[0-9a-f]{40,64} blob \d+$/.test(line) || / missing$/.test(line)) {
      done();
      index++;
      lines = [];
      continue;
    }
    lines.push(line);
  }
  done();
  return chunks;
}

function gitMessage(stderr: string): string {
  return stderr.trim().split('\n').filter((line) => line.trim() !== '').slice(-2).join(' / ') || 'git failed';
}
