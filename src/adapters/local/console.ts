/**
 * `chatdesk chat --user <email>`: each input line is one message to the real engine; replies are
 * printed as they are delivered. Works interactively and with a pipe; returns at end of input.
 */
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { ConversationEngine } from '../../chat/adapter-api.js';
import { welcomeText } from '../../chat/dialogs/index.js';
import type { Choice, ConversationRef, Incoming, PlatformUser } from '../../chat/message.js';
import type { DirectoryStore } from '../../itsm/ports.js';
import { createLocalPort, type LocalPort } from './local-port.js';
import { replyToText } from './text-render.js';

interface ConsoleChatOptions {
  email: string;
  input: Readable;
  output: Writable;
  /** Show a prompt (interactive terminals only). */
  prompt: boolean;
}

/**
 * The console's port. With `owner`, it delivers only that person's conversation: messages for other
 * people (an approval request, an agent's notice) stay queued until their own console takes them.
 */
export function createConsolePort(
  output: Writable,
  onChoices: (choices: Choice[]) => void,
  owner?: string,
): LocalPort {
  const mine = owner ? `console:${owner.trim().toLowerCase()}` : null;
  return createLocalPort(
    'local',
    (m) => {
      output.write(`bot> ${replyToText(m.message.reply).replace(/\n/g, '\n     ')}\n`);
      // Numbered as replyToText shows them: the card's buttons, then the reply's choices.
      onChoices([...(m.message.reply.card?.actions ?? []), ...(m.message.reply.choices ?? [])]);
    },
    mine ? (message) => message.conversation.channelId === mine : undefined,
  );
}

/** What the console chat uses of the app. */
interface ConsoleDeps {
  engine: ConversationEngine;
  directory: Pick<DirectoryStore, 'personByEmail'>;
  outbox: { flush(): Promise<void> };
  now: () => Date;
}

export async function runConsoleChat(
  app: ConsoleDeps,
  o: ConsoleChatOptions,
  choicesRef: { current: Choice[] },
): Promise<void> {
  const email = o.email.trim().toLowerCase();
  const session = randomUUID();
  const conversation: ConversationRef = {
    platform: 'local',
    channelId: `console:${email}`,
    threadId: null,
    isDirect: true,
    workspaceId: null,
  };
  const user: PlatformUser = { platform: 'local', platformUserId: email, email };
  let n = 0;

  const rl = createInterface({ input: o.input, terminal: false });
  if (o.prompt) {
    // A person at a terminal is greeted; a pipe gets only the answers to what it sent.
    const person = await app.directory.personByEmail(email);
    if (person) o.output.write(`bot> ${welcomeText(person).replace(/\n/g, '\n     ')}\n`);
  }
  const ask = () => {
    if (o.prompt) o.output.write('you> ');
  };
  ask();
  for await (const line of rl) {
    const text = line.replace(/\r$/, '');
    if (o.prompt && (text === '/quit' || text === '/exit')) break;
    n += 1;
    const receivedAt = app.now().toISOString();
    const pick = /^\s*(\d{1,2})\s*$/.exec(text);
    const choice = pick ? choicesRef.current[Number(pick[1]) - 1] : undefined;
    const incoming: Incoming = choice
      ? {
          kind: 'action',
          id: `${session}:${n}`,
          platform: 'local',
          conversation,
          user,
          actionId: choice.actionId,
          value: choice.value,
          sourceMessage: null,
          receivedAt,
        }
      : {
          kind: 'message',
          id: `${session}:${n}`,
          platform: 'local',
          conversation,
          user,
          text,
          attachments: [],
          messageId: null,
          receivedAt,
          via: 'dm',
        };
    const { processed } = await app.engine.receive(incoming);
    await processed;
    await app.outbox.flush();
    ask();
  }
}
