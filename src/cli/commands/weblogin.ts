/**
 * `chatdesk weblogin <email> [--hours 24]`: a one-time login link to the web chat (WEB_CHAT=login)
 * for one person. Send it to them privately; it signs them in once, then a 12-hour session cookie
 * takes over. Only the link's SHA-256 is stored. Opens only the database.
 */
import { parseArgs } from 'node:util';
import { loadConfig, webChatMode } from '../../config.js';
import { openDatabase } from '../../db/connect.js';
import { createDirectoryStore } from '../../db/directory-store.js';
import { migrate } from '../../db/migrate.js';
import { createWebLoginStore, LINK_HOURS_DEFAULT } from '../../db/web-login-store.js';
import { AppError } from '../../errors.js';
import { seeHelp } from '../args.js';

export const USAGE = `usage: chatdesk weblogin <email> [--hours ${LINK_HOURS_DEFAULT}]

Prints a one-time login link to the web chat (/chat) for the person with that email. The link
works once, within --hours (1 to 168); it is the person's credential: send it privately. Links
use PUBLIC_URL (else http://HOST:PORT). The web chat must run with WEB_CHAT=login (the default
with NODE_ENV=production).`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { help: { type: 'boolean', short: 'h' }, hours: { type: 'string' } },
    strict: true,
    allowPositionals: true,
  });
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const [email] = positionals;
  const hours = values.hours === undefined ? LINK_HOURS_DEFAULT : Number(values.hours);
  if (!email || positionals.length > 1) {
    process.stderr.write(`chatdesk weblogin: give one email. ${seeHelp('weblogin')}\n`);
    return 2;
  }
  if (!Number.isInteger(hours) || hours < 1 || hours > 168) {
    process.stderr.write(
      `chatdesk weblogin: --hours must be a whole number from 1 to 168. ${seeHelp('weblogin')}\n`,
    );
    return 2;
  }
  const config = loadConfig();
  const database = await openDatabase(config.DATABASE_URL);
  try {
    await migrate(database);
    const person = await createDirectoryStore(database.db).personByEmail(email);
    if (!person)
      throw new AppError(
        'not_found',
        `no person with email ${email}; import them first (chatdesk people import)`,
      );
    const link = await createWebLoginStore(database.db).issueLink(person.id, new Date().toISOString(), hours);
    const base = (
      config.PUBLIC_URL ??
      `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${config.PORT}`
    ).replace(/\/$/, '');
    process.stdout.write(`${base}/chat/login?token=${link.secret}\n`);
    process.stderr.write(
      `one-time link for ${person.email}, valid until ${link.expiresAt}${webChatMode(config) === 'login' ? '' : ` (note: the server runs the web chat with WEB_CHAT=${webChatMode(config)}; links work with WEB_CHAT=login)`}\n`,
    );
    return 0;
  } finally {
    await database.close();
  }
}
