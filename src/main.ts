/**
 * `chatdesk serve`: load config, build the app, listen, and stop cleanly on SIGTERM/SIGINT.
 */
import { type App, createApp } from './app.js';
import type { Config } from './config.js';
import { secretsOf, teamsMode, webChatMode } from './config.js';
import { listenError } from './listen-errors.js';
import { createLogger, type Logger } from './log.js';

/** A stop that takes longer than this (a hung delivery, a stuck database) ends the process anyway. */
const STOP_DEADLINE_MS = 20_000;

export async function serve(config: Config, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const log = createLogger({ level: config.LOG_LEVEL, secrets: secretsOf(config) });
  const app = await createApp(config, { log });
  let url: string;
  try {
    ({ url } = await app.listen());
  } catch (e) {
    // The NLU worker thread would keep the process alive after a failed start (a port in use).
    await app.close();
    throw listenError(e, config);
  }
  out.write(banner(url, config, app, await peopleLine(app)));
  await stopSignal(log);
  const deadline = setTimeout(() => {
    log.error('did not stop within the deadline; exiting anyway', { ms: STOP_DEADLINE_MS });
    process.exit(1);
  }, STOP_DEADLINE_MS);
  deadline.unref();
  await app.close();
  clearTimeout(deadline);
  log.info('stopped');
  return 0;
}

/**
 * Resolves on the first SIGTERM or SIGINT. Later signals are absorbed: `npm start` in a terminal
 * delivers Ctrl-C twice (once from the terminal, once forwarded by npm), and a second default
 * SIGINT would kill the process in the middle of its clean stop.
 */
function stopSignal(log: Logger): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        log.debug('already stopping', { signal });
        return;
      }
      stopping = true;
      log.info('stopping', { signal });
      resolve();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

/** Who can act here, so an operator notices demo people (an admin among them) in a real deployment. */
async function peopleLine(app: App): Promise<string> {
  const people = (await app.directory.people(10_000)).filter((p) => !p.email.endsWith('@chatdesk.local'));
  const admins = people.filter((p) => p.role === 'admin').map((p) => p.email);
  const seeded = app.config.SEED_DEMO ? 'demo seeding on (SEED_DEMO)' : 'demo seeding off';
  return `  • People:       ${people.length} in the directory, admins: ${admins.slice(0, 5).join(', ') || 'none'}${admins.length > 5 ? ' …' : ''} · ${seeded}`;
}

function webChatLine(url: string, config: Config): string {
  const mode = webChatMode(config);
  if (mode === 'off') return '  • Web chat:     off (WEB_CHAT=off)';
  if (mode === 'login')
    return `  • Web chat:     ${url}/chat, sign-in links from \`npx chatdesk weblogin <email>\`${config.NODE_ENV === 'production' ? ' (demo picker off: NODE_ENV=production)' : ''}`;
  return `  • Web chat:     ${url}/chat (DEMO: no sign-in, anyone can act as anyone; ${config.WEB_CHAT_DEMO_REMOTE ? 'REMOTE CLIENTS ALLOWED' : 'this machine only'})`;
}

function teamsLine(url: string, config: Config): string {
  const mode = teamsMode(config);
  if (mode === 'tokens') return `  • Teams:        POST ${url}/api/messages`;
  if (mode === 'emulator')
    return `  • Teams:        POST ${url}/api/messages (EMULATOR: no tokens checked; this machine and loopback serviceUrls only)`;
  return config.TEAMS_ENABLED
    ? '  • Teams:        off (set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD; TEAMS_EMULATOR=true for the Bot Framework Emulator)'
    : '  • Teams:        off';
}

function banner(url: string, config: Config, app: App, people: string): string {
  const dashboardToken = config.DASHBOARD_TOKEN ? 'DASHBOARD_TOKEN' : config.API_TOKEN ? 'API_TOKEN' : null;
  return [
    `chatdesk is running on ${url} (database: ${app.database.dialect})`,
    webChatLine(url, config),
    `  • Console chat: npx chatdesk chat --user alice@example.com`,
    dashboardToken
      ? `  • Dashboard:    ${url}/ (log in with the value of ${dashboardToken})`
      : '  • Dashboard:    off (set DASHBOARD_TOKEN or API_TOKEN, at least 16 characters, and restart)',
    `  • Health:       ${url}/healthz · metrics ${url}/metrics`,
    !config.SLACK_SIGNING_SECRET
      ? '  • Slack:        off (set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN)'
      : config.SLACK_APP_TOKEN
        ? '  • Slack:        Socket Mode (outbound WebSocket; no public URL needed)'
        : `  • Slack:        POST ${url}/slack/events`,
    teamsLine(url, config),
    config.API_TOKEN
      ? `  • REST API:     ${url}/api/v1/tickets (Authorization: Bearer <API_TOKEN>)`
      : '  • REST API:     off (set API_TOKEN, at least 16 characters)',
    people,
    '  Before exposing it beyond this machine, read SECURITY.md.',
    'Stop with Ctrl-C (or SIGTERM).',
    '',
  ].join('\n');
}
