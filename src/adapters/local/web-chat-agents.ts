/**
 * The agent side of the local web chat (development mode): a group's triage channel
 * (`web-triage:<slug>`, see handoff/channels.ts) with its handoff cards and their threads. An agent
 * picked in the page claims with the card's button, replies in the thread, writes `;;` notes and hands
 * back, through the same engine as Slack and Teams.
 */
import { randomUUID } from 'node:crypto';
import express, { type Router } from 'express';
import { z } from 'zod';
import type { Engine } from '../../chat/conversation-engine.js';
import { webTriageRef } from '../../chat/handoff/index.js';
import { ACTION_IDS, type ConversationRef, type Incoming } from '../../chat/message.js';
import { AppError, formatIssues } from '../../errors.js';
import type { DirectoryStore } from '../../itsm/ports.js';
import type { DeliveredMessage, LocalPort } from './local-port.js';
import { markdownToPlain } from './text-render.js';
import { WEB_CHAT_AGENTS_HTML } from './web-chat-agents-page.js';

const slug = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'group must be a group slug like "service-desk"');
const listQuery = z.object({ group: slug });
const postBody = z
  .object({
    user: z.email('user must be the email of an agent'),
    group: slug,
    /** The card the thread hangs on (its message id). */
    thread: z.string().min(1).max(200),
    text: z.string().max(10_000).optional(),
    action: z.object({ actionId: z.enum(ACTION_IDS), value: z.record(z.string(), z.unknown()) }).optional(),
  })
  .refine((v) => v.text !== undefined || v.action !== undefined, { message: 'send either text or action' });

function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success)
    throw new AppError('validation_failed', formatIssues(r.error.issues), {
      field: String(r.error.issues[0]?.path[0] ?? ''),
    });
  return r.data;
}

/** Cards of the channel, each with its thread, oldest first. */
function board(list: DeliveredMessage[]) {
  const cards = list.filter((m) => !m.message.conversation.threadId && !m.message.replyTo);
  return cards.map((c) => ({
    id: c.id,
    ...c.message.reply,
    text: markdownToPlain(c.message.reply.text),
    thread: list
      .filter((m) => m.id !== c.id && (m.message.conversation.threadId ?? m.message.replyTo) === c.id)
      .map((m) => ({
        id: m.id,
        from: m.fromUser ? 'agent' : 'bot',
        text: markdownToPlain(m.message.reply.text),
      })),
  }));
}

export function createWebChatAgentsRouter(deps: {
  engine: Engine;
  port: LocalPort;
  directory: Pick<DirectoryStore, 'groups' | 'personByEmail'>;
  now: () => Date;
  flush: () => Promise<void>;
}): Router {
  const router = express.Router();
  router.get('/chat/agents', (_req, res) => {
    res.type('html').send(WEB_CHAT_AGENTS_HTML);
  });
  router.get('/chat/api/groups', async (_req, res, next) => {
    try {
      const groups = await deps.directory.groups();
      res.json({ groups: groups.map((g) => ({ slug: g.slug, name: g.name })) });
    } catch (e) {
      next(e);
    }
  });
  router.get('/chat/api/triage', async (req, res, next) => {
    try {
      const q = parse(listQuery, req.query);
      await deps.flush();
      res.json({ cards: board(deps.port.delivered(webTriageRef(q.group).channelId)) });
    } catch (e) {
      next(e);
    }
  });
  router.post('/chat/api/triage', express.json({ limit: '64kb' }), async (req, res, next) => {
    try {
      const b = parse(postBody, req.body);
      const email = b.user.toLowerCase();
      const person = await deps.directory.personByEmail(email);
      if (!person || person.role === 'employee')
        throw new AppError('forbidden', `${email} is not a service desk agent.`, { field: 'user' });
      const conversation: ConversationRef = { ...webTriageRef(b.group), threadId: b.thread };
      if (b.text !== undefined) deps.port.recordIncoming(conversation, `${person.displayName}: ${b.text}`);
      const user = { platform: 'web' as const, platformUserId: email, email };
      const id = randomUUID();
      const receivedAt = deps.now().toISOString();
      const incoming: Incoming = b.action
        ? {
            kind: 'action',
            id,
            platform: 'web',
            conversation,
            user,
            actionId: b.action.actionId,
            value: b.action.value,
            sourceMessage: { conversation: webTriageRef(b.group), messageId: b.thread },
            receivedAt,
          }
        : {
            kind: 'message',
            id,
            platform: 'web',
            conversation,
            user,
            text: b.text ?? '',
            attachments: [],
            messageId: null,
            receivedAt,
            via: 'thread',
          };
      const { processed } = await deps.engine.receive(incoming);
      await processed;
      await deps.flush();
      res.json({ cards: board(deps.port.delivered(conversation.channelId)) });
    } catch (e) {
      next(e);
    }
  });
  return router;
}
