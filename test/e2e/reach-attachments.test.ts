/**
 * Files sent in Slack are kept on the ticket: a signed `file_share` DM, the file downloaded from the
 * fake Slack API with the bot token, stored by content hash under ATTACHMENTS_DIR, listed and served
 * over REST to those who may see the ticket; a type not allowed is kept as the Slack link.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { type FakeSlackApi, startFakeSlackApi } from '../support/fake-slack-api.js';
import { eventEnvelope, postSigned, slackTs } from '../support/slack-signing.js';

const SECRET = 'reach-attachments-secret';
const API_TOKEN = 'reach-attachments-api-token';
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
let slack: FakeSlackApi;
let app: App;
let url: string;
let dir: string;

beforeAll(async () => {
  slack = await startFakeSlackApi();
  slack.users.set('U0ALICE', { id: 'U0ALICE', email: 'alice@example.com', name: 'Alice' });
  slack.files.set('/files-pri/T0001-F01/cracked.png', { body: PNG, contentType: 'image/png' });
  slack.files.set('/files-pri/T0001-F02/fix.exe', {
    body: Buffer.from('MZ'),
    contentType: 'application/x-msdownload',
  });
  dir = mkdtempSync(join(tmpdir(), 'chatdesk-reach-att-'));
  app = await createApp(
    loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: `sqlite:${join(dir, 'desk.sqlite')}`,
      PORT: '0',
      LOG_LEVEL: 'silent',
      NLU_THREAD: 'inline',
      TEAMS_ENABLED: 'false',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_BOT_TOKEN: 'xoxb-reach-files',
      SLACK_API_URL: slack.apiUrl,
      API_TOKEN,
      ATTACHMENTS_DIR: join(dir, 'files'),
    }),
    { log: silentLogger },
  );
  ({ url } = await app.listen());
}, 180_000);

afterAll(async () => {
  await app?.close();
  await slack?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('attachments', () => {
  it('keeps a screenshot sent in Slack on the ticket, lists and serves it over REST; other types stay links', async () => {
    // Alice already has a ticket in her DM; the photo she sends there belongs to it.
    const alice = await app.directory.personByEmail('alice@example.com');
    if (!alice) throw new Error('seed data missing');
    const t = await app.tickets.open(
      {
        kind: 'incident',
        title: 'Screen cracked',
        description: 'dropped it',
        impact: 'medium',
        urgency: 'medium',
        category: null,
        requester: alice,
        channel: 'slack',
        groupSlug: null,
        sourceKey: null,
      },
      new Date().toISOString(),
    );
    const ref = {
      platform: 'slack' as const,
      channelId: 'D0ALICE',
      threadId: null,
      isDirect: true,
      workspaceId: 'T0001',
    };
    const conv = await app.chatStore.ensureConversation(ref, alice.id, new Date().toISOString());
    await app.chatStore.saveConversation(conv.id, { ticketId: t.id }, new Date().toISOString());

    const event = {
      type: 'message',
      subtype: 'file_share',
      channel: 'D0ALICE',
      channel_type: 'im',
      user: 'U0ALICE',
      text: 'here is a photo of the screen',
      ts: slackTs(),
      team: 'T0001',
      files: [
        {
          id: 'F01',
          name: 'cracked.png',
          mimetype: 'image/png',
          url_private: `${slack.url}/files-pri/T0001-F01/cracked.png`,
        },
        {
          id: 'F02',
          name: 'fix.exe',
          mimetype: 'application/x-msdownload',
          url_private: `${slack.url}/files-pri/T0001-F02/fix.exe`,
        },
      ],
    };
    const r = await postSigned(
      `${url}/slack/events`,
      SECRET,
      eventEnvelope(event, { eventId: 'EvReachFile1' }),
    );
    expect(r.status).toBe(200);
    await app.drain();
    // The collector's timer may be running too: files are fetched and recorded once all the same.
    await app.attachments.runOnce();
    await app.attachments.runOnce();

    const ticketId = (await app.chatStore.conversation(ref))?.ticketId ?? t.id;
    const number = (await app.tickets.byIdForSystem(ticketId))?.number ?? t.number;
    const downloads = slack.calls.filter((c) => c.method.startsWith('/files-pri/'));
    expect(downloads.map((c) => [c.method, c.token])).toEqual([
      ['/files-pri/T0001-F01/cracked.png', 'xoxb-reach-files'],
    ]);

    const auth = { authorization: `Bearer ${API_TOKEN}` };
    const list = await fetch(`${url}/api/v1/tickets/${number}/attachments`, { headers: auth });
    expect(list.status).toBe(200);
    const body = (await list.json()) as { attachments: Array<Record<string, unknown>> };
    expect(body.attachments).toMatchObject([
      { name: 'cracked.png', mimeType: 'image/png', size: PNG.length, storage: 'file', platform: 'slack' },
      {
        name: 'fix.exe',
        storage: 'link',
        url: `${slack.url}/files-pri/T0001-F02/fix.exe`,
        note: 'type application/x-msdownload is not allowed',
      },
    ]);
    const stored = body.attachments[0] as { download: string; sha256: string };
    expect(readFileSync(join(dir, 'files', stored.sha256.slice(0, 2), stored.sha256))).toEqual(PNG);
    const content = await fetch(`${url}${stored.download}`, { headers: auth });
    expect(content.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await content.arrayBuffer())).toEqual(PNG);

    // Bob may not see Alice's ticket, so not its files either.
    const bob = await fetch(`${url}/api/v1/tickets/${number}/attachments`, {
      headers: { ...auth, 'x-on-behalf-of': 'bob@example.com' },
    });
    expect(bob.status).toBe(404);
    const bad = await fetch(`${url}/api/v1/tickets/${number}/attachments/abc/content`, { headers: auth });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { field: string } }).error.field).toBe('id');
  });
});
