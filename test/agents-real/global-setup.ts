/** The agents tier's vitest globalSetup: installs the pinned CLIs first (skips those present), loudly. */
import { installAll } from './install.js';

export default async function setup(): Promise<void> {
  const results = await installAll();
  for (const r of results) {
    const line = r.ok ? (r.skipped ? 'present' : `installed in ${r.seconds.toFixed(1)} s`) : `NOT INSTALLED — ${r.error ?? 'unknown error'}`;
    process.stderr.write(`agents tier: ${r.agent}: ${line}\n`);
  }
}
