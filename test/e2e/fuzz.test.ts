/**
 * Bad input, property-based (fast-check): malformed and hostile payloads against the REST API, the
 * web chat, template submissions, `/slack/events` and `/api/messages` of one running server. Every
 * case gets a 2xx/4xx (never 5xx, never a hang) or a polite chat reply; the server stays up; no row is
 * half-written. Prints how many cases ran.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stripQuoted } from '../../src/adapters/email/message.js';
import { markdownToPlain } from '../../src/adapters/local/text-render.js';
import { escapeMrkdwn, plainText } from '../../src/adapters/slack/render.js';
import { htmlToText, stripBotMention } from '../../src/adapters/teams/activity.js';
import { escapeTeamsMarkdown } from '../../src/adapters/teams/markdown.js';
import type { App } from '../../src/app.js';
import { ACTION_IDS } from '../../src/chat/message.js';
import { findTicketNumbers } from '../../src/itsm/numbering.js';
import { frustrationOf } from '../../src/nlu/frustration.js';
import { embeddingInput, normalizeText } from '../../src/nlu/text/normalize.js';
import { buildTestApp, TEST_API_TOKEN } from '../support/app.js';
import { sqliteDb } from '../support/databases.js';
import { type FakeBotConnector, startFakeBotConnector } from '../support/fake-bot-connector.js';
import { type FakeSlackApi, startFakeSlackApi } from '../support/fake-slack-api.js';
import { eventEnvelope, FORM, interactivityBody, postSigned, slackTs } from '../support/slack-signing.js';
import { messageActivity } from '../support/teams-activities.js';

const SECRET = 'fuzz-signing-secret-0123';
const SEED = Number(process.env.FUZZ_SEED ?? 20261124);
let cases = 0;

/** Strings that break naive code: injection, markup, control and bidi characters, lone surrogates, huge. */
const HOSTILE = [
  "'; DROP TABLE tickets; --",
  '" OR 1=1 --',
  "Robert'); DELETE FROM ticket_events WHERE ('1'='1",
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '*bold* _it_ <!channel> <@U123> <https://evil.example|click>',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, on purpose
  '{{7*7}} ${7*7} #{7*7}',
  '\u0000\u0001\u0007\u001b[31m',
  '\u202eexe.txt',
  '\ud800 lone \udfff surrogates',
  'zero\u200bwidth\ufeff',
  '🎫🔥👩‍💻'.repeat(50),
  'A'.repeat(300_000),
  '../../../../etc/passwd',
  '__proto__',
  'constructor',
  'INC0000001',
  '',
  ' \t\n ',
];
const hostileString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 2_000 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }).map((s) => s.repeat(5_000)) },
);
const anyJson = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc
    .anything({ maxDepth: 3, withNullPrototype: false })
    .map((v) => JSON.parse(JSON.stringify(v ?? null)) as unknown),
);
const fieldValue = fc.oneof(
  hostileString,
  anyJson,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
);
/** Lone surrogates cannot be URI-encoded; the server sees them as U+FFFD like any client would send. */
const wellFormed = (s: string) =>
  s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
const deepJson = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;
const deepObject = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

