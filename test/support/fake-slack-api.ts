/**
 * A small fake of the Slack Web API on 127.0.0.1 that records every call. Point SLACK_API_URL at
 * `fake.apiUrl`. It answers the methods chatdesk uses with realistic shapes, can fail the next calls
 * of a method (429 with Retry-After, 5xx, Slack `ok:false` errors, dropped connections) or every call
 * for a while (`startOutage`), and also receives `response_url` posts (`fake.responseUrl(id)`) and
 * serves the Socket Mode URL. Posted messages keep their `metadata` and are listed, like Slack does,
 * by conversations.history / conversations.replies range queries (`oldest`, no `latest`).
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  method: string;
  args: Record<string, unknown>;
  token: string | null;
  at: number;
  /** What the fake answered (absent when the call was made to fail). */
  response?: Record<string, unknown>;
}

export type Failure =
  | { status: 429; retryAfter: number }
  | { status: 500 | 502 | 503 }
  | { error: string }
  | { drop: true };

/** A message chat.postMessage accepted, as conversations.history/replies list it. */
export interface PostedMessage {
  channel: string;
  ts: string;
  text: string;
  bot_id: string;
  thread_ts?: string;
  metadata?: { event_type: string; event_payload?: Record<string, unknown> };
}

export interface FakeUser {
  id: string;
  email: string;
  name: string;
  /** IANA time zone users.info reports (absent: no tz field, as for bots and some guests). */
  tz?: string;
}

/** JSON-valued fields the Web API client sends form-encoded as strings. */
const JSON_FIELDS = new Set(['blocks', 'view', 'attachments', 'metadata']);

export class FakeSlackApi {
  readonly calls: RecordedCall[] = [];
  readonly botUserId = 'UBOT';
  readonly botId = 'BBOT';
  readonly teamId = 'T0001';
  /** Messages conversations.history/replies can return, keyed `${channel}:${ts}`. */
  readonly messages = new Map<
    string,
    { ts: string; text: string; user?: string; bot_id?: string; thread_ts?: string; reply_users?: string[] }
  >();
  readonly users = new Map<string, FakeUser>();
  /** Files served at `fake.url + path` (as url_private downloads), with the token each request carried. */
  readonly files = new Map<string, { body: Buffer; contentType: string }>();
  /** Every message chat.postMessage accepted, in order. */
  readonly posted: PostedMessage[] = [];
  socketUrl: string | null = null;
  private outage: {
    until: number;
    methods: Set<string> | null;
    failure: (method: string) => Failure;
  } | null = null;
  private server: Server | null = null;
  private readonly failures = new Map<string, Failure[]>();
  private readonly delays = new Map<string, number>();
  /** Methods whose calls are carried out but not answered until released: a response lost in flight. */
  private readonly held = new Map<string, Array<() => void>>();
  /** Microseconds; like Slack's, a message ts is the time it was posted (and unique). */
  private tsCounter = 0;
  private viewCounter = 0;
  private base = '';

  get url(): string {
    return this.base;
  }

  /** What SLACK_API_URL should be set to. */
  get apiUrl(): string {
    return `${this.base}/api/`;
  }

  responseUrl(id: string): string {
    return `${this.base}/response/${id}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    const addr = this.server.address() as AddressInfo;
    this.base = `http://127.0.0.1:${addr.port}`;
    return this;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    for (const method of [...this.held.keys()]) this.releaseResponses(method);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
    this.server = null;
  }

  /** The next `times` calls of `method` fail this way. */
  failNext(method: string, failure: Failure, times = 1): void {
    const list = this.failures.get(method) ?? [];
    for (let i = 0; i < times; i++) list.push(failure);
    this.failures.set(method, list);
  }

  /**
   * Every call (of `methods`, default all) fails for `durationMs` as `failure` says (e.g. 429 with
   * Retry-After, then 500): a Slack outage. Calls made during it are recorded like any other.
   */
  startOutage(o: { durationMs: number; methods?: string[]; failure: (method: string) => Failure }): void {
    this.outage = {
      until: Date.now() + o.durationMs,
      methods: o.methods ? new Set(o.methods) : null,
      failure: o.failure,
    };
  }

  endOutage(): void {
    this.outage = null;
  }

