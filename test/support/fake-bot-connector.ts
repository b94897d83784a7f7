/**
 * A fake Bot Connector (the Teams side of the Bot Framework REST API) on 127.0.0.1. It records what
 * the bot sends and answers member look-ups and conversation creation like the real service.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ConnectorCall {
  method: string;
  path: string;
  /** Decoded conversation id from the path (may carry `;messageid=`). */
  conversationId: string | null;
  /** POST …/activities/{replyToId} or PUT …/activities/{activityId}. */
  activityId: string | null;
  kind: 'send' | 'reply' | 'update' | 'member' | 'create' | 'other';
  body: Record<string, unknown> | null;
  authorization: string | null;
  /** The activity id the fake answered a send/reply with. */
  responseId?: string;
  /** When the request arrived (ms since the epoch). */
  at: number;
}

export interface Member {
  id: string;
  name: string;
  aadObjectId: string;
  email: string;
  userPrincipalName?: string;
  /** The member's tenant, as the roster (TeamsInfo.getMember) reports it. */
  tenantId?: string;
}

export interface FakeBotConnector {
  /** The serviceUrl to put into activities, with a trailing slash as Teams sends it. */
  serviceUrl: string;
  calls: ConnectorCall[];
  /** Messages posted (send or reply). */
  messages(): ConnectorCall[];
  updates(): ConnectorCall[];
  members: Map<string, Member>;
  /** A Teams user the connector knows, found by user id and (as message actions need) AAD object id. */
  addMember(who: { id: string; name: string; aadObjectId: string; tenantId?: string }, email: string): void;
  /** The next `count` activity posts answer `status` (e.g. 429 with Retry-After, 503, 403). */
  failNext(status: number, count?: number, headers?: Record<string, string>): void;
  /** Called for every request; return false to answer 401 (used by the auth suite). */
  checkAuth: ((authorization: string | null) => boolean) | null;
  waitFor<T>(probe: () => T | undefined | null | false, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

export async function startFakeBotConnector(): Promise<FakeBotConnector> {
  const calls: ConnectorCall[] = [];
  const members = new Map<string, Member>();
  const failures: Array<{ status: number; headers: Record<string, string> }> = [];
  let nextId = 1;
  const fake: FakeBotConnector = {
    serviceUrl: '',
    calls,
    messages: () => calls.filter((c) => c.kind === 'send' || c.kind === 'reply'),
    updates: () => calls.filter((c) => c.kind === 'update'),
    members,
    addMember(who, email) {
      const member = { ...who, email, userPrincipalName: email };
      members.set(who.id, member);
      members.set(who.aadObjectId, member);
    },
    failNext(status, count = 1, headers = {}) {
      for (let i = 0; i < count; i++) failures.push({ status, headers });
    },
    checkAuth: null,
    waitFor: (probe, timeoutMs = 5000) => waitFor(probe, timeoutMs),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: Record<string, unknown> | null = null;
      try {
        body = raw ? (JSON.parse(raw) as Record<string, unknown>) : null;
      } catch {
        body = null;
      }
      const path = (req.url ?? '').split('?')[0] ?? '';
      const seg = path
        .split('/')
        .filter((s) => s.length > 0)
        .map((s) => decodeURIComponent(s));
      const call = { ...classify(req.method ?? 'GET', path, seg, body, req.headers), at: Date.now() };
      calls.push(call);
      const json = (status: number, payload: unknown, headers: Record<string, string> = {}): void => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(payload));
      };
      if (fake.checkAuth && !fake.checkAuth(call.authorization))
        return json(401, { error: { code: 'Unauthorized', message: 'bad token' } });
      if ((call.kind === 'send' || call.kind === 'reply' || call.kind === 'update') && failures.length > 0) {
        const f = failures.shift();
        if (f)
          return json(
            f.status,
            { error: { code: 'Failure', message: `fake failure ${f.status}` } },
            f.headers,
          );
      }
      switch (call.kind) {
        case 'send':
        case 'reply': {
          call.responseId = `bot-msg-${nextId++}`;
          return json(201, { id: call.responseId });
        }
        case 'update':
          return json(200, { id: call.activityId });
        case 'member': {
          const m = members.get(seg[4] ?? '');
          return m
            ? json(200, m)
            : json(404, { error: { code: 'MemberNotFoundInConversation', message: 'not found' } });
        }
        case 'create':
          return json(201, { id: `a:direct-${nextId++}`, serviceUrl: fake.serviceUrl });
        default:
          return json(404, { error: { code: 'NotFound', message: `${req.method} ${path}` } });
      }
    });
  });
  // Like Azure's front ends (and unlike Node's 5 s default): a slow turn must not meet a reset socket.
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.serviceUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return fake;
}

function classify(
  method: string,
  path: string,
  seg: string[],
  body: Record<string, unknown> | null,
  headers: IncomingHttpHeaders,
): Omit<ConnectorCall, 'at'> {
  const base = {
    method,
    path,
    body,
    authorization: headers.authorization ?? null,
    conversationId: null,
    activityId: null,
  };
  if (seg[0] !== 'v3' || seg[1] !== 'conversations') return { ...base, kind: 'other' };
  if (seg.length === 2 && method === 'POST') return { ...base, kind: 'create' };
  const conversationId = seg[2] ?? null;
  if (seg[3] === 'activities' && method === 'POST')
    return { ...base, conversationId, activityId: seg[4] ?? null, kind: seg[4] ? 'reply' : 'send' };
  if (seg[3] === 'activities' && method === 'PUT')
    return { ...base, conversationId, activityId: seg[4] ?? null, kind: 'update' };
  if (seg[3] === 'members' && seg[4] && method === 'GET') return { ...base, conversationId, kind: 'member' };
  return { ...base, conversationId, kind: 'other' };
}

/** Polls until `probe` returns something truthy; fails with the last state after the timeout. */
export async function waitFor<T>(probe: () => T | undefined | null | false, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`waitFor: condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
