#!/usr/bin/env node
// The citadel entry point: the compiled CLI lives in dist/ (npm run build).
import { main } from '../dist/cli/main.js';

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
