/**
 * The whole handoff protocol in the local web chat, development mode (issue 18 item 8): a requester
 * asks for a person, the card appears in the group's web triage channel, an agent picked in the page
 * claims, replies in the thread, writes a `;;` note and hands back. Real server, real SQLite file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { buildTestApp } from '../../support/app.js';
import { sqliteDb } from '../../support/databases.js';

interface Card {
  id: string;
  text: string;
  card?: { actions: Array<{ label: string; actionId: string; value: Record<string, unknown> }> };
  thread: Array<{ from: string; text: string }>;
}

describe('web chat: the agent side (development mode)', () => {
  let app: App;
  let url: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const db = await sqliteDb.create();
    cleanup = db.cleanup;
    app = await buildTestApp(db.url, { NODE_ENV: 'development' });
    ({ url } = await app.listen());
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await cleanup?.();
  });

  const say = async (user: string, text: string) => {
    const r = await fetch(`${url}/chat/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user, text }),
    });
    expect(r.status).toBe(200);
  };
  const history = async (user: string): Promise<string> => {
    const r = await fetch(`${url}/chat/api/messages?user=${user}`);
    return ((await r.json()) as { replies: Array<{ text: string }> }).replies.map((x) => x.text).join('\n');
  };
  const board = async (group: string): Promise<Card[]> => {
    const r = await fetch(`${url}/chat/api/triage?group=${group}`);
    expect(r.status).toBe(200);
    return ((await r.json()) as { cards: Card[] }).cards;
  };
  const agent = async (body: Record<string, unknown>) => {
    const r = await fetch(`${url}/chat/api/triage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: r.status, cards: ((await r.json()) as { cards?: Card[] }).cards ?? [] };
  };

  it('lets an agent claim, reply, note and hand back from the web triage channel', async () => {
    await say('dave@example.com', 'I need to talk to a human about the expense tool');
    await app.drain();
    const number = /INC\d{7}/.exec(await history('dave@example.com'))?.[0];
    expect(number).toBeDefined();
    const ticket = await app.tickets.byIdForSystem(
      (
        await app.db
          .selectFrom('tickets')
          .select('id')
          .where('number', '=', number as string)
          .executeTakeFirstOrThrow()
      ).id,
    );
    const group = (await app.directory.groupById(ticket?.groupId ?? -1))?.slug ?? '';
    const card = (await board(group)).find((c) => c.text.includes(`Handoff ${number}`));
    if (!card) throw new Error(`no card for ${number} in ${group}`);
    const claim = card.card?.actions.find((a) => a.label === 'Claim');
    expect(claim).toBeDefined();

    // An employee cannot act in the triage channel.
    expect((await agent({ user: 'dave@example.com', group, thread: card.id, text: 'hi' })).status).toBe(403);
    // heidi works in Service Desk and Workplace, judy in Network & Security.
    const agentEmail = group === 'infra' ? 'judy@example.com' : 'heidi@example.com';
    let r = await agent({
      user: agentEmail,
      group,
      thread: card.id,
      action: { actionId: claim?.actionId, value: claim?.value },
    });
    expect(r.status).toBe(200);
    expect(JSON.stringify(r.cards)).toContain(`claimed ${number}`);
    expect(await history('dave@example.com')).toContain('has joined the conversation');

    r = await agent({ user: agentEmail, group, thread: card.id, text: 'Hi Dave, which browser do you use?' });
    expect(r.status).toBe(200);
    expect(await history('dave@example.com')).toContain(
      '(IT service desk): Hi Dave, which browser do you use?',
    );

    await agent({ user: agentEmail, group, thread: card.id, text: ';; checking the SSO logs' });
    expect(await history('dave@example.com')).not.toContain('SSO logs');
    const comments = await app.db
      .selectFrom('comments')
      .select(['body', 'internal'])
      .where('ticket_id', '=', ticket?.id ?? -1)
      .execute();
    expect(comments.some((c) => c.body === 'checking the SSO logs' && Number(c.internal) === 1)).toBe(true);

    r = await agent({ user: agentEmail, group, thread: card.id, text: 'hand back' });
    expect(JSON.stringify(r.cards)).toContain(`handed ${number} back to the bot`);
    expect(await history('dave@example.com')).toContain("You're back with the IT bot");
  });
});
