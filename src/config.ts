/**
 * The only reader of the environment. One zod schema; each variable carries a description, which is
 * also the source of the README's configuration table (`chatdesk config --markdown`).
 */
import { z } from 'zod';
import { AppError } from './errors.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const port = z.coerce.number().int().min(0).max(65535);

const databaseUrl = z
  .string()
  .refine((v) => v.startsWith('sqlite:') || v.startsWith('postgres://') || v.startsWith('postgresql://'), {
    message: 'must be sqlite:<path> (e.g. sqlite:var/chatdesk.sqlite) or postgres://user@host:5432/db',
  });

const csv = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0),
);

export const configSchema = z.object({
  NODE_ENV: z
    .enum(['development', 'production', 'test'])
    .default('development')
    .describe(
      'Runtime mode. `production` turns the demo web chat and demo seeding off and refuses the Teams emulator mode.',
    ),
  PORT: port
    .default(3978)
    .describe('HTTP port for Slack, Teams, the REST API, the web chat and health checks.'),
  HOST: z
    .string()
    .min(1)
    .default('127.0.0.1')
    .describe('Interface to listen on (`0.0.0.0` to accept outside traffic; read SECURITY.md first).'),
  PUBLIC_URL: z
    .url()
    .optional()
    .describe(
      'The address people reach chatdesk at (e.g. `https://desk.example.com`): used in web chat login links and accepted as a `Host` of the web chat.',
    ),
  TRUST_PROXY: bool
    .default(false)
    .describe(
      "Set to `true` when chatdesk runs behind a reverse proxy that terminates TLS and sets `X-Forwarded-For`/`X-Forwarded-Proto`: client addresses (rate limits, logs) and the dashboard cookie's `Secure` flag then follow those headers. Never set it when clients reach chatdesk directly (they could forge the headers).",
    ),
  WEB_CHAT: z
    .enum(['auto', 'demo', 'login', 'off'])
    .default('auto')
    .describe(
      'The browser chat at `/chat`: `demo` (pick any person, no sign-in; development only, loopback only), `login` (people sign in with a link from `chatdesk weblogin <email>`), `off`. `auto`: `demo` in development and test, `login` in production.',
    ),
  WEB_CHAT_DEMO_REMOTE: bool
    .default(false)
    .describe(
      'Let the demo web chat answer clients that are not on this machine (it lets anyone who reaches the port act as anyone; for a lab only). Refused in production.',
    ),
  DATABASE_URL: databaseUrl
    .default('sqlite:var/chatdesk.sqlite')
    .describe(
      '`sqlite:<path>` (embedded, default `sqlite:var/chatdesk.sqlite`) or `postgres://user:pass@host:5432/db`.',
    ),
  LOG_LEVEL: z
    .enum(['debug', 'info', 'warn', 'error', 'silent'])
    .default('info')
    .describe('Log verbosity; logs are JSON lines on stderr.'),
  DATA_DIR: z
    .string()
    .min(1)
    .default('data')
    .describe(
      'Directory of authored inputs: intents, knowledge, templates, SLA policies, groups, rules, seed.',
    ),
  MODELS_DIR: z.string().min(1).default('models').describe('Directory of trained model artefacts.'),
  API_TOKEN: z
    .string()
    .min(16, 'must be at least 16 characters')
    .optional()
    .describe(
      'Bearer token for the REST API (`/api/v1`), at least 16 characters (e.g. `openssl rand -hex 24`). Unset: the REST API answers 401 to everyone.',
    ),
  DASHBOARD_TOKEN: z
    .string()
    .min(16, 'must be at least 16 characters')
    .optional()
    .describe(
      'Login token of the KPI dashboard at `/`, at least 16 characters (unset: `API_TOKEN` is used; neither set: the dashboard answers 503 and says which variable to set).',
    ),
  SCIM_TOKEN: z
    .string()
    .min(16, 'must be at least 16 characters')
    .optional()
    .describe(
      'Bearer token of the SCIM 2.0 provisioning endpoint `/scim/v2` (Okta, Microsoft Entra ID). Unset: provisioning is off.',
    ),
  ALERTMANAGER_TOKEN: z
    .string()
    .min(16, 'must be at least 16 characters')
    .optional()
    .describe(
      'Bearer token of the Prometheus Alertmanager receiver `POST /hooks/alertmanager` (one incident per alert group). Unset: alert intake is off.',
    ),
  ALERTMANAGER_SERVICE_LABELS: csv
    .default(['service', 'cmdb', 'app'])
    .describe('Alert labels whose value is the CMDB tag of the affected service (first present wins).'),
  EMAIL_ADDRESS: z
    .email('must be an e-mail address such as help@example.com')
    .transform((e) => e.toLowerCase())
    .optional()
    .describe(
      "The desk's e-mail address. Set it (with SMTP_URL and SMTP_LISTEN_PORT or IMAP_URL) to turn the e-mail channel on; unset: e-mail is off.",
    ),
  EMAIL_NAME: z.string().min(1).default('IT Service Desk').describe("Sender name of the desk's e-mails."),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be smtp://user:password@host:587 or smtps://…:465')
    .optional()
    .describe(
      'Outgoing mail server (nodemailer URL): acknowledgements and notices to people not reachable in chat.',
    ),
  SMTP_LISTEN_PORT: port
    .optional()
    .describe(
      "Port of the desk's own SMTP server for incoming mail (route the desk address here). Unset: no SMTP intake.",
    ),
  SMTP_LISTEN_HOST: z
    .string()
    .min(1)
    .default('127.0.0.1')
    .describe('Interface the incoming SMTP server listens on.'),
  IMAP_URL: z
    .string()
    .regex(/^imaps?:\/\//, 'must be imaps://user:password@host:993/INBOX')
    .optional()
    .describe(
      'Mailbox to poll for incoming mail instead of (or besides) SMTP intake, e.g. `imaps://help%40example.com:pw@outlook.office365.com/INBOX`.',
    ),
  IMAP_POLL_SECONDS: z.coerce
    .number()
    .int()
    .min(10)
    .max(3600)
    .default(60)
    .describe('How often the IMAP mailbox is read.'),
  EMAIL_UNKNOWN_SENDERS: z
    .enum(['ignore', 'create'])
    .default('ignore')
    .describe(
      'Mail from an address not in the directory: `ignore` (logged, dropped) or `create` (the sender becomes an employee).',
    ),
  EMAIL_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(10_000)
    .max(100_000_000)
    .default(15_000_000)
    .describe('Largest incoming e-mail accepted (bytes, attachments included).'),
  ATTACHMENTS_MODE: z
    .enum(['store', 'link'])
    .default('store')
    .describe(
      'Files people send in chat: `store` (downloaded into ATTACHMENTS_DIR when type and size allow) or `link` (the platform link only).',
    ),
  ATTACHMENTS_DIR: z
    .string()
    .min(1)
    .default('var/attachments')
    .describe('Where stored attachments are kept (by content hash).'),
  ATTACHMENTS_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(1_000_000_000)
    .default(20_000_000)
    .describe('Larger files are kept as links.'),
  ATTACHMENTS_TYPES: csv
    .default([
      'image/*',
      'application/pdf',
      'text/plain',
      'text/csv',
      'application/zip',
      'application/json',
      'message/rfc822',
    ])
    .describe('MIME types stored (`image/*` wildcards); other types are kept as links.'),
  KPI_DEFLECTION_WINDOW_DAYS: z.coerce
    .number()
    .int()
    .min(0)
    .max(90)
    .default(3)
    .describe(
      'A knowledge answer counts as a verified deflection only if the same need does not come back within this many days.',
    ),
  CSI_EVALUATE_HOURS: z.coerce
    .number()
    .min(0)
    .max(24 * 31)
    .default(24)
    .describe(
      'Evaluate the KPI targets into the improvement register every this many hours (owners of new items are told); 0 = only on demand.',
    ),
  SEED_DEMO: bool
    .optional()
    .describe(
      'Seed demo people (including an admin), groups, templates, articles and assets into an empty database on start. Default: on, except with `NODE_ENV=production`.',
    ),
  NLU_EMBEDDINGS: z
    .enum(['auto', 'use', 'transformers', 'none'])
    .default('auto')
    .describe(
      'Sentence embeddings for the NLU: `auto` (the transformer model named by NLU_TRANSFORMER_MODEL if set, else the built-in Universal Sentence Encoder, the most accurate here), `use`, `transformers`, or `none` (lexical features only).',
    ),
  NLU_TRANSFORMER_MODEL: z
    .string()
    .regex(
      /^[A-Za-z0-9][\w.-]*(\/[A-Za-z0-9][\w.-]*)?$/,
      'a directory under MODELS_DIR such as Xenova/all-MiniLM-L6-v2',
    )
    .optional()
    .describe(
      'A transformers.js model directory under MODELS_DIR to encode with (e.g. one `chatdesk models pull` fetched, `Xenova/all-MiniLM-L6-v2`); default `static-use`, the one `chatdesk distill` builds.',
    ),
  NLU_THREAD: z
    .enum(['worker', 'inline'])
    .default('worker')
    .describe(
      'Where NLU inference runs: `worker` (a worker thread, so encoder time never delays platform acks) or `inline` (the main thread; simpler to profile).',
    ),
  HANDOFF_THRESHOLD: z.coerce
    .number()
    .min(0)
    .max(1)
    .default(0.55)
    .describe('Below this intent confidence the bot hands the conversation to a human.'),
  REQUESTER_PRIORITY_CEILING: z
    .enum(['P1', 'P2', 'P3', 'P4'])
    .default('P2')
    .describe(
      "Highest priority a requester's own claim of impact can give a ticket (chat buttons, REST as an employee); above it takes an agent or a rule (many reporters, a linked P1 problem).",
    ),
  RATE_LIMIT_PER_MINUTE: z.coerce
    .number()
    .int()
    .min(1)
    .default(30)
    .describe(
      'Messages one person may send per minute; more get a polite "slow down" and are not processed.',
    ),
  MAX_MESSAGE_CHARS: z.coerce
    .number()
    .int()
    .min(100)
    .default(4000)
    .describe('Longer chat messages are refused politely.'),
  SLACK_SIGNING_SECRET: z
    .string()
    .min(1)
    .optional()
    .describe('Slack app signing secret (Basic Information). Enables `POST /slack/events`.'),
  SLACK_BOT_TOKEN: z
    .string()
    .startsWith('xoxb-', 'must be a bot token starting with xoxb-')
    .optional()
    .describe('Slack bot token (OAuth & Permissions), `xoxb-…`.'),
  SLACK_APP_TOKEN: z
    .string()
    .startsWith('xapp-', 'must be an app-level token starting with xapp-')
    .optional()
    .describe('Slack app-level token `xapp-…`: enables Socket Mode instead of HTTP.'),
  SLACK_API_URL: z
    .url()
    .optional()
    .describe("Slack Web API base URL (default Slack's own; tests point it at a fake)."),
  SLACK_TICKET_EMOJI: z
    .string()
    .min(1)
    .default('ticket')
    .describe('Reaction name that turns a message into a ticket.'),
  MICROSOFT_APP_ID: z
    .string()
    .min(1)
    .optional()
    .describe('Bot Framework app id. Teams is served only when it is set (or TEAMS_EMULATOR is on).'),
  MICROSOFT_APP_PASSWORD: z.string().min(1).optional().describe('Bot Framework client secret.'),
  MICROSOFT_APP_TENANT_ID: z.string().min(1).optional().describe('Tenant id for SingleTenant bots.'),
  MICROSOFT_APP_TYPE: z
    .enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI'])
    .default('MultiTenant')
    .describe('Bot identity type.'),
  TEAMS_ENABLED: bool
    .default(true)
    .describe(
      'Serve `POST /api/messages` for Microsoft Teams once MICROSOFT_APP_ID (or TEAMS_EMULATOR) is set.',
    ),
  TEAMS_EMULATOR: bool
    .default(false)
    .describe(
      'Development only: serve `POST /api/messages` without Bot Framework tokens (Bot Framework Emulator, tests). Refused in production and with MICROSOFT_APP_ID; needs a loopback HOST; activities must come from this machine and name a loopback serviceUrl.',
    ),
  TEAMS_ALLOWED_SERVICE_URLS: csv
    .optional()
    .describe(
      'Comma-separated extra Bot Connector service URL prefixes the bot may post to (Microsoft hosts are always allowed).',
    ),
  TEAMS_OPENID_METADATA_URL: z
    .url()
    .optional()
    .describe(
      'Bot Framework channel OpenID metadata URL incoming tokens are checked against (for sovereign clouds or testing; default Microsoft public cloud). Set together with TEAMS_TOKEN_ISSUER, TEAMS_OAUTH_SCOPE and TEAMS_LOGIN_URL.',
    ),
  TEAMS_TOKEN_ISSUER: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Issuer of the Bot Framework channel tokens (for sovereign clouds or testing; default `https://api.botframework.com`).',
    ),
  TEAMS_OAUTH_SCOPE: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Scope the bot requests tokens for when posting to the Bot Connector (for sovereign clouds or testing; default `https://api.botframework.com`).',
    ),
  TEAMS_LOGIN_URL: z
    .url()
    .optional()
    .describe(
      'Login URL the bot gets its own tokens from (for sovereign clouds or testing; default `https://login.microsoftonline.com/botframework.com`).',
    ),
  RETRY_HORIZON_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 3600)
    .default(3600)
    .describe(
      'How long a message is retried while a chat platform or the database is unavailable, in seconds from when it arrived (or its reply was queued). Then the person is told and it is kept as a dead letter for admins (`GET /api/v1/dead-letters`, metric `chatdesk_dead_letters_total`).',
    ),
  NODE_ID: z
    .string()
    .regex(/^[A-Za-z0-9][\w.-]{0,99}$/, 'letters, digits, dot, dash or underscore (at most 100)')
    .optional()
    .describe(
      'A name this process keeps across restarts and no other running process shares (e.g. a StatefulSet pod name): on start it takes over at once the work earlier processes of that name held. Unset: it takes over at once the work of processes on the same host that are gone; other work waits for its lease to expire (30–60 s).',
    ),
  TEST_TURN_DELAY_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(600_000)
    .optional()
    .describe(
      'Tests only (refused unless `NODE_ENV=test`): every turn waits this many ms after the event was stored and acknowledged, before it is processed, so a test can kill the process in between.',
    ),
});

