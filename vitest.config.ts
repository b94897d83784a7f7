import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Without timings from an earlier run (a clean clone, CI), vitest starts the largest files first,
 * which put the scripted conversations (small files, each about 8 s of scenarios) and several e2e
 * files that wait on child processes at the end of the run, with one worker idle. Here the files
 * without timings start by folder, slowest kind first; files with timings keep vitest's order
 * (failed first, then longest first).
 */
const FIRST = ['test/conversations/', 'test/e2e/', 'test/integration/'];
const rank = (file: string) => {
  const i = FIRST.findIndex((prefix) => file.startsWith(prefix));
  return i === -1 ? FIRST.length : i;
};

class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const cache = this.ctx.cache;
    const root = this.ctx.config.root;
    const key = (f: TestSpecification) => `${f.project.name}:${relative(root, f.moduleId)}`;
    if (sorted.every((f) => cache.getFileTestResults(key(f)) !== undefined)) return sorted;
    // Array.prototype.sort is stable: within a folder rank, vitest's order stays.
    return sorted.sort((a, b) => rank(relative(root, a.moduleId)) - rank(relative(root, b.moduleId)));
  }
}

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
    sequence: { sequencer: SlowFirstSequencer },
    env: { DOTENV_CONFIG_QUIET: 'true' },
  },
});
