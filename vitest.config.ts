import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // A private trust store per test file (never the user's own).
    setupFiles: ['test/helpers/isolate-trust.ts', 'test/helpers/plain-shell.ts'],
    // Real processes, ptys and git repositories: isolate test files in forks, and give
    // end-to-end tests room on a 2-core machine. Tests wait for conditions, never sleep.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    maxWorkers: 2,
  },
});
