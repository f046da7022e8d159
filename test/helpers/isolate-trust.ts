import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

// Every test file gets its own XDG_DATA_HOME, so the trust store that `citadel init`, `citadel
// trust` and the refinery use (src/town/trust-store.ts) is never the real one in
// ~/.local/share/citadel/trust; processes the tests start inherit it through process.env.
const dataHome = mkdtempSync(join(tmpdir(), 'citadel-data-'));
process.env.XDG_DATA_HOME = dataHome;
afterAll(() => rmSync(dataHome, { recursive: true, force: true }));
