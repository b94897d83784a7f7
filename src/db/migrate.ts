import { type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import { AppError } from '../errors.js';
import type { Database } from './connect.js';
import { initial } from './migrations/001-initial.js';
import { handoffAndKnowledge } from './migrations/002-handoff-and-knowledge.js';
import { kpi } from './migrations/003-kpi.js';
import { itil } from './migrations/004-itil.js';
import { conversationVisibility } from './migrations/006-conversation-visibility.js';
import { conversationLeases } from './migrations/007-conversation-leases.js';
import { bootIdsAndPendingIdentities } from './migrations/008-boot-ids-and-pending-identities.js';
import { webLogins } from './migrations/009-web-logins.js';
import { directory } from './migrations/010-directory.js';
import { webhooks } from './migrations/011-webhooks.js';
import { alerts } from './migrations/012-alerts.js';
import { email } from './migrations/013-email.js';
import { attachments } from './migrations/014-attachments.js';
import { improvementEvents } from './migrations/015-improvement-events.js';
import { conversationsByPerson } from './migrations/016-conversations-by-person.js';

class CodeMigrations implements MigrationProvider {
  constructor(private readonly db: Database) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const d = this.db.dialect;
    return {
      '001-initial': initial(d),
      '002-handoff-and-knowledge': handoffAndKnowledge(d),
      '003-kpi': kpi(d),
      '004-itil': itil(d),
      '006-conversation-visibility': conversationVisibility(),
      '007-conversation-leases': conversationLeases(),
      '010-directory': directory(d),
      '011-webhooks': webhooks(d),
      '012-alerts': alerts(),
      '013-email': email(),
      '014-attachments': attachments(d),
      '015-improvement-events': improvementEvents(d),
      '016-conversations-by-person': conversationsByPerson(),
      '008-boot-ids-and-pending-identities': bootIdsAndPendingIdentities(),
      '009-web-logins': webLogins(),
    };
  }
}

/** Brings the schema up to date; safe to run from several processes (Kysely takes a migration lock). */
export async function migrate(database: Database): Promise<string[]> {
  // Kysely looks for its bookkeeping tables in any schema unless told which; with several schemas on
  // one server (one per test run, or per tenant) it must be the one this connection works in.
  let migrationTableSchema: string | undefined;
  if (database.dialect === 'postgres') {
    const r = await sql<{ schema: string }>`select current_schema() as schema`.execute(database.db);
    migrationTableSchema = r.rows[0]?.schema;
  }
  const migrator = new Migrator({
    db: database.db,
    provider: new CodeMigrations(database),
    // Numbers were reserved per branch and merged out of order (008, 009 after 010…): a database that
    // has the later ones must still take the earlier.
    allowUnorderedMigrations: true,
    ...(migrationTableSchema ? { migrationTableSchema } : {}),
  });
  let { error, results } = await migrator.migrateToLatest();
  // Kysely finds its bookkeeping tables by listing every schema's tables; a schema another tenant (or
  // test run) drops during that listing fails it with "schema … does not exist" (SQLSTATE 3F000),
  // although nothing of ours is wrong. Nothing was applied then, so the listing is simply repeated.
  for (let retry = 0; retry < 3 && schemaVanished(error, migrationTableSchema); retry++) {
    await new Promise((resolve) => setTimeout(resolve, 50 * (retry + 1)));
    ({ error, results } = await migrator.migrateToLatest());
  }
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new AppError(
      'db_unavailable',
      `Database migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** A concurrently dropped schema other than ours (see migrate). */
function schemaVanished(error: unknown, ours: string | undefined): boolean {
  const e = error as { code?: unknown; message?: unknown } | undefined;
  return (
    e?.code === '3F000' &&
    typeof e.message === 'string' &&
    ours !== undefined &&
    !e.message.includes(`"${ours}"`)
  );
}
