#!/usr/bin/env node
// The citadel entry point: the compiled CLI lives in dist/ (npm run build).
import { closeSync, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Script } from 'node:vm';
import * as zlib from 'node:zlib';

// The workstation (bare `citadel`, `citadel attach`) lives for hours: its young generation stays
// at V8's initial 1 MB semi-space instead of growing to 16 MB (docs/tui.md, "Memory"). The limit
// (--max-semi-space-size) is only read when node starts, and re-executing node to give it would
// keep a waiting parent of ~40 MB: more than it saves. The growth factor is read at each growth,
// so it works from here. Data commands keep V8's defaults (their bursts of allocation are faster
// with a large young generation).
// --optimize-for-size while it starts: V8 keeps start-up's heap smaller (one pane 96–97 → 90–93
// MB of RSS, docs/tui.md "Issue 16's budgets"); the workstation turns it off 3 s after its first
// frame (it cost CPU with 30 panes streaming).
if (isWorkstation(process.argv.slice(2))) {
  setFlagsFromString('--semi-space-growth-factor=1');
  setFlagsFromString('--optimize-for-size');
}

/** Whether these arguments open the workstation: none but `--town DIR`, or `attach`. */
function isWorkstation(args) {
  const rest = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--town') i++;
    else if (!args[i].startsWith('--town=')) rest.push(args[i]);
  }
  return rest.length === 0 || (rest[0] === 'attach' && !rest.includes('--help') && !rest.includes('-h'));
}

// A reader that stops early (`citadel bead list | head -1`) closes the pipe, and the next write
// fails with EPIPE. Stopping to read is the reader's choice, not a failure of citadel: exit at
// once, quietly, with 0 — the same for stdout and stderr (docs/cli.md, "Output safety").
// Any other write error (`citadel bead export > file` on a full disk: ENOSPC) is one line on
// stderr and exit 1, never a stack trace; if stderr itself cannot be written, just exit 1.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error && error.code === 'EPIPE') process.exit(0);
    if (stream === process.stdout) {
      try {
        process.stderr.write(`citadel: could not write the output (${error && error.message ? error.message : String(error)})\n`);
      } catch {
        // stderr is gone too: the exit code says it
      }
    }
    process.exit(1);
  });
}

// The commands agents and scripts run most start from one bundled file (dist/cli/data.cjs, built
// by scripts/bundle-cli.js; keep BUNDLED in step with it) compiled with a V8 code cache; every
// other command, and any command when the bundle is missing or CITADEL_NO_BUNDLE=1, from dist/
// (docs/cli.md, "Startup").
// The workstation (a bare `citadel`, `attach`) has its own bundle, dist/cli/workstation.cjs (Ink,
// React's production build, the TUI and the panels; compiled without a code cache), taken only
// when NODE_ENV is unset or production (the bundle holds React's production build alone).
// yoga-layout, an ES module that awaits its WebAssembly, is imported beside compiling the
// bundle and handed to it.
const BUNDLED = new Set(['ready', 'bead', 'mail', 'done', 'prime', 'hook', 'cv']);
const CACHE_MAGIC = 'citadel-v8cache-1\n';
const args = process.argv.slice(2);
const main = (process.env.CITADEL_NO_BUNDLE !== '1' && (await chosenBundle())) || (await import('../dist/cli/main.js')).main;

/** `main` of the bundle for this command line, or undefined (then dist/ runs). */
async function chosenBundle() {
  if (BUNDLED.has(commandWord(args))) return bundledMain('data');
  if (!isWorkstation(args) || (process.env.NODE_ENV !== undefined && process.env.NODE_ENV !== 'production')) return undefined;
  const yoga = import('yoga-layout');
  yoga.catch(() => undefined);
  return bundledMain('workstation', async () => {
    globalThis.__citadelYoga = await yoga;
  });
}

/** The first word of the command line that is not `--town DIR`. */
function commandWord(words) {
  for (let i = 0; i < words.length; i++) {
    if (words[i] === '--town') i++;
    else if (!words[i].startsWith('--town=')) return words[i];
  }
  return undefined;
}

