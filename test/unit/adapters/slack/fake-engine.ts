/**
 * A stand-in ConversationEngine for adapter tests: an in-memory inbox deduplicated on platform + id
 * (like the real one), an optional slow `receive`, one "laptop" template and canned ticket cards.
 */
import type { ConversationEngine, FormCheck, ReceiveResult } from '../../../../src/chat/adapter-api.js';
import type { ChatPort, FormSpec, Incoming, PlatformUser, TicketCard } from '../../../../src/chat/message.js';

export const LAPTOP_FORM: FormSpec = {
  templateId: 'laptop',
  title: 'New laptop',
  description: 'Request a laptop.',
  fields: [
    { id: 'model', label: 'Model', type: 'select', required: true, options: ['MacBook Pro', 'ThinkPad X1'] },
    { id: 'reason', label: 'Why', type: 'textarea', required: true, maxLength: 500 },
    { id: 'quantity', label: 'How many', type: 'number', required: false },
  ],
};

export const CARD: TicketCard = {
  number: 'INC0000042',
  kind: 'incident',
  title: 'VPN keeps dropping',
  state: 'assigned',
  priority: 'P3',
  impact: 'medium',
  urgency: 'medium',
  group: 'Network',
  assignee: 'Bob',
  eta: 'first response by 14:00 (your time)',
  actions: [
    { label: 'Add info', actionId: 'ticket.add_info', value: { ticket: 'INC0000042' } },
    { label: 'Close', actionId: 'ticket.close', value: { ticket: 'INC0000042' }, style: 'danger' },
  ],
};

export class FakeEngine implements ConversationEngine {
  readonly received: Incoming[] = [];
  readonly seen = new Set<string>();
  receiveDelayMs = 0;
  /** The next `failReceives` calls reject, like an inbox whose database is down. */
  failReceives = 0;
  port: ChatPort | null = null;
  tickets: TicketCard[] = [CARD];

  async receive(incoming: Incoming): Promise<ReceiveResult> {
    if (this.receiveDelayMs > 0) await new Promise((r) => setTimeout(r, this.receiveDelayMs));
    if (this.failReceives > 0) {
      this.failReceives -= 1;
      throw new Error('database is locked');
    }
    const key = `${incoming.platform}:${incoming.id}`;
    if (this.seen.has(key)) return { status: 'duplicate', processed: Promise.resolve() };
    this.seen.add(key);
    this.received.push(incoming);
    return { status: 'accepted', processed: Promise.resolve() };
  }

  registerPort(port: ChatPort): void {
    this.port = port;
  }

  checkForm(templateId: string, values: Record<string, unknown>): FormCheck {
    if (templateId !== 'laptop') return { ok: false, errors: { template: 'unknown template' } };
    const errors: Record<string, string> = {};
    for (const f of LAPTOP_FORM.fields)
      if (f.required && (values[f.id] === undefined || values[f.id] === ''))
        errors[f.id] = `${f.label} is required`;
    if (typeof values.reason === 'string' && values.reason.length < 5)
      errors.reason = 'Why: at least 5 characters';
    return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, values };
  }

  formFor(templateId: string, prefill?: Record<string, unknown>): FormSpec | null {
    return templateId === 'laptop' ? { ...LAPTOP_FORM, values: prefill ?? {} } : null;
  }

  listTemplates(): Array<{ id: string; title: string; description: string }> {
    return [{ id: 'laptop', title: 'New laptop', description: 'Request a laptop' }];
  }

  async ticketsFor(_user: PlatformUser): Promise<TicketCard[]> {
    return this.tickets;
  }

  /** Polls until `n` events are in the inbox. */
  async waitForReceived(n: number, timeoutMs = 3000): Promise<Incoming[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < n) {
      if (Date.now() > deadline)
        throw new Error(`expected ${n} received events, got ${this.received.length}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.received;
  }
}
