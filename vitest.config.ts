import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    // Two files at a time on two cores: a file spends much of its time waiting on its PostgreSQL,
    // on child processes and on sockets, so one worker (the default, cores - 1) leaves a core idle.
    maxWorkers: 2,
    minWorkers: 1,
    // Bounds for a hung test, not a speed requirement: on a shared, loaded machine CPU-bound tests
    // and process starts take many times longer than on an idle one.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Each file gets its own database cloned from the migrated template, so files run in parallel.
    fileParallelism: true,
  },
});
