#!/usr/bin/env node
// The citadel entry point: the compiled CLI lives in dist/ (npm run build).
import { main } from '../dist/cli/main.js';

// A reader that stops early (`citadel bead list | head -1`) closes the pipe, and the next write
// fails with EPIPE. Stopping to read is the reader's choice, not a failure of citadel: exit at
// once, quietly, with 0 — the same for stdout and stderr (docs/cli.md, "Output safety").
// Any other write error is still reported as the bug it is.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error && error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (error) => {
    process.stderr.write(`citadel: internal error: ${error && error.stack ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  },
);
