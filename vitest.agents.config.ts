import { defineConfig } from 'vitest/config';

/**
 * The agents tier (`npm run test:agents`): the four real agent CLIs through citadel against a
 * stand-in model. Serial (one CLI at a time: each is heavy on a 2-core machine); the CLIs are
 * installed first by the global setup, into a cache outside the repository.
 */
export default defineConfig({
  test: {
    include: ['test/agents-real/**/*.agents.ts'],
    globalSetup: ['test/agents-real/global-setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 240_000,
    hookTimeout: 60_000,
  },
});
