/**
 * A minimal browser chat at GET /chat. Same engine and database as Slack/Teams. Two modes (WEB_CHAT):
 *
 * - `demo` (development): pick any person and type; so a newcomer can try the bot right after
 *   `npm start`. It trusts the name in the request, so it answers this machine only (unless
 *   WEB_CHAT_DEMO_REMOTE) and only under a Host name of this machine (DNS rebinding).
 * - `login`: a person opens a one-time link from `chatdesk weblogin <email>` and gets a session
 *   cookie; every request acts as the cookie's person, whatever the body says.
 */
import { randomUUID } from 'node:crypto';
import express, { type Router } from 'express';
import { z } from 'zod';
import type { Engine } from '../../chat/conversation-engine.js';
import { welcomeText } from '../../chat/dialogs/index.js';
import { ACTION_IDS, type ConversationRef, type Incoming } from '../../chat/message.js';
import { isLoopbackHost } from '../../config.js';
import type { WebLoginStore } from '../../db/web-login-store.js';
import { AppError, formatIssues } from '../../errors.js';
import type { DirectoryStore } from '../../itsm/ports.js';
import type { Person } from '../../itsm/types.js';
import type { DeliveredMessage, LocalPort } from './local-port.js';
import { markdownToPlain } from './text-render.js';
import { webChatHtml, webLoginHtml } from './web-chat-page.js';

const sendSchema = z
  .object({
    /** Demo mode only; a signed-in session ignores it. */
    user: z.email('user must be the email of a demo user').optional(),
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

const WEB_SESSION_COOKIE = 'chatdesk_web';

interface WebChatDeps {
  engine: Engine;
  port: LocalPort;
  directory: Pick<DirectoryStore, 'people' | 'personById' | 'personByEmail'>;
  now: () => Date;
  flush: () => Promise<void>;
  mode: 'demo' | 'login';
  logins: WebLoginStore;
  /** Demo mode: answer clients that are not on this machine too. */
  allowRemote: boolean;
  /** Host names (besides this machine's) the demo may be reached under: HOST, PUBLIC_URL's host. */
  hostNames: readonly string[];
}

export function createWebChatRouter(deps: WebChatDeps): Router {
  const router = express.Router();
  const demo = deps.mode === 'demo';
  if (demo) router.use('/chat', demoGuard(deps));

  /** Who is acting: the session's person (login), or the named person (demo); never both. */
  const actorOf = async (req: express.Request, named: string | undefined): Promise<Person> => {
    if (!demo) {
      const secret = cookieOf(req, WEB_SESSION_COOKIE);
      const id = secret ? await deps.logins.sessionPerson(secret, deps.now().toISOString()) : null;
      const person = id === null ? null : await deps.directory.personById(id);
      if (!person)
        throw new AppError('unauthorized', 'Sign in first: open the login link your service desk sent you.');
      return person;
    }
    if (!named) throw new AppError('validation_failed', 'user: pick a demo user', { field: 'user' });
    const person = await deps.directory.personByEmail(named);
    if (!person)
      throw new AppError('unknown_user', `user: no person with email ${named}.`, { field: 'user' });
    return person;
  };

  router.get('/chat', async (req, res, next) => {
    try {
      res.set({
        'Cache-Control': 'no-store',
        'X-Frame-Options': 'DENY',
        'X-Content-Type-Options': 'nosniff',
      });
      if (demo) return void res.type('html').send(webChatHtml('demo'));
      const signedIn = await actorOf(req, undefined).then(
        () => true,
        () => false,
      );
      res.type('html').send(signedIn ? webChatHtml('login') : webLoginHtml(null));
    } catch (e) {
      next(e);
    }
  });
  if (!demo) {
    // The link's secret is in the query so it works from any mail client; it is spent on first use.
    router.get('/chat/login', async (req, res, next) => {
      try {
        const token = typeof req.query.token === 'string' ? req.query.token.slice(0, 200) : '';
        const session = token ? await deps.logins.exchange(token, deps.now().toISOString()) : null;
        res.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' });
        if (!session)
          return void res
            .status(401)
            .type('html')
            .send(
              webLoginHtml(
                'This login link is unknown, used or expired. Ask your service desk for a new one.',
              ),
            );
        res.cookie(WEB_SESSION_COOKIE, session.secret, {
          httpOnly: true,
          sameSite: 'strict',
          secure: req.secure,
          path: '/chat',
          maxAge: 12 * 3600_000,
        });
        res.redirect(303, '/chat');
      } catch (e) {
        next(e);
      }
    });
    router.post('/chat/logout', async (req, res, next) => {
      try {
        const secret = cookieOf(req, WEB_SESSION_COOKIE);
        if (secret) await deps.logins.endSession(secret);
        res.clearCookie(WEB_SESSION_COOKIE, { path: '/chat' });
        res.redirect(303, '/chat');
      } catch (e) {
        next(e);
      }
    });
  }
  router.get('/chat/api/people', async (req, res, next) => {
    try {
      // Signed in, the picker holds one person: you.
      const people = demo ? await deps.directory.people(200) : [await actorOf(req, undefined)];
      res.json({ people: people.map((p) => ({ email: p.email, name: p.displayName, role: p.role })) });
    } catch (e) {
      next(e);
    }
  });
  // The conversation so far (both sides; a welcome when it is new), or what came since `after`.
  router.get('/chat/api/messages', async (req, res, next) => {
    const q = z
      .object({ user: z.email().optional(), after: z.string().max(200).optional() })
      .safeParse(req.query);
    if (!q.success)
      return next(
        new AppError('validation_failed', formatIssues(q.error.issues), {
          field: String(q.error.issues[0]?.path[0] ?? ''),
        }),
      );
    try {
      const person = await actorOf(req, q.data.user);
      const email = person.email.toLowerCase();
      if (deps.port.delivered(`web:${email}`).length === 0)
        await deps.port.deliver({
          conversation: webConversation(email),
          reply: { text: welcomeText(person) },
        });
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
      const email = (await actorOf(req, user)).email.toLowerCase();
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

/**
 * The demo trusts the name in each request, so it must be reachable from this machine only, and only
 * under this machine's names: a web page elsewhere cannot rebind its own host name to 127.0.0.1 and
 * drive it from the victim's browser (the browser would send that page's Host).
 */
function demoGuard(deps: Pick<WebChatDeps, 'allowRemote' | 'hostNames'>) {
  const names = new Set(['localhost', '127.0.0.1', '::1', ...deps.hostNames.map((h) => h.toLowerCase())]);
  return (req: express.Request, _res: express.Response, next: express.NextFunction) => {
    if (!deps.allowRemote && !isLoopbackHost(req.socket.remoteAddress ?? ''))
      return next(
        new AppError(
          'forbidden',
          'The demo web chat answers this machine only (anyone using it can act as anyone). Sign-in links: WEB_CHAT=login.',
        ),
      );
    if (!names.has(hostNameOf(req.get('host') ?? '')))
      return next(new AppError('forbidden', 'The demo web chat is not served under this Host name.'));
    next();
  };
}

/** `example.com:3978` → `example.com`; `[::1]:3978` → `::1`. */
function hostNameOf(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') === -1 ? undefined : h.indexOf(']'));
  const colon = h.lastIndexOf(':');
  return colon === -1 ? h : h.slice(0, colon);
}

function cookieOf(req: express.Request, name: string): string | null {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1 || part.slice(0, eq).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return null;
    }
  }
  return null;
}

function webConversation(email: string): ConversationRef {
  return { platform: 'web', channelId: `web:${email}`, threadId: null, isDirect: true, workspaceId: null };
}
