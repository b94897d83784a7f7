/**
 * Composition: the data files, read first (a bad file must stop start-up before anything is written), and
 * the database made ready for this process: migrated, seeded when asked, synced with the files, and this
 * start recorded (src/db/boots.ts).
 */
import { join } from 'node:path';
import { DEFAULT_TEAMS_SERVICE_URL } from './adapters/teams/default-service-url.js';
import { channelReach, withReachableBoards } from './channel-reach.js';
import type { Config } from './config.js';
import { ensureAlertAccount } from './db/alert-store.js';
import { startBoot } from './db/boots.js';
import { type Database, type OpenOptions, openDatabase } from './db/connect.js';
import { migrate } from './db/migrate.js';
import {
  ensureServiceAccount,
  isEmpty,
  seedDemo,
  syncGroups,
  syncKnowledge,
  syncTemplates,
} from './db/seed.js';
import { API_PERSON_EMAIL } from './http/shared/api-account.js';
import { loadAssets, loadGroups, loadPeople } from './itsm/directory-data.js';
import { loadRulesConfig } from './itsm/dispatch.js';
import { loadItilConfig } from './itsm/practices-config.js';
import { loadDirectoryMapping } from './itsm/provisioning.js';
import { loadSlaConfig } from './itsm/sla.js';
import { loadTemplates } from './itsm/templates.js';
import { loadWebhookFile } from './itsm/webhook-events.js';
import type { Logger } from './log.js';
import { loadKnowledgeArticles } from './nlu/knowledge/knowledge-files.js';

/** Reads every data file under DATA_DIR; `injected` are the platforms whose adapters the caller brings. */
export async function loadDataFiles(config: Config, injected: ReadonlySet<string>) {
  const dataDir = config.DATA_DIR;
  const [templates, sla, rules, groups, articles] = await Promise.all([
    loadTemplates(join(dataDir, 'templates')),
    loadSlaConfig(join(dataDir, 'sla.json')),
    loadRulesConfig(join(dataDir, 'rules.json')),
    loadGroups(dataDir),
    loadKnowledgeArticles(dataDir),
  ]);
  // Channels on platforms this process cannot post to are skipped, and said once (see channel-reach.ts).
  const reach = channelReach(config, DEFAULT_TEAMS_SERVICE_URL, injected);
  const itilFile = await loadItilConfig(join(dataDir, 'itil.json'));
  const itilConfig = withReachableBoards(itilFile, reach);
  const webhookFile = await loadWebhookFile(join(dataDir, 'webhooks.json'));
  const directoryMapping = await loadDirectoryMapping(
    join(dataDir, 'directory.json'),
    new Set(groups.groups.map((g) => g.slug)),
  );
  return {
    templates,
    sla,
    rules,
    groups,
    articles,
    reach,
    itilFile,
    itilConfig,
    webhookFile,
    directoryMapping,
  };
}

export type DataFiles = Awaited<ReturnType<typeof loadDataFiles>>;

/** Opens the database and makes it ready; closes it again when that fails. */
export async function prepareDatabase(
  config: Config,
  files: Pick<DataFiles, 'templates' | 'groups' | 'articles'>,
  log: Logger,
  now: () => Date,
  open: OpenOptions = {},
): Promise<{ database: Database; bootId: string }> {
  const dataDir = config.DATA_DIR;
  const { templates, groups, articles } = files;
  const database = await openDatabase(config.DATABASE_URL, open);
  const { db } = database;
  try {
    const applied = await migrate(database);
    if (applied.length > 0) log.info('database migrated', { applied, dialect: database.dialect });
    const stamp = now().toISOString();
    if (config.SEED_DEMO && (await isEmpty(db))) {
      const [people, assets] = await Promise.all([loadPeople(dataDir), loadAssets(dataDir)]);
      await seedDemo(db, people, assets, stamp);
      log.info('seeded demo data', { people: people.people.length, assets: assets.assets.length });
    }
    await ensureServiceAccount(db, API_PERSON_EMAIL, stamp);
    await ensureAlertAccount(db, stamp);
    for (const w of await syncGroups(db, groups)) log.warn(w);
    await syncTemplates(db, templates, stamp);
    await syncKnowledge(db, articles, stamp);
    // Work a dead predecessor held is free again now, not when its leases expire.
    const boot = await startBoot(db, { nodeId: config.NODE_ID ?? null, now: stamp });
    if (boot.reclaimed.boots > 0) log.info('reclaimed the leases of stopped processes', boot.reclaimed);
    return { database, bootId: boot.bootId };
  } catch (e) {
    await database.close();
    throw e;
  }
}
