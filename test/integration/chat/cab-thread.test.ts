import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import type { Incoming, IncomingAction, IncomingMessage } from '../../../src/chat/message.js';
import type { VotePolicy } from '../../../src/itsm/approvals.js';
import type { Person } from '../../../src/itsm/types.js';
import { buildTestApp } from '../../support/app.js';
import { testDatabases } from '../../support/databases.js';
import { type Recorded, recordingAdapter } from '../../support/recording-port.js';

/**
 * CAB votes in a chat thread at the engine level: the board's channel is a Slack channel reached
 * through an in-process recording port (the Slack e2e suite covers the wire format).
 */
const CAB_CHANNEL = 'C0CAB';
const EMERGENCY_CHANNEL = '19:emergency-cab@thread.tacv2';
const USERS: Record<string, string> = {
  U_MARIA: 'maria@example.com',
  U_PEGGY: 'peggy@example.com',
  U_OSCAR: 'oscar@example.com',
  U_JUDY: 'judy@example.com',
  U_BOB: 'bob@example.com',
};
const TEAMS_USERS: Record<string, string> = {
  '29:peggy': 'peggy@example.com',
  '29:oscar': 'oscar@example.com',
};

for (const kind of testDatabases()) {
  describe(`CAB vote in a chat thread on ${kind.name}`, () => {
    let app: App;
    let slack: Recorded[];
    let teams: Recorded[];
    let cleanup: () => Promise<void>;
    let dir: string;
    let n = 0;
    let window = 0;
    const who = async (email: string) => (await app.directory.personByEmail(email)) as Person;

    beforeAll(async () => {
      const db = await kind.create();
      cleanup = db.cleanup;
      dir = mkdtempSync(join(tmpdir(), 'chatdesk-cab-'));
      cpSync(join(import.meta.dirname, '../../../data'), dir, { recursive: true });
      const itil = JSON.parse(readFileSync(join(dir, 'itil.json'), 'utf8'));
      itil.changes.cab.channel = { slack: { channelId: CAB_CHANNEL } };
      // The emergency board meets in Teams: the same thread mechanics on the other adapter.
      itil.changes.emergencyCab = {
        members: ['peggy@example.com', 'oscar@example.com'],
        policy: 'any',
        channel: {
          teams: {
            teamId: '19:itops@thread.tacv2',
            channelId: EMERGENCY_CHANNEL,
            serviceUrl: 'https://teams.test/',
          },
        },
      };
      writeFileSync(join(dir, 'itil.json'), JSON.stringify(itil));
      const s = recordingAdapter('slack', USERS);
      const t = recordingAdapter('teams', TEAMS_USERS);
      slack = s.sent;
      teams = t.sent;
      app = await buildTestApp(db.url, { DATA_DIR: dir }, { serve: false, adapters: [s.adapter, t.adapter] });
      // People who have talked to the bot can be reached by DM (the pointer to the thread, refusals).
      for (const user of ['U_MARIA', 'U_PEGGY', 'U_OSCAR', 'U_JUDY']) await dm(user, 'hi');
    }, 120_000);

    afterAll(async () => {
      await app?.close();
      await cleanup?.();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    type Event =
      | Omit<IncomingMessage, 'platform' | 'receivedAt'>
      | Omit<IncomingAction, 'platform' | 'receivedAt'>;
    async function send(incoming: Event): Promise<string> {
      const r = await app.engine.receive({
        ...incoming,
        platform: incoming.conversation.platform,
        receivedAt: app.now().toISOString(),
      } as Incoming);
      await r.processed;
      await app.drain();
      return r.status;
    }
    const dm = (user: string, text: string) =>
      send({
        kind: 'message',
        id: `ev-${++n}`,
        conversation: {
          platform: 'slack',
          channelId: `D-${user}`,
          threadId: null,
          isDirect: true,
          workspaceId: 'T1',
        },
        user: { platform: 'slack', platformUserId: user },
        text,
        attachments: [],
        messageId: `m${n}`,
        via: 'dm',
      });
    const inThread = (thread: string) => ({
      platform: 'slack' as const,
      channelId: CAB_CHANNEL,
      threadId: thread,
      isDirect: false,
      workspaceId: 'T1',
      isPublic: true,
    });
    const say = (user: string, thread: string, text: string, id = `ev-${++n}`) =>
      send({
        kind: 'message',
        id,
        conversation: inThread(thread),
        user: { platform: 'slack', platformUserId: user },
        text,
        attachments: [],
        messageId: `m${n}`,
        via: 'thread',
      });
    /** A click on the card: Slack names the thread only once the card has replies, so both shapes occur. */
    const click = (user: string, number: string, vote: 'approve' | 'reject', thread: string | null) =>
      send({
        kind: 'action',
        id: `act-${++n}`,
        conversation: { ...inThread(thread ?? ''), threadId: thread },
        user: { platform: 'slack', platformUserId: user },
        actionId: 'change.vote',
        value: { ticket: number, vote },
        sourceMessage: null,
      });
    const threadTexts = (thread: string) =>
      slack
        .filter((m) => m.message.conversation.channelId === CAB_CHANNEL && m.message.replyTo === thread)
        .map((m) => m.message.reply.text);
    const dmTexts = (user: string) =>
      slack.filter((m) => m.message.conversation.channelId === `D-${user}`).map((m) => m.message.reply.text);

    /** Requests and submits a normal change under `policy`; returns its number and the card's thread. */
    async function submitChange(policy: VotePolicy, title: string) {
      // The policy is stored on the change at submit, so one app can run all three.
      app.itil.config.changes.cab.policy = policy;
      const judy = await who('judy@example.com');
      const day = String(10 + window++).padStart(2, '0');
      const c = await app.itil.changes.create(
        judy,
        {
          title,
          type: 'normal',
          impact: 'medium',
          urgency: 'low',
          assets: ['SV-4001'],
          plannedStart: `2026-06-${day}T20:00:00Z`,
          plannedEnd: `2026-06-${day}T21:00:00Z`,
        },
        app.now().toISOString(),
      );
      await app.itil.changes.submit(c.ticket.number, judy, app.now().toISOString());
      await app.drain();
      const cards = slack.filter(
        (m) =>
          m.message.conversation.channelId === CAB_CHANNEL &&
          m.message.conversation.threadId === null &&
          m.message.reply.text.includes(c.ticket.number),
      );
      expect(cards).toHaveLength(1);
      return { number: c.ticket.number, thread: cards[0]?.messageId ?? '', card: cards[0] };
    }
    const phaseOf = async (number: string) =>
      (await app.itil.changes.view(number, await who('judy@example.com'))).change.phase;

    it('majority: one card, DM pointers, votes echoed with the tally, refusals in private, discussion kept, outcome once', async () => {
      const { number, thread, card } = await submitChange('majority', 'Firewall rule cleanup');
      expect(card?.message.reply.text).toMatch(/CAB vote needed: CHG\d{7} "Firewall rule cleanup"/);
      expect(card?.message.reply.text).toMatch(/risk (low|medium|high) \d+: .+Window 2026-06-\d\dT20:00:00Z/);
      expect(card?.message.reply.text).toMatch(
        /Policy: majority of 3 \(Maria Rossi, Peggy Olsen, Oscar Admin\)/,
      );
      expect(card?.message.reply.choices?.map((c) => [c.actionId, c.value])).toEqual([
        ['change.vote', { ticket: number, vote: 'approve' }],
        ['change.vote', { ticket: number, vote: 'reject' }],
      ]);
      const conv = await app.db
        .selectFrom('conversations')
        .selectAll()
        .where('thread_id', '=', thread)
        .executeTakeFirstOrThrow();
      expect(conv.role).toBe('cab');
      for (const user of ['U_MARIA', 'U_PEGGY', 'U_OSCAR']) {
        const pointer = slack.filter(
          (m) => m.message.conversation.channelId === `D-${user}` && m.message.reply.text.includes(number),
        );
        expect(pointer.map((m) => m.message.reply.text)).toEqual([
          expect.stringMatching(/is open in its thread in the CAB channel/),
        ]);
        expect(pointer[0]?.message.reply.choices).toBeUndefined();
      }

      const first = `ev-maria-${number}`;
      expect(await say('U_MARIA', thread, 'approve: looks fine', first)).toBe('accepted');
      expect(threadTexts(thread)).toEqual([
        'Maria Rossi votes approve: looks fine. 1 of 3 approve; policy majority.',
      ]);
      // Slack delivers the same event again: it counts once and is not echoed again.
      expect(await say('U_MARIA', thread, 'approve: looks fine', first)).toBe('duplicate');
      // Typed again as a new message: refused, to her only.
      await say('U_MARIA', thread, 'approve');
      expect(threadTexts(thread)).toHaveLength(1);
      expect(dmTexts('U_MARIA').at(-1)).toMatch(new RegExp(`${number} needs no vote from you any more`));

      // A non-member's vote is refused politely and privately; the tally is untouched.
      await say('U_BOB', thread, 'reject: clashes with the payroll run');
      expect(dmTexts('U_BOB').at(-1)).toMatch(/only members of the change advisory board vote on/);
      expect(threadTexts(thread)).toHaveLength(1);

      // Discussion is kept on the change; the bot does not answer it.
      await say('U_PEGGY', thread, 'Is the rollback plan tested on staging?');
      await say('U_OSCAR', thread, 'approve this only if the rollback is tested');
      expect(threadTexts(thread)).toHaveLength(1);
      const view = await app.tickets.view(number, await who('judy@example.com'), app.now().toISOString());
      expect(view.comments.map((c) => c.body)).toEqual([
        'Is the rollback plan tested on staging?',
        'approve this only if the rollback is tested',
      ]);

      // Peggy approves with the card's button: majority reached.
      await click('U_PEGGY', number, 'approve', thread);
      const said = threadTexts(thread);
      expect(said[1]).toBe('Peggy Olsen votes approve. 2 of 3 approve; policy majority.');
      expect(said.filter((t) => /^CAB approved/.test(t))).toEqual([
        expect.stringMatching(
          new RegExp(`CAB approved ${number} .*\\(2 of 3 approve; policy majority\\); it is scheduled for`),
        ),
      ]);
      expect(await phaseOf(number)).toBe('scheduled');
      expect(dmTexts('U_JUDY').join('\n')).toMatch(new RegExp(`CAB approved ${number}`));
      // A late vote after the decision is refused privately, the outcome is not posted again.
      await say('U_OSCAR', thread, 'reject: too late?');
      expect(dmTexts('U_OSCAR').at(-1)).toMatch(/needs no vote from you any more/);
      expect(threadTexts(thread).filter((t) => /^CAB approved/.test(t))).toHaveLength(1);
    });

    it('all: the first rejection rejects, with its comment in the thread', async () => {
      const { number, thread } = await submitChange('all', 'Rotate the VPN certificates');
      await say('U_MARIA', thread, 'approve');
      await say('U_PEGGY', thread, 'reject — clashes with the release on Friday');
      expect(threadTexts(thread)).toEqual([
        'Maria Rossi votes approve. 1 of 3 approve; policy all.',
        'Peggy Olsen votes reject: clashes with the release on Friday. 1 of 3 approve, 1 rejects; policy all.',
        expect.stringMatching(new RegExp(`^CAB rejected ${number} .*it will not be implemented`)),
      ]);
      expect(await phaseOf(number)).toBe('rejected');
    });

    it('any: one approval is enough, from a click on the card before it has a thread', async () => {
      const { number, thread } = await submitChange('any', 'Patch the print server');
      await click('U_OSCAR', number, 'approve', null);
      expect(threadTexts(thread)).toEqual([
        'Oscar Admin votes approve. 1 of 3 approve; policy any.',
        expect.stringMatching(new RegExp(`^CAB approved ${number}`)),
      ]);
      expect(await phaseOf(number)).toBe('scheduled');
      // Nothing was said in the channel itself besides the cards.
      expect(
        slack.filter((m) => m.message.conversation.channelId === CAB_CHANNEL && m.message.replyTo === null),
      ).toHaveLength(3);
    });

    it('Teams: the emergency board votes in its channel thread; any approval wins after a rejection', async () => {
      const judy = await who('judy@example.com');
      const c = await app.itil.changes.create(
        judy,
        {
          title: 'Hotfix the payroll export',
          type: 'emergency',
          impact: 'high',
          urgency: 'high',
          assets: [],
          plannedStart: '2026-06-20T18:00:00Z',
          plannedEnd: '2026-06-20T19:00:00Z',
        },
        app.now().toISOString(),
      );
      await app.itil.changes.submit(c.ticket.number, judy, app.now().toISOString());
      await app.drain();
      const card = teams.find(
        (m) =>
          m.message.conversation.channelId === EMERGENCY_CHANNEL &&
          m.message.conversation.threadId === null &&
          m.message.reply.text.includes(c.ticket.number),
      );
      expect(card?.message.conversation.serviceUrl).toBe('https://teams.test/');
      expect(card?.message.reply.text).toMatch(/Policy: any of 2 \(Peggy Olsen, Oscar Admin\)/);
      const root = card?.messageId ?? '';
      const teamsSay = (user: string, text: string) =>
        send({
          kind: 'message',
          id: `teams-${++n}`,
          conversation: {
            platform: 'teams',
            channelId: EMERGENCY_CHANNEL,
            threadId: root,
            isDirect: false,
            workspaceId: 'tenant-1',
            serviceUrl: 'https://teams.test/',
          },
          user: { platform: 'teams', platformUserId: user },
          text,
          attachments: [],
          messageId: `teams-m${n}`,
          via: 'thread',
        });
      await teamsSay('29:peggy', 'reject: not an emergency, wait for Tuesday');
      await teamsSay('29:oscar', 'approve: payroll is blocked, this cannot wait');
      const said = teams
        .filter((m) => m.message.conversation.channelId === EMERGENCY_CHANNEL && m.message.replyTo === root)
        .map((m) => m.message.reply.text);
      expect(said).toEqual([
        'Peggy Olsen votes reject: not an emergency, wait for Tuesday. 0 of 2 approve, 1 rejects; policy any.',
        'Oscar Admin votes approve: payroll is blocked, this cannot wait. 1 of 2 approve, 1 rejects; policy any.',
        expect.stringMatching(new RegExp(`^CAB approved ${c.ticket.number}`)),
      ]);
      expect(await phaseOf(c.ticket.number)).toBe('scheduled');
    });

    it('two deciding votes at once (two processes) move the change and post the outcome once', async () => {
      const { number, thread } = await submitChange('any', 'Replace the core switch fan');
      const [maria, peggy] = [await who('maria@example.com'), await who('peggy@example.com')];
      const at = app.now().toISOString();
      const results = await Promise.allSettled([
        app.itil.changes.vote(number, maria, 'approve', null, at),
        app.itil.changes.vote(number, peggy, 'approve', 'fine', at),
      ]);
      // Both see the approval, or the later one finds the vote already over: never a second outcome.
      for (const r of results) {
        if (r.status === 'fulfilled') expect(r.value.outcome).toBe('approved');
        else expect((r.reason as { code?: string }).code).toBe('conflict');
      }
      expect(results.some((r) => r.status === 'fulfilled')).toBe(true);
      await app.drain();
      expect(threadTexts(thread).filter((t) => /^CAB approved/.test(t))).toHaveLength(1);
      const ticket = await app.tickets.get(number, await who('judy@example.com'));
      const moves = (await app.tickets.eventsForSystem(ticket.id)).filter(
        (e) => e.type === 'field_changed' && e.to === 'scheduled',
      );
      expect(moves).toHaveLength(1);
      expect(dmTexts('U_JUDY').filter((t) => t.includes(`CAB approved ${number}`))).toHaveLength(1);
    });
  });
}