describe('bad input never gets in', () => {
  let app: App;
  let cleanup: () => Promise<void>;
  let base = '';
  let slack: FakeSlackApi;
  let connector: FakeBotConnector;

  beforeAll(async () => {
    slack = await startFakeSlackApi();
    slack.users.set('U0FUZZ', { id: 'U0FUZZ', email: 'alice@example.com', name: 'alice' });
    connector = await startFakeBotConnector();
    const db = await sqliteDb.create();
    cleanup = db.cleanup;
    app = await buildTestApp(db.url, {
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_BOT_TOKEN: 'xoxb-fuzz',
      SLACK_API_URL: slack.apiUrl,
      TEAMS_ENABLED: 'true',
      TEAMS_EMULATOR: 'true',
      LOG_LEVEL: 'silent',
    });
    base = (await app.listen()).url;
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await slack?.close();
    await connector?.close();
    await cleanup?.();
    process.stdout.write(`fuzz: ${cases} cases ran (seed ${SEED})\n`);
  });

  const send = async (path: string, body: string, headers: Record<string, string> = {}, method = 'POST') => {
    cases++;
    const r = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      ...(method === 'GET' ? {} : { body }),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await r.text();
    return { status: r.status, text };
  };
  const rest = (path: string, body: string, method = 'POST', extra: Record<string, string> = {}) =>
    send(`/api/v1${path}`, body, { authorization: `Bearer ${TEST_API_TOKEN}`, ...extra }, method);
  const expectClientOutcome = (r: { status: number; text: string }, ok: number[] = [200, 201]) => {
    if (!ok.includes(r.status)) {
      expect(r.status, r.text.slice(0, 300)).toBeGreaterThanOrEqual(400);
      expect(r.status, r.text.slice(0, 300)).toBeLessThan(500);
      // Errors are JSON with a code and a message naming the problem.
      if (r.text.startsWith('{'))
        expect((JSON.parse(r.text) as { error?: { code?: string } }).error?.code).toBeTypeOf('string');
    }
  };

  it('REST create: arbitrary bodies are 201 or a JSON 4xx', async () => {
    const body = fc.oneof(
      anyJson.map((v) => JSON.stringify(v)),
      fc
        .record(
          {
            title: fieldValue,
            description: fieldValue,
            requester: fc.oneof(fc.constant('alice@example.com'), hostileString),
            impact: fieldValue,
            urgency: fieldValue,
            kind: fieldValue,
            category: fieldValue,
            group: fieldValue,
            fields: fieldValue,
          },
          { requiredKeys: [] },
        )
        .map((v) => JSON.stringify(v)),
      fc
        .record({
          title: hostileString,
          requester: fc.constant('alice@example.com'),
          category: fc.oneof(hostileString, fc.constant(null)),
        })
        .map((v) => JSON.stringify(v)),
      hostileString,
    );
    await fc.assert(
      fc.asyncProperty(body, fc.boolean(), async (b, idem) =>
        expectClientOutcome(
          await rest('/tickets', b, 'POST', idem ? { 'idempotency-key': 'fuzz-same' } : {}),
        ),
      ),
      { numRuns: 150, seed: SEED },
    );
  });

  it('REST reads and transitions: hostile numbers, queries and bodies are answered with 2xx/4xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        hostileString,
        fc.dictionary(
          fc.constantFrom('requester', 'state', 'group', 'limit', 'x'),
          hostileString.map((s) => s.slice(0, 500)),
          { maxKeys: 3 },
        ),
        async (num, q) => {
          expectClientOutcome(
            await rest(`/tickets/${encodeURIComponent(wellFormed(num.slice(0, 2000)))}`, '', 'GET'),
            [200],
          );
          expectClientOutcome(await rest(`/tickets?${new URLSearchParams(q).toString()}`, '', 'GET'), [200]);
        },
      ),
      { numRuns: 80, seed: SEED },
    );
    const t = await rest(
      '/tickets',
      JSON.stringify({ title: 'fuzz target', requester: 'alice@example.com' }),
    );
    const number = (JSON.parse(t.text) as { ticket: { number: string } }).ticket.number;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          anyJson.map((v) => JSON.stringify(v)),
          fc
            .record({ to: fieldValue, reason: fieldValue, pendingReason: fieldValue }, { requiredKeys: [] })
            .map((v) => JSON.stringify(v)),
        ),
        async (b) => {
          expectClientOutcome(await rest(`/tickets/${number}/transitions`, b), [200]);
          expectClientOutcome(await rest(`/tickets/${number}/comments`, b), [201]);
        },
      ),
      { numRuns: 60, seed: SEED },
    );
  });

  it('REST and web chat: deep JSON, huge and broken bodies are 4xx', async () => {
    for (const b of [
      deepJson(100_000),
      deepObject(50_000),
      '{"title":',
      '\u0000',
      'null',
      '[]',
      '"x"',
      `{"title":"${'x'.repeat(2_000_000)}"}`,
    ]) {
      expectClientOutcome(await rest('/tickets', b));
      expectClientOutcome(await send('/chat/api/messages', b));
    }
    expectClientOutcome(await rest('/tickets', '{"title":"a"}', 'POST', { 'content-type': 'text/plain' }));
  });

  it('web chat: any text or action gets a polite reply or a 4xx', async () => {
    const action = fc.record({
      actionId: fc.oneof(
        fc.constantFrom(...ACTION_IDS),
        hostileString.map((s) => s.slice(0, 50)),
      ),
      value: fc.oneof(
        fc.dictionary(
          fc.constantFrom('ticket', 'templateId', 'values', 'rating', 'answer', 'intent', 'text', 'vote'),
          fieldValue,
          { maxKeys: 4 },
        ),
        fieldValue,
      ),
    });
    const payload = fc.oneof(
      {
        weight: 3,
        arbitrary: hostileString.map((text) => ({ user: 'alice@example.com', text: text.slice(0, 100_000) })),
      },
      { weight: 2, arbitrary: action.map((a) => ({ user: 'bob@example.com', action: a })) },
      {
        weight: 1,
        arbitrary: fc.record(
          { user: fieldValue, text: fieldValue, action: fieldValue },
          { requiredKeys: [] },
        ),
      },
    );
    await fc.assert(
      fc.asyncProperty(payload, async (p) => {
        const r = await send('/chat/api/messages', JSON.stringify(p));
        expectClientOutcome(r, [200]);
        if (r.status === 200) {
          const replies = (JSON.parse(r.text) as { replies: Array<{ text: string }> }).replies;
          for (const reply of replies) {
            expect(reply.text.trim().length).toBeGreaterThan(0);
            expect(reply.text).not.toMatch(/SqliteError|TypeError|stack|undefined is not|at Object\./);
          }
        }
      }),
      { numRuns: 60, seed: SEED },
    );
  });

  it('template submissions: checkForm never throws and form.submit with bad values is refused politely', async () => {
    const ids = [...app.engine.listTemplates().map((t) => t.id), 'nope', '__proto__'];
    await fc.assert(
      fc.property(
        fc.constantFrom(...ids),
        fc.oneof(
          fc.dictionary(fc.string({ maxLength: 30 }), fieldValue, { maxKeys: 8 }),
          fc.dictionary(
            fc.constantFrom(
              'justification',
              'model',
              'software',
              'start_date',
              'manager',
              'name',
              'urgency',
              'notes',
            ),
            fieldValue,
            { maxKeys: 6 },
          ),
        ),
        (id, values) => {
          cases++;
          const r = app.engine.checkForm(id, values);
          if (r.ok) expect(r.values).toBeTypeOf('object');
          else for (const m of Object.values(r.errors)) expect(m.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 300, seed: SEED },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ids),
        fc.dictionary(fc.string({ maxLength: 30 }), fieldValue, { maxKeys: 6 }),
        async (templateId, values) => {
          const r = await send(
            '/chat/api/messages',
            JSON.stringify({
              user: 'carol@example.com',
              action: { actionId: 'form.submit', value: { templateId, values } },
            }),
          );
          expectClientOutcome(r, [200]);
          if (r.status === 200)
            expect(
              (JSON.parse(r.text) as { replies: Array<{ text: string }> }).replies.length,
            ).toBeGreaterThan(0);
        },
      ),
      { numRuns: 40, seed: SEED },
    );
  });

  it('/slack/events: Slack-shaped events with hostile content are acked; unsigned is 401', async () => {
    // Only Slack can sign, so the realistic attack surface is hostile CONTENT in well-formed payloads.
    const event = fc.record({
      type: fc.constantFrom('message', 'app_mention'),
      channel: fc.constantFrom('D0FUZZ', 'C0FUZZ'),
      channel_type: fc.constantFrom('im', 'channel'),
      user: fc.constant('U0FUZZ'),
      text: hostileString.map((t) => t.slice(0, 50_000)),
      ts: fc.constant(slackTs()),
    });
    const slash = hostileString.map(
      (s) =>
        `command=%2Fit&text=${encodeURIComponent(wellFormed(s.slice(0, 5_000)))}&user_id=U0FUZZ&channel_id=D0FUZZ&team_id=T0001&trigger_id=1.2.3&response_url=${encodeURIComponent(slack.responseUrl('fuzz'))}`,
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          event.map((e) => ({ body: eventEnvelope(e), type: 'application/json' })),
          slash.map((b) => ({ body: b, type: FORM })),
        ),
        async ({ body: b, type }) => {
          cases++;
          expectClientOutcome(
            await postSigned(`${base}/slack/events`, SECRET, b, { contentType: type }),
            [200],
          );
        },
      ),
      { numRuns: 60, seed: SEED },
    );
    const unsigned = await send(
      '/slack/events',
      eventEnvelope({ type: 'message', channel: 'D0FUZZ', user: 'U0FUZZ', text: 'hi', ts: slackTs() }),
    );
    expect(unsigned.status).toBe(401);
  });

  it('/slack/events: structurally broken signed payloads are acked or refused with 4xx, never hang or take the server down (slow 404s counted)', async () => {
    const event = fc.record(
      {
        type: fc.oneof(
          fc.constantFrom('message', 'app_mention', 'reaction_added', 'member_joined_channel'),
          hostileString,
        ),
        channel: fieldValue,
        channel_type: fieldValue,
        user: fieldValue,
        text: fieldValue,
        ts: fieldValue,
        thread_ts: fieldValue,
        item: fieldValue,
      },
      { requiredKeys: ['type'] },
    );
    const body = fc.oneof(
      {
        weight: 3,
        arbitrary: event.map((e) => ({
          body: eventEnvelope(e as Record<string, unknown>),
          type: 'application/json',
        })),
      },
      { weight: 1, arbitrary: anyJson.map((v) => ({ body: JSON.stringify(v), type: 'application/json' })) },
      {
        weight: 2,
        arbitrary: fc
          .oneof(
            anyJson,
            fc.record({
              type: fc.constantFrom('block_actions', 'view_submission', 'shortcut', 'message_action'),
              actions: fieldValue,
              user: fieldValue,
              view: fieldValue,
            }),
          )
          .map((v) => ({ body: interactivityBody(v as Record<string, unknown>), type: FORM })),
      },
    );
    const slow: string[] = [];
    await fc.assert(
      fc.asyncProperty(body, async ({ body: b, type }) => {
        cases++;
        const r = await postSigned(`${base}/slack/events`, SECRET, b, { contentType: type });
        if (r.ms > 1000) slow.push(`${Math.round(r.ms)} ms ${r.status}: ${b.slice(0, 160)}`);
        // Payloads Bolt itself cannot read are the sender's fault: 400, not a 500 Slack would redeliver.
        expectClientOutcome(r, [200]);
      }),
      { numRuns: 15, seed: SEED },
    );
    if (slow.length > 0) process.stdout.write(`fuzz: slow Slack answers:\n${slow.join('\n')}\n`);
    for (const b of [deepJson(50_000), 'x'.repeat(3_000_000)]) {
      cases++;
      expectClientOutcome(await postSigned(`${base}/slack/events`, SECRET, b), [200]);
    }
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  }, 120_000);

  // Found by this suite: Bolt throws before our listeners when `event.user` is not a string (or a
  // reaction's `item` is null). Such a signed payload is the sender's fault: 400 with the reason, so
  // Slack does not redeliver it (a 500 would), and nothing is written.
  it('a signed event Bolt cannot parse (user null, item null) is refused with 400 and a reason', async () => {
    const inboxBefore = await app.db.selectFrom('inbox').select('id').execute();
    const userNull = await postSigned(
      `${base}/slack/events`,
      SECRET,
      eventEnvelope({ type: 'message', channel: 'D0FUZZ', user: null, text: 'x', ts: slackTs() }),
    );
    const itemNull = await postSigned(
      `${base}/slack/events`,
      SECRET,
      eventEnvelope({ type: 'reaction_added', user: 'U0FUZZ', reaction: 'ticket', item: null }),
    );
    cases += 2;
    expect(userNull.status).toBe(400);
    expect(JSON.parse(userNull.text)).toEqual({
      error: { code: 'invalid_payload', message: expect.stringMatching(/^event\.user: .*null/) },
    });
    expect(itemNull.status).toBe(400);
    expect(JSON.parse(itemNull.text).error.message).toMatch(/^event\.item: /);
    expect(await app.db.selectFrom('inbox').select('id').execute()).toHaveLength(inboxBefore.length);
    // The signature is still checked first: the same payload unsigned or wrongly signed is 401.
    const forged = await postSigned(
      `${base}/slack/events`,
      'not-the-signing-secret',
      eventEnvelope({ type: 'message', channel: 'D0FUZZ', user: null, text: 'x', ts: slackTs() }),
    );
    cases++;
    expect(forged.status).toBe(401);
  });

  it('/api/messages: malformed activities are acked or refused with 4xx', async () => {
    const activity = fc.oneof(
      {
        weight: 2,
        arbitrary: fc
          .tuple(
            hostileString,
            fc.dictionary(
              fc.constantFrom(
                'type',
                'from',
                'conversation',
                'value',
                'channelData',
                'serviceUrl',
                'id',
                'replyToId',
              ),
              fieldValue,
              { maxKeys: 3 },
            ),
          )
          .map(([text, over]) => ({
            ...messageActivity(text.slice(0, 50_000), { serviceUrl: connector.serviceUrl }),
            ...over,
          })),
      },
      { weight: 1, arbitrary: anyJson },
    );
    const statuses: number[] = [];
    await fc.assert(
      fc.asyncProperty(activity, async (a) => {
        const r = await send('/api/messages', JSON.stringify(a));
        statuses.push(r.status);
        expectClientOutcome(r, [200, 201, 202]);
      }),
      { numRuns: 100, seed: SEED },
    );
    // The route is really there: well-formed activities with hostile text were accepted.
    expect(statuses.filter((s) => s < 300).length).toBeGreaterThan(0);
    expect(statuses).not.toContain(404);
    expectClientOutcome(await send('/api/messages', deepJson(50_000)), [200, 201, 202]);
  });

  it('stays up and leaves no half-written rows', async () => {
    await app.drain();
    const h = await fetch(`${base}/healthz`);
    expect(h.status).toBe(200);
    const tickets = await app.db.selectFrom('tickets').select(['id', 'version']).execute();
    expect(tickets.length).toBeGreaterThan(0);
    for (const t of tickets) {
      const events = await app.db
        .selectFrom('ticket_events')
        .select(['type', 'seq'])
        .where('ticket_id', '=', t.id)
        .orderBy('seq')
        .execute();
      expect(events[0]?.type).toBe('created');
      expect(events.length).toBe(t.version);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    }
    const stuck = await app.db.selectFrom('inbox').select('id').where('status', '=', 'pending').execute();
    expect(stuck).toHaveLength(0);
    // Idempotent REST creation held under fuzz: one ticket per key.
    const same = await app.db
      .selectFrom('tickets')
      .select('id')
      .where('source_key', '=', 'api:fuzz-same')
      .execute();
    expect(same.length).toBeLessThanOrEqual(1);
  });
});

