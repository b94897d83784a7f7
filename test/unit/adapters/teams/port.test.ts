import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConversationRef, DeliveryError } from '../../../../src/chat/message.js';
import { type FakeBotConnector, startFakeBotConnector } from '../../../support/fake-bot-connector.js';
import { ALICE, TENANT } from '../../../support/teams-activities.js';
import { type Harness, startHarness } from './harness.js';

let connector: FakeBotConnector;
let h: Harness;

beforeAll(async () => {
  connector = await startFakeBotConnector();
  connector.members.set(ALICE.id, {
    id: ALICE.id,
    name: ALICE.name,
    aadObjectId: ALICE.aadObjectId,
    email: 'alice@example.com',
    userPrincipalName: 'alice@example.com',
  });
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
  await connector?.close();
});

const personal = (): ConversationRef => ({
  platform: 'teams',
  channelId: 'a:1personal-alice',
  threadId: null,
  isDirect: true,
  workspaceId: TENANT,
  serviceUrl: connector.serviceUrl,
  isPublic: false,
});

async function deliveryError(p: Promise<unknown>): Promise<DeliveryError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DeliveryError) return e;
    throw e;
  }
  throw new Error('expected a DeliveryError');
}

describe('teams port', () => {
  it('posts a reply with a ticket card as an Adaptive Card with universal actions', async () => {
    const res = await h.adapter.port.deliver({
      conversation: personal(),
      reply: {
        text: 'I opened INC0000042 for you.',
        card: {
          number: 'INC0000042',
          kind: 'incident',
          title: 'VPN keeps dropping',
          state: 'new',
          priority: 'P3',
          impact: 'medium',
          urgency: 'medium',
          group: 'Network',
          assignee: null,
          eta: 'first response by 14:00',
          actions: [
            { label: 'Close', actionId: 'ticket.close', value: { ticket: 'INC0000042' }, style: 'danger' },
          ],
        },
      },
    });
    expect(res.messageId).toMatch(/^bot-msg-/);
    const sent = connector.messages().at(-1);
    expect(sent?.conversationId).toBe('a:1personal-alice');
    expect(sent?.body?.text).toBe('I opened INC0000042 for you.');
    const attachment = (
      sent?.body?.attachments as Array<{ contentType: string; content: { actions: unknown[] } }>
    )[0];
    expect(attachment?.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(attachment?.content.actions[0]).toMatchObject({
      type: 'Action.Execute',
      verb: 'ticket.close',
      data: { chatdesk: { actionId: 'ticket.close', value: { ticket: 'INC0000042' } } },
      fallback: { type: 'Action.Submit', data: { chatdesk: { actionId: 'ticket.close' } } },
    });
  });

  it('updates a card in place', async () => {
    const res = await h.adapter.port.deliver({
      conversation: personal(),
      reply: { text: 'INC0000042 is closed.' },
      updateOf: { conversation: personal(), messageId: 'bot-msg-7' },
    });
    expect(res.messageId).toBe('bot-msg-7');
    expect(connector.updates().at(-1)).toMatchObject({
      conversationId: 'a:1personal-alice',
      activityId: 'bot-msg-7',
      body: { text: 'INC0000042 is closed.' },
    });
  });

  it('maps 429 with Retry-After and 5xx to retryable errors, 403 to a final one', async () => {
    connector.failNext(429, 1, { 'retry-after': '2' });
    const throttled = await deliveryError(
      h.adapter.port.deliver({ conversation: personal(), reply: { text: 'x' } }),
    );
    expect(throttled.retryable).toBe(true);
    expect(throttled.retryAfterMs).toBe(2000);
    connector.failNext(503);
    expect(
      (await deliveryError(h.adapter.port.deliver({ conversation: personal(), reply: { text: 'x' } })))
        .retryable,
    ).toBe(true);
    connector.failNext(403);
    const removed = await deliveryError(
      h.adapter.port.deliver({ conversation: personal(), reply: { text: 'x' } }),
    );
    expect(removed.retryable).toBe(false);
    expect(removed.message).toContain('403');
  });

  it('treats an unreachable connector as retryable', async () => {
    const e = await deliveryError(
      h.adapter.port.deliver({
        conversation: { ...personal(), serviceUrl: 'http://127.0.0.1:9/' },
        reply: { text: 'x' },
      }),
    );
    expect(e.retryable).toBe(true);
  });

  it('never posts to a service URL outside the allow-list', async () => {
    const n = connector.calls.length;
    const e = await deliveryError(
      h.adapter.port.deliver({
        conversation: { ...personal(), serviceUrl: 'https://attacker.example.net/' },
        reply: { text: 'x' },
      }),
    );
    expect(e.retryable).toBe(false);
    expect(connector.calls.length).toBe(n);
  });

  it('looks up a member: email and AAD object id; unknown member → null', async () => {
    expect(await h.adapter.port.lookupUser(ALICE.id, personal())).toEqual({
      email: 'alice@example.com',
      displayName: ALICE.name,
      aadObjectId: ALICE.aadObjectId,
      tenantId: null,
    });
    expect(
      connector.calls.some((c) => c.kind === 'member' && c.path.endsWith(encodeURIComponent(ALICE.id))),
    ).toBe(true);
    expect(await h.adapter.port.lookupUser('29:nobody', personal())).toBeNull();
  });

  it('opens a 1:1 conversation for proactive notices (POST /v3/conversations) and reuses it', async () => {
    const user = { platform: 'teams' as const, platformUserId: ALICE.id, displayName: ALICE.name };
    const channel: ConversationRef = {
      ...personal(),
      channelId: '19:general@thread.tacv2',
      isDirect: false,
      isPublic: true,
    };
    const ref = await h.adapter.port.openDirect(user, channel);
    expect(ref).toMatchObject({
      platform: 'teams',
      isDirect: true,
      workspaceId: TENANT,
      serviceUrl: connector.serviceUrl,
    });
    expect(ref.channelId).toMatch(/^a:direct-/);
    const created = connector.calls.filter((c) => c.kind === 'create');
    expect(created).toHaveLength(1);
    expect(created[0]?.body).toMatchObject({ isGroup: false, members: [{ id: ALICE.id }], tenantId: TENANT });
    expect(await h.adapter.port.openDirect(user, channel)).toEqual(ref);
    expect(connector.calls.filter((c) => c.kind === 'create')).toHaveLength(1);
    await h.adapter.port.deliver({
      conversation: ref,
      reply: { text: 'Your ticket INC0000042 was resolved.' },
    });
    expect(connector.messages().at(-1)).toMatchObject({ conversationId: ref.channelId, kind: 'send' });
  });
});
