/**
 * The local web chat as a newcomer meets it (real server, real SQLite file): a welcome, knowledge
 * answers readable without markdown, and a history that after a reload shows both sides of the
 * conversation, first reply included. The console's rendering is checked on the same reply.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markdownToPlain, replyToText } from '../../../src/adapters/local/text-render.js';
import type { App } from '../../../src/app.js';
import type { Reply } from '../../../src/chat/message.js';
import { buildTestApp } from '../../support/app.js';
import { sqliteDb } from '../../support/databases.js';

type Entry = Reply & { id: string; from: 'user' | 'bot' };

describe('web chat: welcome, readable answers, history of both sides', () => {
  let app: App;
  let url: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const db = await sqliteDb.create();
    cleanup = db.cleanup;
    app = await buildTestApp(db.url);
    ({ url } = await app.listen());
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await cleanup?.();
  });

  const history = async (user: string, after?: string): Promise<Entry[]> => {
    const r = await fetch(
      `${url}/chat/api/messages?user=${user}${after ? `&after=${encodeURIComponent(after)}` : ''}`,
    );
    expect(r.status).toBe(200);
    return ((await r.json()) as { replies: Entry[] }).replies;
  };
  const send = async (user: string, body: Record<string, unknown>) => {
    const r = await fetch(`${url}/chat/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user, ...body }),
    });
    expect(r.status).toBe(200);
    return (await r.json()) as { said: { id: string }; replies: Entry[] };
  };

  it('greets a person opening the chat for the first time, by name, once', async () => {
    const first = await history('carol@example.com');
    expect(first).toHaveLength(1);
    expect(first[0]?.from).toBe('bot');
    expect(first[0]?.text).toMatch(/^Hi Carol! I'm the IT service desk bot/);
    expect(first[0]?.text).toMatch(/talk to a person/);
    expect(await history('carol@example.com', first[0]?.id)).toEqual([]);
    expect(await history('carol@example.com')).toHaveLength(1);
  });

  it('shows a knowledge answer with its content and without markdown, in the web chat and the console', async () => {
    const { replies } = await send('dave@example.com', { text: 'how do I set up out of office in outlook' });
    const answer = replies.find((r) => r.article);
    expect(answer?.text).toMatch(
      /This article should help: "Set up an out-of-office automatic reply in Outlook"/,
    );
    expect(answer?.article?.body).toContain('go to File → Automatic Replies');
    expect(answer?.article?.body).not.toMatch(/\*\*/);
    expect(answer?.text).not.toMatch(/\*\*/);
    const console = replyToText(answer as Reply);
    expect(console).toContain('Set up an out-of-office automatic reply in Outlook');
    expect(console).toContain('go to File → Automatic Replies');
    expect(console).not.toMatch(/\*\*/);
  });

  it('after a reload shows what the person wrote and every reply, the first one included', async () => {
    await history('erin@example.com'); // the page loads: the welcome
    const a = await send('erin@example.com', { text: 'my vpn keeps dropping every few minutes' });
    expect(a.replies[0]?.text).toMatch(/I've opened INC\d{7}/);
    const b = await send('erin@example.com', {
      action: {
        actionId: 'choice',
        value: { answer: 'just me, I can still work' },
        label: 'Just me, I can still work',
      },
    });
    expect(b.replies[0]?.text).toMatch(/Thanks, noted/);
    const all = await history('erin@example.com');
    expect(all.map((e) => [e.from, e.text.split('\n')[0]])).toEqual([
      ['bot', expect.stringMatching(/^Hi Erin!/)],
      ['user', 'my vpn keeps dropping every few minutes'],
      ['bot', expect.stringMatching(/^I've opened INC\d{7}/)],
      ['user', '[Just me, I can still work]'],
      ['bot', expect.stringMatching(/^Thanks, noted/)],
    ]);
    // What the page already showed is not sent again.
    expect(await history('erin@example.com', all.at(-1)?.id)).toEqual([]);
    expect(await history('erin@example.com', b.said.id)).toHaveLength(1);
  });

  it('renders markdown as text people read', () => {
    expect(
      markdownToPlain(
        '1. Go to **File → Automatic Replies**.\n- *Tick* `Only send`\n## Next\nSee [the guide](https://x.example/g).',
      ),
    ).toBe(
      '1. Go to File → Automatic Replies.\n• Tick Only send\nNext\nSee the guide (https://x.example/g).',
    );
  });
});
