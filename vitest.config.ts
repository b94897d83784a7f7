import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // Integration and e2e tests open real SQLite files and servers; forks keep native handles isolated.
    pool: 'forks',
    // Vitest's default is one fork per core minus one: a single fork on a 2-core CI machine, which runs
    // the files one by one while most of them wait on child processes, sockets and PostgreSQL.
    maxWorkers: 2,
    minWorkers: 1,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { DOTENV_CONFIG_QUIET: 'true' },
  },
});
