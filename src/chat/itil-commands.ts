/**
 * Typed commands for the people who run the desk, in any chat with the bot:
 *
 *   problem from INC0000001, INC0000002: VPN drops every hour
 *   link INC0000003 to PRB0000001
 *   root cause PRB0000001: the gateway's DHCP pool is exhausted
 *   known error PRB0000001: reconnect to the Frankfurt gateway
 *   asset SV-4001
 *
 * Each maps to one ITIL service call; the service checks the person's rights.
 */
import { AppError } from '../errors.js';
import type { Itil } from '../itsm/practices.js';
import { LEVELS, type Level, type Person } from '../itsm/types.js';

const NUM = '((?:INC|REQ|PRB|CHG)\\d{7})';

export async function runItilCommand(
  itil: Itil,
  text: string,
  person: Person,
  now: string,
): Promise<string | null> {
  const t = text.trim();
  let m = /^problem from ((?:(?:INC)\d{7}[,\s]*(?:and\s+)?)+):\s*(.+)$/is.exec(t);
  if (m?.[1] && m[2]) {
    const incidents = m[1].match(/INC\d{7}/gi)?.map((n) => n.toUpperCase()) ?? [];
    const p = await itil.problems.create(person, { title: m[2].trim(), incidents }, now);
    return `Opened ${p.number} "${p.title}" from ${incidents.join(', ')}.`;
  }
  m = new RegExp(`^link ${NUM} to ${NUM}$`, 'i').exec(t);
  if (m?.[1] && m[2]) {
    const [inc, target] = [m[1].toUpperCase(), m[2].toUpperCase()];
    const linked = target.startsWith('CHG')
      ? await itil.changes.linkIncident(target, inc, person, now)
      : await itil.problems.link(target, inc, person, now);
    return linked ? `Linked ${inc} to ${target}.` : `${inc} was already linked to ${target}.`;
  }
  m = new RegExp(`^root cause ${NUM}:\\s*(.+)$`, 'is').exec(t);
  if (m?.[1] && m[2]) {
    await itil.problems.setRootCause(m[1].toUpperCase(), person, m[2], now);
    return `Root cause recorded on ${m[1].toUpperCase()}.`;
  }
  m = new RegExp(`^known error ${NUM}:\\s*(.+)$`, 'is').exec(t);
  if (m?.[1] && m[2]) {
    const rec = await itil.problems.publishKnownError(m[1].toUpperCase(), person, { workaround: m[2] }, now);
    return `${m[1].toUpperCase()} is now a known error; new reports matching ${rec.keywords.join(', ')} get the workaround at once.`;
  }
  m = /^resolve incidents of (PRB\d{7})$/i.exec(t);
  if (m?.[1]) {
    const r = await itil.clusters.resolveIncidents(m[1].toUpperCase(), person, now);
    return r.resolved.length === 0
      ? `${m[1].toUpperCase()} has no open incidents left.`
      : `Resolved ${r.resolved.join(', ')}; each requester is asked to confirm the fix or reopen.`;
  }
  m = /^resolve (PRB\d{7})(?::\s*(.+))?$/is.exec(t);
  if (m?.[1]) {
    const number = m[1].toUpperCase();
    const r = await itil.problems.transition(number, 'resolved', person, m[2]?.trim() || null, now);
    return r.openIncidents.length === 0
      ? `${number} is resolved.`
      : `${number} is resolved. ${r.openIncidents.length} linked incident(s) are still open (${r.openIncidents.join(', ')}): say "resolve incidents of ${number}" to resolve them and ask their requesters to confirm.`;
  }
  m = /^asset\s+([A-Za-z0-9][A-Za-z0-9-]*)$/i.exec(t);
  if (m?.[1]) {
    const v = await itil.assets.view(m[1], person, now);
    const lines = [
      `${v.asset.tag} · ${v.asset.type} · ${v.asset.name} · ${v.asset.status}${v.owner ? ` · owner ${v.owner.displayName}` : ''}`,
      `Warranty: ${typeof v.warranty === 'string' ? v.warranty : JSON.stringify(v.warranty)}`,
    ];
    if (v.relations.length > 0)
      lines.push(
        `Relations: ${v.relations.map((r) => `${r.direction === 'out' ? r.type : `${r.type} (from)`} ${r.tag}`).join(', ')}`,
      );
    if (v.impacted.length > 0)
      lines.push(
        `If it fails: ${v.impacted.map((a) => a.tag).join(', ')}${v.impactedServices.length > 0 ? ` (services: ${v.impactedServices.join(', ')})` : ''}`,
      );
    if (v.tickets.length > 0)
      lines.push(`Tickets: ${v.tickets.map((x) => `${x.number} ${x.state}`).join(', ')}`);
    return lines.join('\n');
  }
  return null;
}