/**
 * `main` of dist/cli/NAME.cjs (data or workstation), run as a vm.Script so V8 can take its compiled code from a cache
 * (Node 20 has no compile cache for modules). The cache is a file of the user's
 * ($XDG_CACHE_HOME/citadel, else ~/.cache/citadel; directory 0700, files 0600) named by the
 * bundle's length and CRC-32, Node's version and the architecture, so an edited or rebuilt bundle
 * never meets code compiled from another; its own CRC-32 is checked before V8 sees it (V8 checks
 * its version and flags), and anything unexpected (not ours, not a plain file, damaged, rejected
 * by V8) means compiling from source and writing a fresh cache after the command. undefined when
 * there is no bundle: the caller falls back to dist/.
 */
async function bundledMain(name, beforeRun) {
  const file = fileURLToPath(new URL(`../dist/cli/${name}.cjs`, import.meta.url));
  let source;
  try {
    // tsc rewrites every file of dist/: a bundle older than dist/cli/main.js was built from
    // another dist/ (`tsc` run alone after `npm run build`), so dist/ runs instead.
    if (statSync(file).mtimeMs < statSync(new URL('../dist/cli/main.js', import.meta.url)).mtimeMs) return undefined;
    source = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  // No code cache for the workstation: reading one made V8 keep ~5 MB more (one pane, 80 → 85–90
  // MB of anonymous memory on the 100k town) for ≤ 0.1 s of CPU at start-up (docs/cli.md).
  const cacheFile = name === 'workstation' ? undefined : codeCacheFile(name, source);
  const cached = cacheFile && readCodeCache(cacheFile);
  const script = new Script(Module.wrap(source), { filename: file, ...(cached ? { cachedData: cached } : {}) });
  await beforeRun?.();
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
  if (cacheFile && (!cached || script.cachedDataRejected)) {
    // After the command, so the functions it ran are compiled into the cache too.
    process.once('beforeExit', () => writeCodeCache(cacheFile, script));
  }
  return module.exports.main;
}

/** The cache file for this bundle text, or undefined when there is no private cache directory. */
function codeCacheFile(name, source) {
  if (process.env.CITADEL_NO_CODE_CACHE === '1' || typeof zlib.crc32 !== 'function') return undefined;
  try {
    const base = process.env.XDG_CACHE_HOME && process.env.XDG_CACHE_HOME.startsWith('/') ? process.env.XDG_CACHE_HOME : join(homedir(), '.cache');
    const dir = join(base, 'citadel');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stat = lstatSync(dir);
    const uid = process.getuid ? process.getuid() : stat.uid;
    if (!stat.isDirectory() || stat.uid !== uid || (stat.mode & 0o022) !== 0) return undefined;
    const key = `${Buffer.byteLength(source)}-${(zlib.crc32(source) >>> 0).toString(16)}-${process.version}-${process.arch}`;
    return join(dir, `${name}-${key}.v8cache`);
  } catch {
    return undefined;
  }
}

/** The cached data in `file` if it is ours (a plain file, owned by us, 0600) and whole; else undefined. */
function readCodeCache(file) {
  let fd;
  try {
    fd = openSync(file, 'r');
    const stat = fstatSync(fd);
    const uid = process.getuid ? process.getuid() : stat.uid;
    if (!stat.isFile() || stat.uid !== uid || (stat.mode & 0o077) !== 0) return undefined;
    const bytes = readFileSync(fd);
    const head = CACHE_MAGIC.length;
    if (bytes.length <= head + 4 || bytes.toString('latin1', 0, head) !== CACHE_MAGIC) return undefined;
    const data = bytes.subarray(head + 4);
    return bytes.readUInt32BE(head) === zlib.crc32(data) >>> 0 ? data : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Writes the cache whole (a 0600 temp file renamed into place) or not at all; never fails the command. */
function writeCodeCache(file, script) {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    const data = script.createCachedData();
    const head = Buffer.alloc(CACHE_MAGIC.length + 4);
    head.write(CACHE_MAGIC, 'latin1');
    head.writeUInt32BE(zlib.crc32(data) >>> 0, CACHE_MAGIC.length);
    const fd = openSync(temp, 'wx', 0o600);
    try {
      writeSync(fd, Buffer.concat([head, data]));
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch {
    try {
      unlinkSync(temp);
    } catch {
      // nothing was written
    }
  }
}

main(args).then(
  (code) => { process.exitCode = code; },
  (error) => {
    process.stderr.write(`citadel: internal error: ${error && error.stack ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  },
);
