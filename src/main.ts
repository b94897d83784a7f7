/**
 * `chatdesk serve`: load config, build the app, listen, and stop cleanly on SIGTERM/SIGINT.
 */
import { createApp } from './app.js';
import type { Config } from './config.js';
import { secretsOf } from './config.js';
import { createLogger } from './log.js';

export async function serve(config: Config, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const log = createLogger({ level: config.LOG_LEVEL, secrets: secretsOf(config) });
  const app = await createApp(config, { log });
  let url: string;
  try {
    ({ url } = await app.listen());
  } catch (e) {
    // The NLU worker thread would keep the process alive after a failed start (a port in use).
    await app.close();
    throw e;
  }
  out.write(
    [
      `chatdesk is running on ${url} (database: ${app.database.dialect})`,
      `  • Web chat:     ${url}/chat`,
      `  • Console chat: npx chatdesk chat --user alice@example.com`,
      `  • Health:       ${url}/healthz`,
      config.SLACK_SIGNING_SECRET
        ? `  • Slack:        POST ${url}/slack/events`
        : '  • Slack:        off (set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN)',
      config.TEAMS_ENABLED
        ? `  • Teams:        POST ${url}/api/messages${config.MICROSOFT_APP_ID ? '' : ' (anonymous dev mode)'}`
        : '  • Teams:        off',
      config.API_TOKEN ? `  • REST API:     ${url}/api/v1/tickets` : '  • REST API:     off (set API_TOKEN)',
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info('stopping', { signal });
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  await app.close();
  log.info('stopped');
  return 0;
}
