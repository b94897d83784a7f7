/**
 * Web chat sign-in: one-time login links issued by an administrator (`chatdesk weblogin <email>`),
 * exchanged for a browser session. Secrets are random 32-byte values; only their SHA-256 is stored.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from './schema.js';

export const LINK_HOURS_DEFAULT = 24;
const SESSION_HOURS = 12;

const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('hex');

function addHours(now: string, hours: number): string {
  return new Date(Date.parse(now) + hours * 3600_000).toISOString();
}

export function createWebLoginStore(db: Kysely<DB>) {
  async function issue(kind: 'link' | 'session', personId: number, now: string, hours: number) {
    const secret = randomBytes(32).toString('base64url');
    const expiresAt = addHours(now, hours);
    await db
      .insertInto('web_logins')
      .values({
        token_hash: hashSecret(secret),
        kind,
        person_id: personId,
        created_at: now,
        expires_at: expiresAt,
        used_at: null,
      })
      .execute();
    return { secret, expiresAt };
  }

  return {
    /** A login link's secret, valid once for `hours`. */
    issueLink(personId: number, now: string, hours = LINK_HOURS_DEFAULT) {
      return issue('link', personId, now, hours);
    },

    /**
     * Exchanges a link for a session; null when the link is unknown, used or expired. The update is
     * conditional, so two browsers racing with one link get one session.
     */
    async exchange(linkSecret: string, now: string): Promise<{ secret: string; personId: number } | null> {
      const row = await db
        .selectFrom('web_logins')
        .select(['token_hash', 'person_id', 'expires_at', 'used_at'])
        .where('token_hash', '=', hashSecret(linkSecret))
        .where('kind', '=', 'link')
        .executeTakeFirst();
      if (!row || row.used_at !== null || row.expires_at <= now) return null;
      const taken = await db
        .updateTable('web_logins')
        .set({ used_at: now })
        .where('token_hash', '=', row.token_hash)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      if (Number(taken.numUpdatedRows) !== 1) return null;
      const { secret } = await issue('session', row.person_id, now, SESSION_HOURS);
      return { secret, personId: row.person_id };
    },

    /** The person a session cookie belongs to, or null (unknown, expired). */
    async sessionPerson(sessionSecret: string, now: string): Promise<number | null> {
      const row = await db
        .selectFrom('web_logins')
        .select(['person_id', 'expires_at'])
        .where('token_hash', '=', hashSecret(sessionSecret))
        .where('kind', '=', 'session')
        .executeTakeFirst();
      return row && row.expires_at > now ? row.person_id : null;
    },

    async endSession(sessionSecret: string): Promise<void> {
      await db
        .deleteFrom('web_logins')
        .where('token_hash', '=', hashSecret(sessionSecret))
        .where('kind', '=', 'session')
        .execute();
    },
  };
}

export type WebLoginStore = ReturnType<typeof createWebLoginStore>;
