/**
 * Where a Teams person was seen: the Bot Connector (serviceUrl) of the conversations they were in,
 * so a proactive chat with someone who never wrote to the bot is created through their tenant's own
 * connector (Teams serves each tenant from a regional one) instead of the public default. Read from
 * the conversations the desk stored: the person's own first, then any of their tenant's (a roster
 * event records the conversation the person appeared in).
 */
import type { Kysely } from 'kysely';
import type { DB } from './schema.js';

export async function teamsServiceUrlOf(
  db: Kysely<DB>,
  personId: number,
  tenantId: string | null,
): Promise<string | null> {
  const latest = db
    .selectFrom('conversations')
    .select('service_url')
    .where('platform', '=', 'teams')
    .where('service_url', 'is not', null)
    .orderBy('updated_at', 'desc')
    .limit(1);
  const own = await latest.where('person_id', '=', personId).executeTakeFirst();
  if (own?.service_url) return own.service_url;
  if (tenantId === null) return null;
  const tenant = await latest.where('workspace_id', '=', tenantId).executeTakeFirst();
  return tenant?.service_url ?? null;
}