  /**
   * Calls of `method` take effect (a post is posted) but get no answer until releaseResponses: the
   * caller cannot know whether its request reached Slack — a crash or a timeout in that window.
   */
  holdResponses(method: string): void {
    if (!this.held.has(method)) this.held.set(method, []);
  }

  releaseResponses(method: string): void {
    const waiting = this.held.get(method) ?? [];
    this.held.delete(method);
    for (const release of waiting) release();
  }

  /** Every call of `method` answers after `ms`. */
  delay(method: string, ms: number): void {
    this.delays.set(method, ms);
  }

  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  reset(): void {
    this.calls.length = 0;
    this.outage = null;
    for (const method of [...this.held.keys()]) this.releaseResponses(method);
    this.failures.clear();
    this.delays.clear();
  }

  /** Polls until `count` calls of `method` (matching `where`) are recorded; throws with what was seen otherwise. */
  async waitForCalls(
    method: string,
    count = 1,
    opts: { timeoutMs?: number; where?: (c: RecordedCall) => boolean } = {},
  ): Promise<RecordedCall[]> {
    const deadline = Date.now() + (opts.timeoutMs ?? 5000);
    for (;;) {
      const found = this.callsOf(method).filter(opts.where ?? (() => true));
      if (found.length >= count) return found;
      if (Date.now() > deadline) {
        throw new Error(
          `timed out waiting for ${count}× ${method}; saw: ${this.calls.map((c) => c.method).join(', ') || 'nothing'}`,
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private nextTs(): string {
    this.tsCounter = Math.max(this.tsCounter + 1, Date.now() * 1000);
    const s = String(this.tsCounter);
    return `${s.slice(0, 10)}.${s.slice(10)}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const path = (req.url ?? '').split('?')[0] ?? '';
    const args = parseBody(raw, String(req.headers['content-type'] ?? ''));
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ')
      ? auth.slice('Bearer '.length)
      : typeof args.token === 'string'
        ? args.token
        : null;
    const method = path.startsWith('/api/')
      ? path.slice('/api/'.length)
      : path.startsWith('/response/')
        ? 'response_url'
        : path;
    const call: RecordedCall = { method, args, token, at: Date.now() };
    this.calls.push(call);
    const file = this.files.get(path);
    if (file) {
      res
        .writeHead(200, { 'content-type': file.contentType, 'content-length': String(file.body.length) })
        .end(file.body);
      return;
    }

    const wait = this.delays.get(method);
    if (wait) await new Promise((r) => setTimeout(r, wait));

    const o = this.outage;
    const inOutage = o !== null && Date.now() < o.until && (o.methods === null || o.methods.has(method));
    const failure = inOutage ? o.failure(method) : this.failures.get(method)?.shift();
    if (failure) {
      if ('drop' in failure) {
        req.socket.destroy();
        return;
      }
      if ('status' in failure) {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (failure.status === 429) headers['retry-after'] = String(failure.retryAfter);
        res
          .writeHead(failure.status, headers)
          .end(
            JSON.stringify({ ok: false, error: failure.status === 429 ? 'ratelimited' : 'internal_error' }),
          );
        return;
      }
      return json(res, { ok: false, error: failure.error });
    }
    call.response = this.answer(method, args);
    const held = this.held.get(method);
    if (held) {
      await new Promise<void>((resolve) => held.push(resolve));
      if (res.destroyed) return;
    }
    json(res, call.response);
  }

  /**
   * A range query over what was posted in a channel (history: newest first) or a thread (replies:
   * oldest first), after `oldest`, `limit` at a time with a cursor; metadata only with
   * include_all_metadata, as Slack does.
   */
  private range(args: Record<string, unknown>, keep: (p: PostedMessage) => boolean): Record<string, unknown> {
    const oldest = Number(args.oldest);
    const limit = Math.max(1, Number(args.limit ?? 100) || 100);
    const offset = Number(args.cursor ?? 0) || 0;
    const withMeta = args.include_all_metadata === true || args.include_all_metadata === 'true';
    const all = this.posted.filter((p) => p.channel === args.channel && Number(p.ts) > oldest && keep(p));
    if (args.ts === undefined) all.reverse();
    const page = all.slice(offset, offset + limit).map(({ channel: _c, metadata, ...m }) => ({
      type: 'message',
      ...m,
      ...(withMeta && metadata ? { metadata } : {}),
    }));
    const more = offset + limit < all.length;
    return {
      ok: true,
      messages: page,
      has_more: more,
      ...(more ? { response_metadata: { next_cursor: String(offset + limit) } } : {}),
    };
  }

  private answer(method: string, args: Record<string, unknown>): Record<string, unknown> {
    const s = (k: string): string => (typeof args[k] === 'string' ? (args[k] as string) : '');
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://example.slack.com/',
          team: 'Example',
          user: 'chatdesk',
          team_id: this.teamId,
          user_id: this.botUserId,
          bot_id: this.botId,
        };
      case 'chat.postMessage': {
        const ts = this.nextTs();
        const thread = s('thread_ts');
        const metadata = isObject(args.metadata) ? (args.metadata as PostedMessage['metadata']) : undefined;
        this.posted.push({
          channel: s('channel'),
          ts,
          text: s('text'),
          bot_id: this.botId,
          ...(thread ? { thread_ts: thread } : {}),
          ...(metadata ? { metadata } : {}),
        });
        return {
          ok: true,
          channel: s('channel'),
          ts,
          message: { ts, text: s('text'), bot_id: this.botId, ...(metadata ? { metadata } : {}) },
        };
      }
      case 'chat.update':
        return { ok: true, channel: s('channel'), ts: s('ts'), text: s('text') };
      case 'conversations.open': {
        const user = s('users').split(',')[0] ?? '';
        return { ok: true, channel: { id: `D${user.replace(/^[UW]/, '')}` } };
      }
      case 'users.lookupByEmail': {
        const email = s('email').toLowerCase();
        const u = [...this.users.values()].find((x) => x.email.toLowerCase() === email);
        if (!u) return { ok: false, error: 'users_not_found' };
        return {
          ok: true,
          user: {
            id: u.id,
            name: u.name,
            real_name: u.name,
            profile: { email: u.email, display_name: u.name },
          },
        };
      }
      case 'users.info': {
        const id = s('user');
        const u = this.users.get(id) ?? { id, email: `${id.toLowerCase()}@example.com`, name: `User ${id}` };
        return {
          ok: true,
          user: {
            id,
            name: u.name.toLowerCase().replace(/\s+/g, '.'),
            real_name: u.name,
            ...(u.tz ? { tz: u.tz } : {}),
            profile: { email: u.email, real_name: u.name, display_name: u.name },
          },
        };
      }
      case 'conversations.history': {
        if (!s('latest') && s('oldest')) return this.range(args, (p) => !p.thread_ts || p.thread_ts === p.ts);
        // Like Slack: thread replies are not part of the channel history.
        const m = this.messages.get(`${s('channel')}:${s('latest')}`);
        return {
          ok: true,
          messages: m && (!m.thread_ts || m.thread_ts === m.ts) ? [m] : [],
          has_more: false,
        };
      }
      case 'conversations.replies': {
        if (!s('latest') && s('oldest')) return this.range(args, (p) => p.thread_ts === s('ts'));
        // Like Slack: the thread parent comes first, then the matching reply.
        const m = this.messages.get(`${s('channel')}:${s('latest') || s('ts')}`);
        const parent =
          m?.thread_ts && m.thread_ts !== m.ts
            ? this.messages.get(`${s('channel')}:${m.thread_ts}`)
            : undefined;
        return { ok: true, messages: [parent, m].filter((x) => x !== undefined), has_more: false };
      }
      case 'views.open':
      case 'views.update':
      case 'views.publish':
        this.viewCounter += 1;
        return { ok: true, view: { id: `V${this.viewCounter}`, ...(isObject(args.view) ? args.view : {}) } };
      case 'apps.connections.open':
        return this.socketUrl ? { ok: true, url: this.socketUrl } : { ok: false, error: 'invalid_auth' };
      default:
        return { ok: true };
    }
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function parseBody(raw: string, contentType: string): Record<string, unknown> {
  if (raw === '') return {};
  if (contentType.includes('application/json')) {
    try {
      const v: unknown = JSON.parse(raw);
      return isObject(v) ? v : { body: v };
    } catch {
      return { raw };
    }
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    if (JSON_FIELDS.has(k)) {
      try {
        out[k] = JSON.parse(v);
        continue;
      } catch {
        // fall through: keep the string so the test sees what was sent
      }
    }
    out[k] = v;
  }
  return out;
}

export async function startFakeSlackApi(): Promise<FakeSlackApi> {
  return new FakeSlackApi().start();
}
