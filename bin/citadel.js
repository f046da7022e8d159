#!/usr/bin/env node
// The citadel entry point: the compiled CLI lives in dist/ (npm run build).
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (error) => {
    process.stderr.write(`citadel: internal error: ${error && error.stack ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  },
);
