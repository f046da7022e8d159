/**
 * The processes a test caused, found by where they live: every process whose executable,
 * command line, working folder or environment lies under one of the test's scratch folders.
 * Killing the pane's process group is not enough for the real CLIs: Codex starts
 * `codex app-server --managed-daemon` in a session of its own (setsid, parent 1) from a copy of
 * itself under `$CODEX_HOME/packages/`, and it outlives the TUI that started it. Linux only
 * (/proc); elsewhere nothing is found.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface Found {
  pid: number;
  /** The command line, spaces between arguments. */
  cmdline: string;
  /** Which of exe, cmdline, cwd or env named a scratch folder. */
  by: string;
}

/** Whether `text` names `dir` itself or a path below it. */
function names(text: string, dir: string): boolean {
  let from = text.indexOf(dir);
  while (from !== -1) {
    const next = text[from + dir.length];
    if (next === undefined || next === '/' || next === '\0' || next === ' ' || next === ':' || next === '"') return true;
    from = text.indexOf(dir, from + 1);
  }
  return false;
}

function read(path: string): string {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return '';
  }
}

function link(path: string): string {
  try {
    return readlinkSync(path).replace(/ \(deleted\)$/, '');
  } catch {
    return '';
  }
}

/** This process and its ancestors: never "caused by the test", whatever their environment says. */
function ancestors(): Set<number> {
  const out = new Set<number>();
  let pid = process.pid;
  while (pid > 1 && !out.has(pid)) {
    out.add(pid);
    const status = read(`/proc/${pid}/status`);
    const ppid = /^PPid:\s+(\d+)/m.exec(status);
    if (!ppid) break;
    pid = Number(ppid[1]);
  }
  return out;
}

/** The live processes that name one of `dirs` (absolute paths) in their exe, cmdline, cwd or env. */
export function processesUnder(dirs: readonly string[]): Found[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const mine = ancestors();
  const found: Found[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (mine.has(pid)) continue;
    const cmdline = read(`/proc/${pid}/cmdline`);
    // A zombie has no command line and holds nothing: its parent reaps it.
    if (cmdline === '') continue;
    const places: [string, string][] = [
      ['exe', link(`/proc/${pid}/exe`)],
      ['cmdline', cmdline],
      ['cwd', link(`/proc/${pid}/cwd`)],
      ['env', read(`/proc/${pid}/environ`)],
    ];
    const hit = places.find(([, text]) => dirs.some((dir) => names(text, dir)));
    if (hit) found.push({ pid, cmdline: cmdline.split('\0').filter(Boolean).join(' ').slice(0, 300), by: hit[0] });
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return read(`/proc/${pid}/cmdline`) !== '';
  } catch {
    return false;
  }
}

/**
 * Ends every process under `dirs`: SIGTERM, then SIGKILL to what is still there after
 * `graceMs`. Returns what it found (the leftovers of the test) and what is STILL alive after all
 * that (should be nothing). Waits on a deadline, not a fixed sleep.
 */
export async function endProcessesUnder(dirs: readonly string[], graceMs = 3000): Promise<{ ended: Found[]; left: Found[] }> {
  const ended: Found[] = [];
  const seen = new Set<number>();
  // A dying parent may start a child (a daemon respawning): look again until a pass finds nothing new.
  for (let pass = 0; pass < 5; pass++) {
    const found = processesUnder(dirs).filter((p) => !seen.has(p.pid));
    if (found.length === 0) break;
    for (const p of found) {
      seen.add(p.pid);
      ended.push(p);
      try {
        process.kill(p.pid, 'SIGTERM');
      } catch {
        // Gone already.
      }
    }
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && found.some((p) => alive(p.pid))) await new Promise((resolve) => setTimeout(resolve, 50));
    for (const p of found) {
      if (!alive(p.pid)) continue;
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // Gone.
      }
    }
    const killDeadline = Date.now() + 2000;
    while (Date.now() < killDeadline && found.some((p) => alive(p.pid))) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { ended, left: processesUnder(dirs) };
}
