/** `chatdesk chat --user <email>`: the console chat, on the same database as the server. */
import { z } from 'zod';
import type { Choice } from '../../chat/message.js';
import { loadConfig } from '../../config.js';
import { createLogger } from '../../log.js';
import { parseCommandArgs } from '../args.js';

export const USAGE = `usage: chatdesk chat --user <email>

Talk to the bot from the terminal as the person with that email (they must be in the directory;
the demo seeds alice@example.com, bob@example.com…). Each input line is one message; type the number
of a choice to press that button; /quit (or end of input) leaves. Logs go to stderr, warnings only.
  -u, --user <email>   who you are`;

const argsSchema = z.object({
  user: z.email('--user must be an email address, e.g. --user alice@example.com'),
});

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs({
    name: 'chat',
    usage: USAGE,
    argv,
    options: { user: { type: 'string', short: 'u' } },
    schema: argsSchema,
  });
  if (!parsed.ok) return parsed.exitCode;
  const email = parsed.args.user;
  const config = loadConfig();
  // Loaded here, not at the top: `--help` must not pay for the whole app.
  const { createApp } = await import('../../app.js');
  // The terminal is for the conversation; logs go to stderr, and only warnings by default.
  const log = createLogger({ level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL });
  const { createConsolePort, runConsoleChat } = await import('../../adapters/local/console.js');
  const choices: { current: Choice[] } = { current: [] };
  const port = createConsolePort(
    process.stdout,
    (c) => {
      if (c.length > 0) choices.current = c;
    },
    email,
  );
  const app = await createApp(config, {
    serve: false,
    log,
    adapters: [{ port, mount: () => undefined, start: async () => undefined, stop: async () => undefined }],
  });
  try {
    const person = await app.directory.personByEmail(email);
    if (!person) {
      process.stderr.write(
        `chatdesk chat: no person with email ${email} in the directory. Demo users: alice@example.com, bob@example.com (see data/seed/people.json).\n`,
      );
      return 2;
    }
    const interactive = Boolean(process.stdin.isTTY);
    if (interactive)
      process.stdout.write(`Connected as ${person.displayName}. Type a message; /quit to leave.\n`);
    await runConsoleChat(
      app,
      { email, input: process.stdin, output: process.stdout, prompt: interactive },
      choices,
    );
    return 0;
  } finally {
    await app.close();
  }
}