export type Config = Omit<z.infer<typeof configSchema>, 'SEED_DEMO'> & { SEED_DEMO: boolean };

/** Parses the environment; a bad value throws one AppError naming every bad variable and the fix. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const relevant: Record<string, string> = {};
  for (const key of Object.keys(configSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') relevant[key] = value;
  }
  const parsed = configSchema.safeParse(relevant);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const key = String(i.path[0] ?? '(environment)');
      const shown = relevant[key] === undefined ? '' : ` (got "${redact(key, relevant[key])}")`;
      return `  ${key}${shown}: ${i.message}. ${describe(key)}`;
    });
    throw new AppError('config_invalid', `Invalid configuration:\n${lines.join('\n')}`, {
      field: String(parsed.error.issues[0]?.path[0] ?? ''),
    });
  }
  const config = parsed.data;
  if (config.TEAMS_EMULATOR) {
    const why =
      config.NODE_ENV === 'production'
        ? 'not in production (it accepts activities without a Bot Framework token)'
        : config.MICROSOFT_APP_ID
          ? 'not together with MICROSOFT_APP_ID (tokens are checked then; unset TEAMS_EMULATOR)'
          : !isLoopbackHost(config.HOST)
            ? `only with a loopback HOST (127.0.0.1, ::1 or localhost; got ${config.HOST}): anyone who reaches the port could act as anyone`
            : null;
    if (why)
      throw new AppError('config_invalid', `Invalid configuration:\n  TEAMS_EMULATOR: ${why}.`, {
        field: 'TEAMS_EMULATOR',
      });
  }
  if (config.NODE_ENV === 'production' && (config.WEB_CHAT === 'demo' || config.WEB_CHAT_DEMO_REMOTE)) {
    throw new AppError(
      'config_invalid',
      'Invalid configuration:\n  WEB_CHAT: the demo web chat (anyone picks who they are) is not available in production. Use WEB_CHAT=login (links from `chatdesk weblogin <email>`) or WEB_CHAT=off, and unset WEB_CHAT_DEMO_REMOTE.',
      { field: 'WEB_CHAT' },
    );
  }
  if (config.TEST_TURN_DELAY_MS !== undefined && config.NODE_ENV !== 'test') {
    throw new AppError(
      'config_invalid',
      'Invalid configuration:\n  TEST_TURN_DELAY_MS: only for tests (NODE_ENV=test); it holds back every turn. Unset it.',
      { field: 'TEST_TURN_DELAY_MS' },
    );
  }
  if (
    !config.EMAIL_ADDRESS &&
    (config.SMTP_URL || config.IMAP_URL || config.SMTP_LISTEN_PORT !== undefined)
  ) {
    throw new AppError(
      'config_invalid',
      'Invalid configuration:\n  EMAIL_ADDRESS: required when SMTP_URL, SMTP_LISTEN_PORT or IMAP_URL is set (the address people write to).',
      { field: 'EMAIL_ADDRESS' },
    );
  }
  if (Boolean(config.SLACK_SIGNING_SECRET) !== Boolean(config.SLACK_BOT_TOKEN)) {
    throw new AppError(
      'config_invalid',
      'Invalid configuration:\n  SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN: set both to enable Slack (or neither to disable it).',
      { field: config.SLACK_SIGNING_SECRET ? 'SLACK_BOT_TOKEN' : 'SLACK_SIGNING_SECRET' },
    );
  }
  return {
    ...config,
    SEED_DEMO: config.SEED_DEMO ?? config.NODE_ENV !== 'production',
  };
}

/** True for addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || h.startsWith('127.') || h === '::ffff:127.0.0.1';
}

/** How Teams is served: with Bot Framework tokens, in the loopback-only emulator mode, or not at all. */
export function teamsMode(config: Config): 'tokens' | 'emulator' | 'off' {
  if (!config.TEAMS_ENABLED) return 'off';
  if (config.MICROSOFT_APP_ID) return 'tokens';
  return config.TEAMS_EMULATOR ? 'emulator' : 'off';
}

