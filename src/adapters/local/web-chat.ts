/**
 * A minimal browser chat at GET /chat so a newcomer can try the bot right after `npm start`:
 * pick a demo user, type, see replies and ticket cards. Same engine and database as Slack/Teams.
 */
import { randomUUID } from 'node:crypto';
import express, { type Router } from 'express';
import { z } from 'zod';
import type { Engine } from '../../chat/conversation-engine.js';
import { welcomeText } from '../../chat/dialogs/index.js';
import { ACTION_IDS, type ConversationRef, type Incoming } from '../../chat/message.js';
import { AppError, formatIssues } from '../../errors.js';
import type { DirectoryStore } from '../../itsm/store.js';
import type { DeliveredMessage, LocalPort } from './local-port.js';
import { markdownToPlain } from './text-render.js';
import { WEB_CHAT_HTML } from './web-chat-page.js';

const sendSchema = z
  .object({
    user: z.email('user must be the email of a demo user'),
    text: z.string().max(100_000).optional(),
    action: z
      .object({
        actionId: z.enum(ACTION_IDS),
        value: z.record(z.string(), z.unknown()),
        /** The button's label, for the history. */
        label: z.string().max(200).optional(),
      })
      .optional(),
  })
  .refine((v) => v.text !== undefined || v.action !== undefined, { message: 'send either text or action' });

/** One line of the history as the page shows it: who said it, readable text (no markdown). */
function view(m: DeliveredMessage) {
  const r = m.message.reply;
  return {
    id: m.id,
    from: m.fromUser ? 'user' : 'bot',
    ...r,
    text: markdownToPlain(r.text),
    ...(r.article ? { article: { ...r.article, body: markdownToPlain(r.article.body) } } : {}),
  };
}

export function createWebChatRouter(deps: {
  engine: Engine;
  port: LocalPort;
  directory: Pick<DirectoryStore, 'people'>;
  now: () => Date;
  flush: () => Promise<void>;
}): Router {
  const router = express.Router();
  router.get('/chat', (_req, res) => {
    res.type('html').send(WEB_CHAT_HTML);
  });
  router.get('/chat/api/people', async (_req, res, next) => {
    try {
      const people = await deps.directory.people(200);
      res.json({ people: people.map((p) => ({ email: p.email, name: p.displayName, role: p.role })) });
    } catch (e) {
      next(e);
    }
  });
  // The conversation so far (both sides; a welcome when it is new), or what came since `after`.
  router.get('/chat/api/messages', async (req, res, next) => {
    const q = z.object({ user: z.email(), after: z.string().max(200).optional() }).safeParse(req.query);
    if (!q.success)
      return next(
        new AppError('validation_failed', formatIssues(q.error.issues), {
          field: String(q.error.issues[0]?.path[0] ?? ''),
        }),
      );
    try {
      const email = q.data.user.toLowerCase();
      if (deps.port.delivered(`web:${email}`).length === 0) {
        const person = (await deps.directory.people(500)).find((p) => p.email.toLowerCase() === email);
        if (person)
          await deps.port.deliver({
            conversation: webConversation(email),
            reply: { text: welcomeText(person) },
          });
      }
      const list = deps.port.delivered(`web:${email}`);
      const start = q.data.after ? list.findIndex((m) => m.id === q.data.after) + 1 : 0;
      res.json({ replies: list.slice(start).map(view) });
    } catch (e) {
      next(e);
    }
  });
  router.post('/chat/api/messages', express.json({ limit: '256kb' }), async (req, res, next) => {
    try {
      const parsed = sendSchema.safeParse(req.body);
      if (!parsed.success)
        throw new AppError('validation_failed', formatIssues(parsed.error.issues), {
          field: String(parsed.error.issues[0]?.path[0] ?? ''),
        });
      const { user, text, action } = parsed.data;
      const email = user.toLowerCase();
      const conversation = webConversation(email);
      const seen = new Set(deps.port.delivered(conversation.channelId).map((m) => m.id));
      const said = deps.port.recordIncoming(conversation, text ?? `[${action?.label ?? 'button'}]`);
      const id = randomUUID();
      const receivedAt = deps.now().toISOString();
      const u = { platform: 'web' as const, platformUserId: email, email };
      const incoming: Incoming = action
        ? {
            kind: 'action',
            id,
            platform: 'web',
            conversation,
            user: u,
            actionId: action.actionId,
            value: action.value,
            sourceMessage: null,
            receivedAt,
          }
        : {
            kind: 'message',
            id,
            platform: 'web',
            conversation,
            user: u,
            text: text ?? '',
            attachments: [],
            messageId: null,
            receivedAt,
            via: 'dm',
          };
      const { processed } = await deps.engine.receive(incoming);
      await processed;
      await deps.flush();
      const replies = deps.port
        .delivered(conversation.channelId)
        .filter((m) => !m.fromUser && (!seen.has(m.id) || m.message.updateOf))
        .map(view);
      res.json({ said: { id: said.id }, replies });
    } catch (e) {
      next(e);
    }
  });
  return router;
}

function webConversation(email: string): ConversationRef {
  return { platform: 'web', channelId: `web:${email}`, threadId: null, isDirect: true, workspaceId: null };
}
