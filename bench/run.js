#!/usr/bin/env node
// Runs the benchmarks named on the command line ("all" for every one). Each benchmark is a
// module bench/<name>.js (or compiled from bench/<name>.ts) exporting `run()`, which prints its
// figures. Benchmarks print figures and ratios; they never fail on a time.
import { existsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

const known = ['journal', 'cli', 'daemon', 'tui', 'refinery', 'sync', 'tui-scale'];
const wanted = process.argv[2] === 'all' || !process.argv[2] ? known : process.argv.slice(2);
console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}`);
for (const name of wanted) {
  const file = new URL(`./${name}.js`, import.meta.url);
  if (!existsSync(file)) {
    console.log(`\n## ${name}: no benchmark yet`);
    continue;
  }
  console.log(`\n## ${name}`);
  const mod = await import(file.href);
  await mod.run();
}
