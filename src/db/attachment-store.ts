/** Attachments kept on tickets (migration 014) and the inbox rows the collector reads them from. */
import { type Kysely, type Selectable, sql } from 'kysely';
import type { DB } from './schema.js';

export interface AttachmentRecord {
  id: number;
  ticketId: number;
  name: string;
  mimeType: string | null;
  size: number | null;
  storage: 'file' | 'link';
  path: string | null;
  sha256: string | null;
  url: string;
  platform: string;
  uploadedBy: number | null;
  note: string | null;
  createdAt: string;
}

type NewAttachment = Omit<AttachmentRecord, 'id'> & { sourceKey: string };
export type AttachmentStore = ReturnType<typeof createAttachmentStore>;

const CURSOR = 'attachments.inbox_cursor';

export function createAttachmentStore(db: Kysely<DB>) {
  const toRecord = (r: Selectable<DB['ticket_attachments']>): AttachmentRecord => ({
    id: r.id,
    ticketId: r.ticket_id,
    name: r.name,
    mimeType: r.mime_type,
    size: r.size,
    storage: r.storage,
    path: r.path,
    sha256: r.sha256,
    url: r.url,
    platform: r.platform,
    uploadedBy: r.uploaded_by,
    note: r.note,
    createdAt: r.created_at,
  });
  return {
    /** Inbox items after the cursor, in order, with their status (the collector waits for pending ones). */
    async inboxAfter(after: number, limit: number) {
      return db
        .selectFrom('inbox')
        .select(['id', 'status', 'payload'])
        .where('id', '>', after)
        .orderBy('id')
        .limit(limit)
        .execute();
    },
    async cursor(): Promise<number> {
      const r = await db.selectFrom('counters').select('value').where('name', '=', CURSOR).executeTakeFirst();
      return r?.value ?? 0;
    },
    async setCursor(value: number): Promise<void> {
      await db
        .insertInto('counters')
        .values({ name: CURSOR, value })
        .onConflict((oc) =>
          oc.column('name').doUpdateSet({
            value: sql<number>`case when counters.value > ${value} then counters.value else ${value} end`,
          }),
        )
        .execute();
    },
    async exists(sourceKey: string): Promise<boolean> {
      const r = await db
        .selectFrom('ticket_attachments')
        .select('id')
        .where('source_key', '=', sourceKey)
        .executeTakeFirst();
      return r !== undefined;
    },
    /** False when the same file was recorded already (another process, a reprocessed message). */
    async record(a: NewAttachment): Promise<boolean> {
      const r = await db
        .insertInto('ticket_attachments')
        .values({
          ticket_id: a.ticketId,
          source_key: a.sourceKey,
          name: a.name,
          mime_type: a.mimeType,
          size: a.size,
          storage: a.storage,
          path: a.path,
          sha256: a.sha256,
          url: a.url,
          platform: a.platform,
          uploaded_by: a.uploadedBy,
          note: a.note,
          created_at: a.createdAt,
        })
        .onConflict((oc) => oc.column('source_key').doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
    },
    async ofTicket(ticketId: number): Promise<AttachmentRecord[]> {
      const rows = await db
        .selectFrom('ticket_attachments')
        .selectAll()
        .where('ticket_id', '=', ticketId)
        .orderBy('id')
        .execute();
      return rows.map(toRecord);
    },
    async byId(id: number): Promise<AttachmentRecord | null> {
      const r = await db.selectFrom('ticket_attachments').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? toRecord(r) : null;
    },
  };
}
