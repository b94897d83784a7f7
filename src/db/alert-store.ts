/** Kysely implementation of the alert intake's store, and the service account alerts are filed by. */
import type { Kysely } from 'kysely';
import type { AlertStore } from '../itsm/ports.js';
import { parseJsonColumn } from './json.js';
import type { DB } from './schema.js';

export const ALERTMANAGER_ACCOUNT = 'alertmanager@chatdesk.local';

export function createAlertStore(db: Kysely<DB>): AlertStore {
  return {
    async group(keyHash) {
      const r = await db
        .selectFrom('alert_groups')
        .selectAll()
        .where('key_hash', '=', keyHash)
        .executeTakeFirst();
      if (!r) return null;
      return {
        keyHash: r.key_hash,
        ticketId: r.ticket_id,
        generation: r.generation,
        status: r.status === 'resolved' ? 'resolved' : 'firing',
        firing: parseJsonColumn<string[]>(r.firing, `alert_groups.firing ${r.key_hash}`),
      };
    },
    async saveGroup(s, now) {
      const row = {
        group_key: s.groupKey,
        ticket_id: s.ticketId,
        generation: s.generation,
        status: s.status,
        firing: JSON.stringify(s.firing),
        updated_at: now,
      };
      await db
        .insertInto('alert_groups')
        .values({ key_hash: s.keyHash, ...row })
        .onConflict((oc) => oc.column('key_hash').doUpdateSet(row))
        .execute();
    },
  };
}

/** The account alert incidents are opened by: an agent (it links services) in no support group. */
export async function ensureAlertAccount(db: Kysely<DB>, now: string): Promise<void> {
  await db
    .insertInto('people')
    .values({
      email: ALERTMANAGER_ACCOUNT,
      display_name: 'Prometheus Alertmanager',
      role: 'agent',
      manager_id: null,
      time_zone: 'UTC',
      capacity: 0,
      created_at: now,
    })
    .onConflict((oc) => oc.column('email').doNothing())
    .execute();
}
