/** Builds the real app on a real database for integration and e2e tests. */
import { type App, type AppOptions, createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';

export const TEST_API_TOKEN = 'test-api-token-0123456789';

export async function buildTestApp(
  databaseUrl: string,
  env: Record<string, string> = {},
  opts: AppOptions = {},
): Promise<App> {
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error',
    API_TOKEN: TEST_API_TOKEN,
    TEAMS_ENABLED: 'false',
    // Most tests build many apps; one worker thread each would cost a second of start-up apiece.
    NLU_THREAD: 'inline',
    ...env,
  });
  return createApp(config, { log: createLogger({ level: config.LOG_LEVEL }), ...opts });
}

/** Polls until `check` returns a value (not undefined/false) or the timeout passes. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  what: string,
  timeoutMs = 10_000,
): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== null && v !== false) return v as NonNullable<T>;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