/** Which web chat `/chat` serves (WEB_CHAT=auto resolved by NODE_ENV). */
export function webChatMode(config: Pick<Config, 'WEB_CHAT' | 'NODE_ENV'>): 'demo' | 'login' | 'off' {
  if (config.WEB_CHAT !== 'auto') return config.WEB_CHAT;
  return config.NODE_ENV === 'production' ? 'login' : 'demo';
}

const SECRET_KEYS = new Set([
  'API_TOKEN',
  'DASHBOARD_TOKEN',
  'SCIM_TOKEN',
  'ALERTMANAGER_TOKEN',
  'SMTP_URL',
  'IMAP_URL',
  'SLACK_SIGNING_SECRET',
  'SLACK_BOT_TOKEN',
  'SLACK_APP_TOKEN',
  'MICROSOFT_APP_PASSWORD',
]);

function redact(key: string, value: string | undefined): string {
  if (value === undefined) return '';
  return SECRET_KEYS.has(key) ? '***' : value.length > 60 ? `${value.slice(0, 57)}...` : value;
}

function describe(key: string): string {
  const field = (configSchema.shape as Record<string, z.ZodType>)[key];
  return field?.description ?? '';
}

/** Secrets, so that loggers can scrub them. */
export function secretsOf(config: Config): string[] {
  return [...SECRET_KEYS]
    .map((k) => config[k as keyof Config])
    .filter((v): v is string => typeof v === 'string' && v.length > 0);
}

export function sqlitePath(config: Pick<Config, 'DATABASE_URL'>): string | null {
  return config.DATABASE_URL.startsWith('sqlite:') ? config.DATABASE_URL.slice('sqlite:'.length) : null;
}