/**
 * Issue 14 item 2: one message must not stall the desk. 100,000 characters shaped to make naive
 * patterns backtrack (n² or worse) go through every function that scans text from outside; each
 * returns within 50 ms (best of three runs, so a busy CI core's pause does not count as the code's).
 * Before the fix `<` × 100,000 took 17.8 s in htmlToText and `<http:` × 16,667 1.6 s in plainText.
 */
describe('pathological text never stalls the event loop', () => {
  const N = 100_000;
  const fill = (unit: string) => unit.repeat(Math.ceil(N / unit.length)).slice(0, N);
  const SHAPES: Record<string, string> = {
    'open angle': fill('<'),
    'open link': fill('<http:'),
    'open mailto label': fill('<mailto:a|'),
    'open mention': fill('<@U1|'),
    'open channel': fill('<#C1|'),
    'open bracket': fill('['),
    'link halves': fill(']('),
    stars: fill('*'),
    underscores: fill('_'),
    backticks: fill('`'),
    'markdown mix': fill('**_~`[<>]('),
    newlines: fill('\n'),
    'spaces and tabs': fill(' \t'),
    quotes: fill('> '),
    'wrote lines': fill('On x wrote:\n'),
    'ticket-ish': fill('INC0'),
    'br tags': fill('<br '),
    'html entities': fill('&amp;&lt;'),
    letters: fill('a'),
  };
  const teams = (text: string) =>
    stripBotMention({
      ...messageActivity(text, { serviceUrl: 'http://127.0.0.1:1/', conversation: 'channel' }),
    } as unknown as Parameters<typeof stripBotMention>[0]);
  const PATHS: Record<string, (s: string) => unknown> = {
    'Teams htmlToText': htmlToText,
    'Teams mention stripping': teams,
    'Teams markdown escaping': escapeTeamsMarkdown,
    'Slack plainText': (s) => plainText(s, 'U0BOT'),
    'Slack mrkdwn escaping': escapeMrkdwn,
    'web chat markdownToPlain': markdownToPlain,
    'e-mail stripQuoted': stripQuoted,
    'ticket number search': findTicketNumbers,
    'NLU normalizeText': normalizeText,
    'NLU embeddingInput': embeddingInput,
    'frustration detection': frustrationOf,
  };
  for (const [path, fn] of Object.entries(PATHS)) {
    it(`${path}: 100k pathological characters of every shape within 50 ms`, () => {
      const slow: string[] = [];
      for (const [shape, text] of Object.entries(SHAPES)) {
        fn(text.slice(0, 200)); // compiled and warm, as in a running server
        let best = Number.POSITIVE_INFINITY;
        for (let i = 0; i < 3 && best >= 50; i++) {
          const t0 = performance.now();
          fn(text);
          best = Math.min(best, performance.now() - t0);
        }
        cases++;
        if (best >= 50) slow.push(`${shape}: ${Math.round(best)} ms`);
      }
      expect(slow).toEqual([]);
    });
  }
});
