/**
 * The e-mail channel over real SMTP both ways on loopback: nodemailer sends to the desk's SMTP intake
 * (smtp-server); the desk answers through nodemailer to a company mail server (smtp-server + mailparser).
 * A new mail opens a ticket and is acknowledged; replies thread by In-Reply-To, by the `+INC…` address
 * and by the subject; auto-replies, loops, duplicates and unknown senders change nothing; agents' comments
 * and the resolution reach the requester by e-mail, and so do notices for people without chat.
 */
import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { buildTestApp, TEST_API_TOKEN, waitFor } from '../../support/app.js';
import { testDatabases } from '../../support/databases.js';
import { type FakeMta, startFakeMta } from '../../support/fake-mta.js';

const DESK = 'help@example.com';

for (const database of testDatabases()) {
  describe(`e-mail channel (${database.name})`, () => {
    let app: App;
    let mta: FakeMta;
    let api: string;
    let client: Transporter;
    let cleanup: () => Promise<void>;

    const send = (mail: SendMailOptions) => client.sendMail({ to: DESK, ...mail });
    const mailsTo = (to: string) => mta.received.filter((m) => JSON.stringify(m.to).includes(to));
    const ticketsOf = (email: string) =>
      app.db
        .selectFrom('tickets as t')
        .innerJoin('people as p', 'p.id', 't.requester_id')
        .select(['t.id', 't.number', 't.title', 't.channel', 't.state'])
        .where('p.email', '=', email)
        .orderBy('t.id')
        .execute();
    const commentsOf = (ticketId: number) =>
      app.db
        .selectFrom('comments')
        .select(['body', 'platform'])
        .where('ticket_id', '=', ticketId)
        .orderBy('id')
        .execute();

    beforeAll(async () => {
      const db = await database.create();
      cleanup = db.cleanup;
      mta = await startFakeMta();
      app = await buildTestApp(db.url, {
        EMAIL_ADDRESS: DESK,
        SMTP_URL: mta.url,
        SMTP_LISTEN_PORT: '0',
      });
      const { url } = await app.listen();
      api = `${url}/api/v1`;
      client = nodemailer.createTransport({
        host: '127.0.0.1',
        port: app.email?.smtpPort() ?? 0,
        secure: false,
        ignoreTLS: true,
      });
    }, 180_000);
    afterAll(async () => {
      client?.close();
      await app?.close();
      await mta?.close();
      await cleanup?.();
    });

    it('a mail opens a ticket and is acknowledged; replies thread by In-Reply-To, +address and subject', async () => {
      const sent = await send({
        from: 'Alice Martin <alice@example.com>',
        subject: 'Printer on floor 2 is jammed',
        text: 'It shows error 13 and eats paper.',
      });
      expect(sent.response).toMatch(/^250 .*queued as INC\d{7}/);
      const [t] = await ticketsOf('alice@example.com');
      if (!t) throw new Error('no ticket');
      expect(t).toMatchObject({ title: 'Printer on floor 2 is jammed', channel: 'email' });

      await app.deliveries.flush();
      const ack = await waitFor(
        () => mailsTo('alice@example.com').find((m) => m.subject?.includes(t.number)),
        'the acknowledgement',
      );
      expect(ack.subject).toBe(`[${t.number}] Printer on floor 2 is jammed`);
      expect(ack.inReplyTo).toBe(sent.messageId);
      expect(ack.replyTo?.text).toBe(`help+${t.number}@example.com`);
      expect(ack.headers.get('auto-submitted')).toBe('auto-replied');
      expect(ack.text).toContain(t.number);

      await send({
        from: 'alice@example.com',
        subject: `Re: ${ack.subject}`,
        text: `It also jams in tray 2.\n\nOn Mon, 2 Mar 2026 at 09:00, IT Service Desk <help@example.com> wrote:\n> we have opened ${t.number}`,
        inReplyTo: ack.messageId,
        references: [ack.messageId ?? ''],
      });
      await send({
        from: 'alice@example.com',
        to: `help+${t.number}@example.com`,
        subject: 'one more thing',
        text: 'Model HP 4050.',
      });
      await send({ from: 'alice@example.com', subject: `status of ${t.number}?`, text: 'Any news?' });
      expect((await commentsOf(t.id)).map((c) => [c.body, c.platform])).toEqual([
        ['It also jams in tray 2.', 'email'],
        ['Model HP 4050.', 'email'],
        ['Any news?', 'email'],
      ]);
      expect(await ticketsOf('alice@example.com')).toHaveLength(1);
    });

    it('ignores auto-replies, loops, duplicates and unknown senders; refuses other recipients', async () => {
      const before = (await app.db.selectFrom('tickets').select('id').execute()).length;
      const ooo = await send({
        from: 'bob@example.com',
        subject: 'Out of office',
        text: 'I am away',
        headers: { 'Auto-Submitted': 'auto-replied' },
      });
      expect(ooo.response).toMatch(/^250/);
      await send({
        from: 'bob@example.com',
        subject: 'Newsletter',
        text: 'News',
        headers: { Precedence: 'bulk' },
      });
      await send({ from: 'help@example.com', subject: 'echo', text: 'our own mail came back' });
      await send({ from: 'stranger@elsewhere.example', subject: 'Please help', text: 'Who am I?' });
      const dup = {
        from: 'bob@example.com',
        subject: 'Monitor flickers',
        text: 'The monitor flickers.',
        messageId: '<dup-1@bob.example.com>',
      };
      await send(dup);
      await send(dup);
      const after = await app.db.selectFrom('tickets').select('title').execute();
      expect(after.length).toBe(before + 1);
      expect(after.map((r) => r.title)).toContain('Monitor flickers');
      expect(await ticketsOf('stranger@elsewhere.example')).toEqual([]);
      await expect(
        client.sendMail({ from: 'bob@example.com', to: 'someone-else@example.com', subject: 'x', text: 'y' }),
      ).rejects.toThrow(/550/);
    });

    it('an agent comment and the resolution reach an e-mail requester by e-mail; a person without chat gets notices by e-mail', async () => {
      const [t] = await ticketsOf('alice@example.com');
      if (!t) throw new Error('no ticket');
      const headers = {
        authorization: `Bearer ${TEST_API_TOKEN}`,
        'content-type': 'application/json',
        // Heidi works the Workplace group, where the printer ticket went (the group rule of issue 14).
        'x-on-behalf-of': 'heidi@example.com',
      };
      const c = await fetch(`${api}/tickets/${t.number}/comments`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ body: 'A technician is on the way.' }),
      });
      expect(c.status).toBe(201);
      const note = await fetch(`${api}/tickets/${t.number}/comments`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ body: 'internal: toner is low', internal: true }),
      });
      expect(note.status).toBe(201);
      const r = await fetch(`${api}/tickets/${t.number}/transitions`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ to: 'resolved', reason: 'fuser replaced' }),
      });
      expect(r.status).toBe(200);
      await app.deliveries.flush();
      const notices = await waitFor(() => {
        const m = mailsTo('alice@example.com').filter(
          (x) => x.subject === `[${t.number}] ${t.title}` && !x.text?.includes('we have opened'),
        );
        return m.length >= 2 ? m : undefined;
      }, 'the comment and resolution notices');
      expect(notices.map((m) => m.text?.split('\n')[0])).toEqual([
        `Heidi Larsen wrote on ${t.number}:`,
        `${t.number} "${t.title}" is resolved: fuser replaced.`,
      ]);
      expect(notices.some((m) => m.text?.includes('toner'))).toBe(false);
      expect(notices[0]?.replyTo?.text).toBe(`help+${t.number}@example.com`);

      // Maria approves requests but has never used chat: the approval request reaches her by e-mail.
      const req = await fetch(`${api}/tickets`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_API_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          kind: 'service_request',
          title: 'Access to the finance share',
          requester: 'bob@example.com',
        }),
      });
      const number = ((await req.json()) as { ticket: { number: string } }).ticket.number;
      const asked = await app.itil.approvals.request(
        number,
        { type: 'users', users: ['maria@example.com'] },
        new Date().toISOString(),
      );
      expect(asked.approvers).toHaveLength(1);
      await app.deliveries.flush();
      const approval = await waitFor(
        () => mailsTo('maria@example.com').find((m) => m.subject?.includes(number)),
        'the approval e-mail',
      );
      expect(approval.text).toContain(number);
      expect(approval.replyTo?.text).toBe(`help+${number}@example.com`);
    });
  });
}
