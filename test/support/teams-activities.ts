/** Bot Framework activities shaped like the ones Teams sends, for tests. */
import { randomUUID } from 'node:crypto';

export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const BOT = { id: '28:chatdesk-bot', name: 'chatdesk' };
export const ALICE = {
  id: '29:1alice',
  name: 'Alice Example',
  aadObjectId: '00000000-0000-0000-0000-00000000a11c',
};
export const BOB = {
  id: '29:1bob',
  name: 'Bob Example',
  aadObjectId: '00000000-0000-0000-0000-000000000b0b',
};

type Conv = 'personal' | 'channel' | 'groupChat';
const CONV_IDS: Record<Conv, string> = {
  personal: 'a:1personal-alice',
  channel: '19:general@thread.tacv2',
  groupChat: '19:group@thread.v2',
};

export interface ActivityOpts {
  serviceUrl: string;
  id?: string;
  from?: { id: string; name: string; aadObjectId: string };
  conversation?: Conv;
  conversationId?: string;
  replyToId?: string;
}

function base(type: string, o: ActivityOpts): Record<string, unknown> {
  const conv = o.conversation ?? 'personal';
  return {
    type,
    id: o.id ?? `f:${randomUUID()}`,
    timestamp: new Date().toISOString(),
    serviceUrl: o.serviceUrl,
    channelId: 'msteams',
    from: o.from ?? ALICE,
    recipient: BOT,
    conversation: {
      id: o.conversationId ?? CONV_IDS[conv],
      conversationType: conv,
      tenantId: TENANT,
      ...(conv === 'personal' ? {} : { isGroup: true }),
    },
    channelData: {
      tenant: { id: TENANT },
      ...(conv === 'channel'
        ? { team: { id: '19:team@thread.tacv2' }, channel: { id: CONV_IDS.channel } }
        : {}),
    },
    locale: 'en-US',
    ...(o.replyToId ? { replyToId: o.replyToId } : {}),
  };
}

export function messageActivity(text: string, o: ActivityOpts): Record<string, unknown> {
  const conv = o.conversation ?? 'personal';
  if (conv === 'personal') return { ...base('message', o), text, textFormat: 'plain' };
  const mention = `<at>${BOT.name}</at>`;
  return {
    ...base('message', o),
    text: `${mention} ${text}`,
    textFormat: 'plain',
    entities: [{ type: 'mention', text: mention, mentioned: BOT }],
  };
}

export function executeActivity(
  data: Record<string, unknown>,
  o: ActivityOpts & { verb?: string },
): Record<string, unknown> {
  return {
    ...base('invoke', o),
    name: 'adaptiveCard/action',
    value: { action: { type: 'Action.Execute', verb: o.verb ?? 'x', data }, trigger: 'manual' },
  };
}

export function submitActivity(data: Record<string, unknown>, o: ActivityOpts): Record<string, unknown> {
  return { ...base('message', o), value: data };
}

export function messageActionActivity(
  name: 'composeExtension/fetchTask' | 'composeExtension/submitAction',
  o: ActivityOpts & {
    messageText: string;
    author?: { id: string; name: string; aadObjectId: string };
    data?: Record<string, unknown>;
  },
): Record<string, unknown> {
  const author = o.author ?? ALICE;
  return {
    ...base('invoke', o),
    name,
    value: {
      commandId: 'createTicket',
      commandContext: 'message',
      ...(o.data ? { data: o.data } : {}),
      messagePayload: {
        id: '1700000000000',
        body: { contentType: 'html', content: `<p>${o.messageText}</p>` },
        from: {
          user: {
            id: author.aadObjectId,
            displayName: author.name,
            aadObjectId: author.aadObjectId,
            userIdentityType: 'aadUser',
          },
        },
      },
    },
  };
}

export function installActivity(o: ActivityOpts): Record<string, unknown> {
  return { ...base('conversationUpdate', o), membersAdded: [BOT] };
}
