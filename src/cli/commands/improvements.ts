/**
 * `chatdesk improvements`: the improvement (CSI) register from a shell, with the domain's rules (a
 * manager or admin named with --as; an agent may move only the items they own).
 *
 *   chatdesk improvements [list] [--status open]
 *   chatdesk improvements move <id> <open|in_progress|done|dismissed> --as <email> [--note <text>]
 *   chatdesk improvements owner <id> <email> --as <email> [--note <text>]
 *   chatdesk improvements evaluate [--since 30d]
 */
import { parseArgs } from 'node:util';
import { createDirectoryStore } from '../../db/directory-store.js';
import { AppError } from '../../errors.js';
import { createImprovementService, parseImprovementState } from '../../itsm/improvement.js';
import type { Person } from '../../itsm/types.js';
import { seeHelp } from '../args.js';
import { openKpi } from './report.js';

export const USAGE = `usage: chatdesk improvements [list] [--status open|in_progress|done|dismissed]
       chatdesk improvements move <id> <open|in_progress|done|dismissed> --as <email> [--note <text>]
       chatdesk improvements owner <id> <email> --as <email> [--note <text>]
       chatdesk improvements evaluate [--since 30d]
Owners are told in chat by the running server when the change is made from chat or REST; from the
CLI the change is recorded and audited, and the owner sees it in "improvements".`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      as: { type: 'string' },
      note: { type: 'string' },
      status: { type: 'string' },
      since: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const [sub = 'list', id, arg] = positionals;
  if (!['list', 'move', 'owner', 'evaluate'].includes(sub)) {
    process.stderr.write(`chatdesk improvements: unknown subcommand "${sub}". ${seeHelp('improvements')}\n`);
    return 2;
  }
  if ((sub === 'move' || sub === 'owner') && (!id || !arg || !values.as)) {
    process.stderr.write(
      `chatdesk improvements ${sub}: needs <id>, ${sub === 'move' ? '<state>' : '<email>'} and --as <email>. ${seeHelp('improvements')}\n`,
    );
    return 2;
  }
  const kpi = await openKpi();
  try {
    const directory = createDirectoryStore(kpi.database.db);
    const csi = createImprovementService({
      store: kpi.store,
      kpis: kpi.service,
      personById: (pid) => directory.personById(pid),
      personByEmail: (e) => directory.personByEmail(e),
      notify: async () => false,
      ...(values.since ? { since: values.since } : {}),
    });
    const now = new Date().toISOString();
    const actor = async (): Promise<Person> => {
      const p = await directory.personByEmail(String(values.as).toLowerCase());
      if (!p) throw new AppError('unknown_user', `--as: no person with email ${values.as}.`, { field: 'as' });
      return p;
    };
    const show = (i: { id: number; status: string; title: string; ownerId: number | null }) =>
      `#${i.id}\t${i.status}\t${i.ownerId ?? '-'}\t${i.title}`;
    if (sub === 'list') {
      const status = values.status ? parseImprovementState(values.status) : undefined;
      const items = await kpi.store.improvementItems(status ? { status } : {});
      process.stdout.write(`${['id\tstatus\towner\ttitle', ...items.map(show)].join('\n')}\n`);
    } else if (sub === 'evaluate') {
      const r = await csi.evaluate(now);
      process.stdout.write(`targets evaluated: ${r.opened} opened, ${r.updated} updated\n`);
    } else if (sub === 'move') {
      const item = await csi.move(
        Number(id),
        parseImprovementState(String(arg)),
        await actor(),
        values.note ?? null,
        now,
      );
      process.stdout.write(`${show(item)}\n`);
    } else {
      const item = await csi.assign(Number(id), String(arg), await actor(), values.note ?? null, now);
      process.stdout.write(`${show(item)}\n`);
    }
    return 0;
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    process.stderr.write(`chatdesk improvements: ${e.message}\n`);
    return e.code === 'validation_failed' || e.code === 'unknown_user' ? 2 : 1;
  } finally {
    await kpi.database.close();
  }
}
