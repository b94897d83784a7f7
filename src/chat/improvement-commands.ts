/**
 * The improvement register from chat, for the people who run the desk:
 *
 *   improvements                              the register: counts and the items to work
 *   improvement 3 in progress: <note>         move it (open, in progress, done, dismissed, reopen)
 *   improvement 3 owner judy@example.com      hand it over (managers); the new owner is told
 *   evaluate improvements                     check the KPI targets now (managers)
 */
import type { ImprovementService } from '../itsm/improvement.js';
import { parseImprovementState } from '../itsm/improvement.js';
import type { Person } from '../itsm/types.js';

const LABEL: Record<string, string> = {
  open: 'open',
  in_progress: 'in progress',
  done: 'done',
  dismissed: 'dismissed',
};

export async function runImprovementCommand(
  csi: ImprovementService,
  text: string,
  person: Person,
  now: string,
): Promise<string | null> {
  const t = text.trim();
  if (/^improvements?$/i.test(t)) return csi.view(person);
  if (/^evaluate improvements$/i.test(t)) {
    if (person.role !== 'manager' && person.role !== 'admin')
      return 'Only managers and admins can evaluate the targets.';
    const r = await csi.evaluate(now);
    return `Targets evaluated: ${r.opened} item(s) opened, ${r.updated} updated; ${r.notified} owner(s) told.\n${await csi.view(person)}`;
  }
  let m = /^improvement\s+#?(\d+)\s+owner\s+(\S+@\S+?)(?::\s*(.+))?$/is.exec(t);
  if (m?.[1] && m[2]) {
    const item = await csi.assign(Number(m[1]), m[2], person, m[3]?.trim() || null, now);
    return `Improvement #${item.id} is now owned by ${m[2].toLowerCase()}; they have been told.`;
  }
  m =
    /^improvement\s+#?(\d+)\s+(open|reopen|in[\s_-]?progress|start(?:ed)?|done|dismiss(?:ed)?)(?::\s*(.+))?$/is.exec(
      t,
    );
  if (m?.[1] && m[2]) {
    const item = await csi.move(Number(m[1]), parseImprovementState(m[2]), person, m[3]?.trim() || null, now);
    return `Improvement #${item.id} "${item.title}" is ${LABEL[item.status] ?? item.status}.`;
  }
  return null;
}
