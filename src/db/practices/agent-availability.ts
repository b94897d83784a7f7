/** What dispatch needs of people: who is away, who is in a group. */
import type { Kysely } from 'kysely';
import type { ItilStore } from '../../itsm/ports.js';
import type { DB } from '../schema.js';

export function agentAvailability(db: Kysely<DB>): Pick<ItilStore, 'setAway' | 'groupMemberIds'> {
  return {
    async setAway(personId, away) {
      await db
        .updateTable('people')
        .set({ away: away ? 1 : 0 })
        .where('id', '=', personId)
        .execute();
    },
    async groupMemberIds(groupId) {
      const rows = await db
        .selectFrom('group_members')
        .select('person_id')
        .where('group_id', '=', groupId)
        .orderBy('person_id')
        .execute();
      return rows.map((r) => r.person_id);
    },
  };
}
