#!/usr/bin/env node
// The citadel entry point: the compiled CLI lives in dist/ (npm run build).
import { setFlagsFromString } from 'node:v8';
import { main } from '../dist/cli/main.js';

// The workstation (bare `citadel`, `citadel attach`) lives for hours: its young generation stays
// at V8's initial 1 MB semi-space instead of growing to 16 MB (docs/tui.md, "Memory"). The limit
// (--max-semi-space-size) is only read when node starts, and re-executing node to give it would
// keep a waiting parent of ~40 MB: more than it saves. The growth factor is read at each growth,
// so it works from here. Data commands keep V8's defaults (their bursts of allocation are faster
// with a large young generation).
if (isWorkstation(process.argv.slice(2))) setFlagsFromString('--semi-space-growth-factor=1');

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

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (error) => {
    process.stderr.write(`citadel: internal error: ${error && error.stack ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  },
);