/** The `change-request` template's values → a request for change through the change service. */
export async function openChangeFromForm(
  itil: Itil,
  requester: Person,
  values: Record<string, unknown>,
  now: string,
): Promise<{ ticket: import('../itsm/types.js').Ticket; text: string }> {
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string).trim() : '');
  const when = (k: string): string | null => {
    const v = str(k);
    if (!v) return null;
    const ms = Date.parse(/Z$|[+-]\d\d:\d\d$/.test(v) ? v : `${v}Z`);
    if (Number.isNaN(ms))
      throw new AppError('validation_failed', `${k}: "${v}" is not a time like 2026-12-01T18:00`, {
        field: k,
      });
    return new Date(ms).toISOString();
  };
  // Not given: medium, or a standard change's catalogue template decides.
  const level = (k: string): Level | undefined =>
    (LEVELS as readonly string[]).includes(str(k)) ? (str(k) as Level) : undefined;
  const levels = { impact: level('impact'), urgency: level('urgency') };
  const r = await itil.changes.create(
    requester,
    {
      title: str('summary'),
      description: str('plan') || str('summary'),
      type: (['standard', 'normal', 'emergency'].includes(str('change_type'))
        ? str('change_type')
        : 'normal') as 'standard' | 'normal' | 'emergency',
      ...(levels.impact ? { impact: levels.impact } : {}),
      ...(levels.urgency ? { urgency: levels.urgency } : {}),
      ...(str('template') ? { template: str('template') } : {}),
      assets:
        str('assets')
          .match(/[A-Za-z]+-\d+/g)
          ?.map((a) => a.toUpperCase()) ?? [],
      plannedStart: when('window_start'),
      plannedEnd: when('window_end'),
    },
    now,
  );
  return {
    ticket: r.ticket,
    text: [
      `Opened ${r.ticket.number} "${r.ticket.title}". Risk ${r.risk.level} (${r.risk.score}/100):`,
      ...r.risk.reasons.map((x) => `• ${x}`),
    ].join('\n'),
  };
}

/**
 * `approve REQ0000042: fine by me` / `reject CHG0000007: not during month-end close` — approvals and
 * CAB votes by typed text, with a comment, for anyone; the services check that the person may decide.
 */
export async function runApprovalCommand(
  itil: Itil,
  text: string,
  person: Person,
  now: string,
): Promise<string | null> {
  const m = /^\s*(approve|reject)\s+((?:REQ|INC|CHG)\d{7})\s*(?::\s*(.*))?$/is.exec(text);
  if (!m?.[1] || !m[2]) return null;
  const verb = m[1].toLowerCase() as 'approve' | 'reject';
  const number = m[2].toUpperCase();
  const comment = m[3]?.trim() || null;
  if (number.startsWith('CHG')) {
    const r = await itil.changes.vote(number, person, verb, comment, now);
    return `Your vote on ${number} is recorded (${verb}${comment ? `: ${comment}` : ''}). CAB outcome so far: ${r.outcome}.`;
  }
  const r = await itil.approvals.decide(
    number,
    person,
    verb === 'approve' ? 'approved' : 'rejected',
    comment,
    now,
  );
  return `Recorded: you ${verb === 'approve' ? 'approved' : 'rejected'} ${number}${comment ? ` (${comment})` : ''}. Outcome: ${r.outcome}.`;
}
