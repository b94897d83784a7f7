/**
 * Ticket news for people the desk reaches by e-mail (they wrote by e-mail, or have no Slack or Teams
 * identity): comments by others, resolution, cancellation, a question waiting for them. Read from the
 * ticket event log like webhooks, queued with one dedupe key per event, so each goes out once.
 */
import type { DeliveryStore } from '../../db/delivery-store.js';
import { newMessageId, type OutgoingMail, replyAddress } from './intake.js';

const CURSOR = 'email.event_cursor';
const OVERLAP = 200;
const SERVICE_ACCOUNTS = /@chatdesk\.local$/;

export async function dispatchEmailNotices(
  store: DeliveryStore,
  desk: { address: string; name: string },
  now: string,
): Promise<number> {
  const cursor = await store.cursor(CURSOR);
  if (cursor === 0) {
    // First run: start from now, not from the whole history.
    await store.setCursor(Math.max(1, await store.maxEventId()), CURSOR);
    return 0;
  }
  const events = await store.eventsAfter(Math.max(0, cursor - OVERLAP), 500);
  if (events.length === 0) return 0;
  const items = [];
  for (const e of events) {
    const t = e.ticket;
    const to = t.requester;
    if (!to || SERVICE_ACCOUNTS.test(to)) continue;
    if (t.channel !== 'email' && e.requesterInChat) continue;
    let text: string | null = null;
    if (e.type === 'commented' && e.data.internal !== true && e.actor !== to) {
      const c = await store.commentAt(e.ticketId, e.at);
      if (c) text = `${c.author ?? 'The service desk'} wrote on ${t.number}:\n\n${c.body}`;
    } else if (e.type === 'state_changed' && e.to === 'resolved')
      text = `${t.number} "${t.title}" is resolved${e.reason ? `: ${e.reason}` : ''}.\nIf it is not fixed, reply to this e-mail and we will look again.`;
    else if (e.type === 'state_changed' && e.to === 'cancelled')
      text = `${t.number} "${t.title}" was cancelled${e.reason ? `: ${e.reason}` : ''}.`;
    else if (e.type === 'state_changed' && e.to === 'pending' && e.data.pendingReason === 'requester')
      text = `${t.number} "${t.title}" is waiting for you${e.reason ? `: ${e.reason}` : ''}. Reply to this e-mail to continue.`;
    if (!text) continue;
    const mail: OutgoingMail = {
      to,
      subject: `[${t.number}] ${t.title}`,
      text: `${text}\n\n${desk.name}`,
      messageId: newMessageId(desk.address, t.number.toLowerCase()),
      replyTo: replyAddress(desk.address, t.number),
      ticketId: e.ticketId,
    };
    items.push({
      kind: 'email' as const,
      dedupeKey: `email:event:${e.id}`,
      eventType: `email.${e.type}`,
      target: to,
      payload: JSON.stringify(mail),
      eventId: e.id,
    });
  }
  const n = await store.enqueue(items, now);
  await store.setCursor(events.at(-1)?.id ?? cursor, CURSOR);
  return n;
}
