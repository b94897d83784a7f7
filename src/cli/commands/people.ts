/**
 * `chatdesk people import <file.csv>` · `chatdesk people set-role <email> <role>`: the directory for
 * small companies without SCIM. Opens only the database (no models, no adapters).
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config.js';
import { openDatabase } from '../../db/connect.js';
import { createDirectoryStore } from '../../db/directory-store.js';
import { migrate } from '../../db/migrate.js';
import {
  createProvisioningStore,
  importPeople,
  releaseAgentConversations,
} from '../../db/provisioning-store.js';
import { syncGroups } from '../../db/seed.js';
import { createTicketStore } from '../../db/ticket-store.js';
import { AppError } from '../../errors.js';
import { loadGroups } from '../../itsm/directory-data.js';
import { PEOPLE_CSV_HEADER, parsePeopleCsv } from '../../itsm/people-csv.js';
import { createProvisioningService } from '../../itsm/provisioning.js';
import { type Person, ROLES, type Role } from '../../itsm/types.js';
import { seeHelp } from '../args.js';

export const USAGE = `usage: chatdesk people import <file.csv>
       chatdesk people set-role <email> <${ROLES.join('|')}>

CSV header (case-insensitive; only email is required):
  ${PEOPLE_CSV_HEADER}
groups and skills: several separated by ";" (groups are support group slugs from data/groups.json);
active=false deactivates the person (their open tickets go back to the group queue).
Existing people (matched by email) are updated with the columns given; nobody is deleted.`;

const CLI_ADMIN: Person = {
  id: 0,
  email: 'cli',
  displayName: 'chatdesk CLI',
  role: 'admin',
  managerId: null,
  timeZone: 'UTC',
  away: false,
  capacity: null,
  skills: [],
};

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { help: { type: 'boolean', short: 'h' } },
    strict: true,
    allowPositionals: true,
  });
  const [sub, a, b] = positionals;
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (sub === undefined) {
    process.stderr.write(`chatdesk people: give a subcommand, import or set-role. ${seeHelp('people')}\n`);
    return 2;
  }
  const fail = (msg: string) => {
    process.stderr.write(`chatdesk people ${sub}: ${msg}. ${seeHelp('people')}\n`);
    return 2;
  };
  if (sub === 'import' && !a) return fail('missing the CSV file');
  if (sub === 'set-role' && (!a || !b)) return fail("give the person's email and the role");
  if (sub === 'set-role' && !(ROLES as readonly string[]).includes(b ?? ''))
    return fail(`role: "${b}" is not one of ${ROLES.join(', ')}`);
  if (sub !== 'import' && sub !== 'set-role') return fail(`unknown subcommand "${sub}"`);

  const config = loadConfig();
  const database = await openDatabase(config.DATABASE_URL);
  try {
    await migrate(database);
    const { db } = database;
    const directory = createDirectoryStore(db);
    const svc = createProvisioningService({
      store: createProvisioningStore(db),
      tickets: createTicketStore(db),
      mapping: { groups: [] },
      staticMembers: new Map(),
      releaseConversations: (id, at) => releaseAgentConversations(db, id, at),
      personById: (id) => directory.personById(id),
    });
    const now = new Date().toISOString();
    if (sub === 'set-role') {
      const person = await directory.personByEmail(a as string);
      if (!person) throw new AppError('not_found', `no person with email ${a}; import them first`);
      const r = await svc.setRole(CLI_ADMIN, person, b as Role, now);
      process.stdout.write(`${person.email} is now ${b}\n`);
      if (r.overridden)
        process.stderr.write(
          'note: the company directory (SCIM) manages this person; their directory groups decide the role at the next change (data/directory.json)\n',
        );
      return 0;
    }
    const file = a as string;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      process.stderr.write(
        `chatdesk people import: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? String(e)})\n`,
      );
      return 1;
    }
    // The support groups of data/groups.json, as `serve` writes them at every start.
    await syncGroups(db, await loadGroups(config.DATA_DIR));
    const known = new Set((await directory.groups()).map((g) => g.slug));
    const rows = parsePeopleCsv(text, file, known);
    const r = await importPeople(db, rows, now, file);
    let requeued = 0;
    for (const id of r.deactivated) requeued += (await svc.deactivate(id, now)).tickets.length;
    process.stdout.write(
      `imported ${file}: ${r.created} created, ${r.updated} updated${r.deactivated.length > 0 ? `, ${r.deactivated.length} deactivated (${requeued} open tickets back in their queues)` : ''}\n`,
    );
    return 0;
  } finally {
    await database.close();
  }
}
