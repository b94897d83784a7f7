/**
 * `chatdesk assets import <file.csv>` · `chatdesk assets list [--type T] [--owner EMAIL]` ·
 * `chatdesk assets show <TAG>`: the CMDB from the command line. Opens only the database (no models,
 * no adapters), so it is quick to script.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config.js';
import { openDatabase } from '../../db/connect.js';
import { createDirectoryStore } from '../../db/directory-store.js';
import { migrate } from '../../db/migrate.js';
import { createItilStore } from '../../db/practices-store.js';
import { createTicketStore } from '../../db/ticket-store.js';
import { createAssetService } from '../../itsm/assets.js';
import type { Person } from '../../itsm/types.js';
import { seeHelp } from '../args.js';

export const USAGE = `usage: chatdesk assets import <file.csv>
       chatdesk assets list [--type laptop] [--owner alice@example.com] [--json]
       chatdesk assets show <TAG> [--json]

CSV header (case-insensitive; only tag, type, name are required):
  tag,type,name,owner,status,location,warranty_end,criticality,runs_on,depends_on
status: in_stock | in_use | in_repair | retired; criticality: low | medium | high | critical;
runs_on / depends_on: tags separated by ";".`;

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
    options: {
      type: { type: 'string' },
      owner: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: true,
  });
  const [sub, arg] = positionals;
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (sub === undefined || !['import', 'list', 'show'].includes(sub)) {
    process.stderr.write(
      `chatdesk assets: ${sub === undefined ? 'name a subcommand' : `unknown subcommand "${sub}"`}: import, list or show. ${seeHelp('assets')}\n`,
    );
    return 2;
  }
  if ((sub === 'import' || sub === 'show') && !arg) {
    process.stderr.write(
      `chatdesk assets ${sub}: missing ${sub === 'import' ? 'the CSV file, e.g. chatdesk assets import assets.csv' : 'the asset tag, e.g. chatdesk assets show LT-1001'}. ${seeHelp('assets')}\n`,
    );
    return 2;
  }
  const config = loadConfig();
  const database = await openDatabase(config.DATABASE_URL);
  try {
    await migrate(database);
    const svc = createAssetService({
      tickets: createTicketStore(database.db),
      directory: createDirectoryStore(database.db),
      itil: createItilStore(database.db),
    });
    const now = new Date().toISOString();
    if (sub === 'import') {
      const file = arg as string;
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (e) {
        process.stderr.write(
          `chatdesk assets import: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? String(e)})\n`,
        );
        return 1;
      }
      const r = await svc.importCsv(text, file);
      process.stdout.write(
        values.json
          ? `${JSON.stringify(r)}\n`
          : `imported ${file}: ${r.created} created, ${r.updated} updated, ${r.relations} relations\n`,
      );
      return 0;
    }
    if (sub === 'list') {
      const list = await svc.list(CLI_ADMIN, {
        ...(values.type ? { type: values.type } : {}),
        ...(values.owner ? { owner: values.owner } : {}),
      });
      if (values.json) process.stdout.write(`${JSON.stringify(list)}\n`);
      else
        for (const a of list)
          process.stdout.write(
            `${a.tag}\t${a.type}\t${a.status}\t${a.criticality}\t${a.warrantyEnd ?? '-'}\t${a.name}\n`,
          );
      return 0;
    }
    const v = await svc.view(arg as string, CLI_ADMIN, now);
    if (values.json) {
      process.stdout.write(`${JSON.stringify(v)}\n`);
      return 0;
    }
    const lines = [
      `${v.asset.tag} · ${v.asset.type} · ${v.asset.name}`,
      `status ${v.asset.status}, criticality ${v.asset.criticality}, location ${v.asset.location ?? '-'}`,
      `owner: ${v.owner ? `${v.owner.displayName} <${v.owner.email}>` : '-'}`,
      v.warranty.text,
      ...v.relations.map((r) =>
        r.direction === 'out'
          ? `${r.type.replace('_', ' ')} ${r.tag} (${r.name})`
          : `${r.tag} (${r.name}) ${r.type.replace('_', ' ')} it`,
      ),
      `impacted if it fails: ${v.impacted.length > 0 ? v.impacted.map((a) => a.tag).join(', ') : 'nothing recorded'}`,
      `tickets: ${v.tickets.length > 0 ? v.tickets.map((t) => `${t.number} (${t.state})`).join(', ') : 'none'}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  } finally {
    await database.close();
  }
}
