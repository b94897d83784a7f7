/**
 * What the bot says and does for one incoming message or action, given who sent it and where the
 * conversation stands. Side effects go through the ticket service; replies are collected in `ctx`.
 */
import { AppError, isAppError } from '../errors.js';
import { findTicketNumbers } from '../itsm/numbering.js';
import type { Person } from '../itsm/store.js';
import {
  nextMissingField,
  parseFieldAnswer,
  type Template,
  type TemplateField,
  validateSubmission,
} from '../itsm/templates.js';
import type { TicketService } from '../itsm/tickets.js';
import { type Level, OPEN_STATES, type Ticket } from '../itsm/types.js';
import { frustrationOf } from '../nlu/frustration.js';
import type { IntentPrediction, Nlu } from '../nlu/types.js';
import { OUT_OF_SCOPE } from '../nlu/types.js';
import type { Emit, Handoff } from './handoff.js';
import type { Choice, IncomingAction, IncomingMessage, Reply } from './message.js';
import { templateForm, ticketCard, ticketLine } from './render.js';
import type { ChatStore, Conversation } from './store.js';

/** Where the conversation stands between two messages (stored as JSON on the conversation row). */
export type DialogState =
  | { kind: 'idle'; misses?: number }
  | { kind: 'incident_what'; intent: string }
  | { kind: 'incident_adjust'; ticket: string }
  | { kind: 'template'; templateId: string; values: Record<string, unknown>; asking: string }
  | { kind: 'kb'; articleId: string; query: string; intent: string; unhelpful: number; answerId?: number }
  | { kind: 'add_info'; ticket: string }
  | { kind: 'pick_ticket'; intent: string }
  | { kind: 'rate'; ticket: string };

export interface DialogDeps {
  tickets: TicketService;
  store: ChatStore;
  nlu: Nlu;
  templates: Map<string, Template>;
  articles: Map<string, { title: string; body: string; url: string | null }>;
  handoffThreshold: number;
  handoff: Handoff;
  hooks: DialogHooks;
}

/**
 * Features composed in by the app (ITIL depth, KPIs) that dialogs call without depending on them.
 * Set after construction, since those features themselves talk through the engine.
 */
export interface DialogHooks {
  /** Right after a ticket is opened from chat: approvals, "my laptop", known-error workarounds. Returns lines for the reply. */
  onTicketOpened?: (
    ticket: Ticket,
    requester: Person,
    text: string,
    approval: Template['approval'] | null,
    now: string,
  ) => Promise<string[]>;
  /** The manager's KPI summary. */
  managerReport?: (manager: Person) => Promise<string>;
  /** An agent marks themselves away or back. */
  setAway?: (agent: Person, away: boolean) => Promise<string>;
  /** Submits a change template as a request for change (risk, CAB); returns the reply. */
  openChange?: (
    requester: Person,
    values: Record<string, unknown>,
    now: string,
  ) => Promise<{ ticket: Ticket; text: string }>;
  /** `approve|reject <number>[: comment]` by anyone; null when the text is not one. */
  approvalCommand?: (text: string, person: Person, now: string) => Promise<string | null>;
  /** Typed ITIL commands of staff (problems, changes, assets); null when the text is not one. */
  staffCommand?: (text: string, person: Person, now: string) => Promise<string | null>;
  /** An agent turns a resolved ticket into a draft knowledge article; returns the reply. */
  draftArticle?: (number: string, agent: Person) => Promise<string>;
}

export interface TurnContext {
  incoming: IncomingMessage | IncomingAction;
  person: Person;
  conversation: Conversation;
  now: string;
  /** Replies, in order. The engine turns them into outbox rows. */
  replies: Array<{ reply: Reply; bindTicketId?: number; updateSource?: boolean }>;
  /** The dialog state to store after the turn. */
  dialog: DialogState;
  /** Idempotency key for tickets this turn opens. */
  sourceKey: string;
  /** Sends to a conversation other than this one (the agents' triage channel). */
  emit: Emit;
}

const INCIDENT_CATEGORY: Record<string, string> = {
  incident_network: 'network',
  incident_email: 'email',
  incident_printer: 'printer',
  incident_hardware: 'hardware',
  incident_software: 'software',
  incident_security: 'security',
  incident_phone: 'phone',
  incident_other: 'other',
};

const TEMPLATE_FOR_INTENT: Record<string, string> = {
  hardware_request: 'laptop-request',
  software_request: 'software-access',
  access_request: 'software-access',
  new_hire: 'new-hire',
};

/** A second article is offered only when it is at least this likely to answer the question. */
const SECOND_ARTICLE_MIN_CONFIDENCE = 0.35;

const KB_INTENTS = new Set(['password_reset', 'account_locked', 'how_to']);

const START_CHOICES: Choice[] = [
  { label: 'Report a problem', actionId: 'choice', value: { intent: 'incident_other' } },
  { label: 'Request something', actionId: 'choice', value: { intent: 'request_menu' } },
  { label: 'My tickets', actionId: 'ticket.status', value: {} },
  { label: 'Talk to a person', actionId: 'ticket.human', value: {} },
];

export const HELP_TEXT = [
  'I am the IT service desk bot. Tell me in your own words what is wrong or what you need, for example:',
  '• "my vpn keeps dropping" — I open an incident and route it to the right team',
  '• "I need a new laptop" / "access to Salesforce" — I walk you through the request form',
  '• "how do I set up out of office" / "forgot my password" — I answer from the knowledge base',
  '• "status" — your open tickets; "status INC0000042" — one ticket',
  '• "add info to INC0000042: …", "cancel INC0000042", "reopen INC0000042", "it works now"',
  '• "talk to a person" — a human from the service desk takes over this conversation',
].join('\n');

const say = (
  ctx: TurnContext,
  text: string,
  extra: Omit<Reply, 'text'> = {},
  opts: { bindTicketId?: number; updateSource?: boolean } = {},
) => {
  ctx.replies.push({ reply: { text, ...extra }, ...opts });
};

function titleFrom(text: string): string {
  const first = text.trim().split(/(?<=[.!?])\s+|\n/)[0] ?? text;
  const clean = first.replace(/\s+/g, ' ').trim();
  const capped = clean.length > 90 ? `${clean.slice(0, 87).trimEnd()}…` : clean;
  return capped.charAt(0).toUpperCase() + capped.slice(1);
}

const wordCount = (text: string) =>
  text
    .trim()
    .split(/\s+/)
    .filter((w) => /[\p{L}\p{N}]/u.test(w)).length;

/** Phrases that raise impact/urgency when the requester adjusts after the ticket is open. */
const RAISE_IMPACT =
  /\b(whole|entire|all of|everyone|every(body| one)|team|department|office|company|several|many|multiple)\b/i;
const RAISE_URGENCY =
  /\b(can'?t work|cannot work|unable to work|urgent|asap|immediately|right now|blocked|deadline|down)\b/i;

export function createDialogs(deps: DialogDeps) {
  const { tickets, nlu } = deps;

  async function cardReply(ctx: TurnContext, t: Ticket): Promise<Reply['card']> {
    const view = await tickets.view(t.number, ctx.person, ctx.now);
    return ticketCard(t, {
      sla: view.sla,
      group: view.group?.name ?? null,
      assignee: view.assignee?.displayName ?? null,
      timeZone: ctx.person.timeZone,
      now: ctx.now,
    });
  }

  /** The ticket this conversation is about, when it is the speaker's own. */
  async function conversationTicket(ctx: TurnContext): Promise<Ticket | null> {
    if (ctx.conversation.ticketId === null) return null;
    const t = await tickets.byIdForSystem(ctx.conversation.ticketId);
    return t && t.requesterId === ctx.person.id ? t : null;
  }

  async function openTickets(ctx: TurnContext): Promise<Ticket[]> {
    return tickets.listFor(ctx.person, { requesterId: ctx.person.id, states: [...OPEN_STATES], limit: 20 });
  }

  /** The ticket a message is about: a number in it, the conversation's ticket, or the only open one. */
  async function targetTicket(
    ctx: TurnContext,
    text: string,
    intent: string,
  ): Promise<Ticket | null | 'asked'> {
    const numbers = findTicketNumbers(text);
    if (numbers[0]) return tickets.get(numbers[0].number, ctx.person);
    const current = await conversationTicket(ctx);
    if (current) return current;
    const open = await openTickets(ctx);
    const candidates =
      intent === 'reopen_ticket'
        ? await tickets.listFor(ctx.person, { requesterId: ctx.person.id, states: ['resolved'], limit: 10 })
        : open;
    if (candidates.length === 1) return candidates[0] ?? null;
    if (candidates.length === 0) return null;
    ctx.dialog = { kind: 'pick_ticket', intent };
    say(ctx, 'Which ticket do you mean?', {
      choices: candidates.slice(0, 5).map((t) => ({
        label: `${t.number} ${t.title}`.slice(0, 70),
        actionId: 'choice',
        value: { intent, ticket: t.number },
      })),
    });
    return 'asked';
  }

  async function handoff(
    ctx: TurnContext,
    reason: string,
    text: string,
    ticket: Ticket | null,
    how: { confidence?: number | null; tried?: string[] } = {},
  ): Promise<void> {
    let t = ticket;
    if (!t) {
      const current = await conversationTicket(ctx);
      t = current && OPEN_STATES.includes(current.state) ? current : null;
    }
    if (!t) {
      const triage = await nlu.triage.predict(text);
      t = await tickets.open(
        {
          kind: 'incident',
          title: titleFrom(text),
          description: text,
          impact: triage.impact,
          urgency: triage.urgency,
          category: triage.category,
          requester: ctx.person,
          channel: ctx.incoming.platform,
          decisions: { handoff: reason },
          sourceKey: ctx.sourceKey,
        },
        ctx.now,
      );
    }
    await deps.store.saveConversation(ctx.conversation.id, { ticketId: t.id }, ctx.now);
    ctx.conversation.ticketId = t.id;
    // The owner lives on the ticket's first requester conversation (see handoff.ts).
    const primary = (await deps.handoff.primaryOf(t.id)) ?? ctx.conversation;
    let moved = false;
    if (primary.owner === 'bot') {
      moved = await deps.store.compareAndSetOwner(primary.id, ['bot'], 'queue', ctx.now);
      if (moved) await tickets.recordOwner(t.number, 'bot', 'queue', null, reason, ctx.now);
    }
    if (moved) {
      const summary = text.replace(/\s+/g, ' ').trim().slice(0, 240);
      const posted = await deps.handoff.postToAgents(
        t,
        { reason, confidence: how.confidence ?? null, tried: how.tried ?? [], summary },
        ctx.incoming.platform,
        ctx.emit,
        ctx.now,
      );
      void posted;
    }
    ctx.dialog = { kind: 'idle' };
    const card = await cardReply(ctx, t);
    say(
      ctx,
      `I'm handing this to a person from the service desk (${t.number}). They will reply here${card?.eta ? `; ${card.eta.charAt(0).toLowerCase()}${card.eta.slice(1)}` : ''}.`,
      card ? { card } : {},
      { bindTicketId: t.id },
    );
  }

  async function openIncident(
    ctx: TurnContext,
    text: string,
    intent: string,
    prediction: IntentPrediction | null,
  ): Promise<void> {
    const triage = await nlu.triage.predict(text);
    const category = INCIDENT_CATEGORY[intent] ?? triage.category;
    const t = await tickets.open(
      {
        kind: 'incident',
        title: titleFrom(text),
        description: text,
        impact: triage.impact,
        urgency: triage.urgency,
        category,
        requester: ctx.person,
        channel: ctx.incoming.platform,
        decisions: {
          intent,
          confidence: prediction?.confidence ?? null,
          terms: prediction?.explanation.terms.slice(0, 5) ?? [],
          priorityReasons: triage.priorityReasons,
          triageCategory: triage.category,
          triageGroup: triage.group,
        },
        sourceKey: ctx.sourceKey,
      },
      ctx.now,
    );
    await deps.store.saveConversation(ctx.conversation.id, { ticketId: t.id }, ctx.now);
    ctx.conversation.ticketId = t.id;
    const extra = (await deps.hooks.onTicketOpened?.(t, ctx.person, text, null, ctx.now)) ?? [];
    const card = await cardReply(ctx, t);
    const lines = [
      `I've opened ${t.number} for you: "${t.title}". Priority ${t.priority} (impact ${t.impact}, urgency ${t.urgency}).`,
    ];
    if (card?.eta) lines.push(`${card.eta}.`);
    lines.push(...extra);
    const hit = await nlu.knowledge.answer(text);
    const article = hit ? deps.articles.get(hit.articleId) : undefined;
    if (hit && article)
      lines.push(
        `While you wait, this may help: *${article.title}*. If it fixes it, say "it works now" and I'll close the ticket.`,
      );
    if (t.priority === 'P1') {
      say(ctx, lines.join('\n'), card ? { card } : {}, { bindTicketId: t.id });
      await handoff(ctx, 'P1 incident', text, t, {
        confidence: prediction?.confidence ?? null,
        tried: [`opened ${t.number} as ${t.priority}`],
      });
      return;
    }
    lines.push(
      'Is more than you affected, or can you not work at all? Tell me and I will raise the priority.',
    );
    ctx.dialog = { kind: 'incident_adjust', ticket: t.number };
    say(
      ctx,
      lines.join('\n'),
      {
        ...(card ? { card } : {}),
        ...(hit && article
          ? { article: { id: hit.articleId, title: article.title, body: article.body, url: article.url } }
          : {}),
        choices: [
          {
            label: 'My whole team is affected',
            actionId: 'choice',
            value: { intent: 'raise', ticket: t.number, impact: 'high' },
          },
          {
            label: "I can't work at all",
            actionId: 'choice',
            value: { intent: 'raise', ticket: t.number, urgency: 'high' },
          },
        ],
      },
      { bindTicketId: t.id },
    );
  }

  async function raisePriority(
    ctx: TurnContext,
    number: string,
    impact: Level | null,
    urgency: Level | null,
    why: string,
  ): Promise<void> {
    const t = await tickets.get(number, ctx.person);
    const next = await tickets.reprioritize(
      number,
      ctx.person,
      impact ?? t.impact,
      urgency ?? t.urgency,
      `requester: ${why}`,
      ctx.now,
    );
    ctx.dialog = { kind: 'idle' };
    if (next.priority === t.priority) {
      say(ctx, `Noted on ${t.number}; the priority stays ${t.priority}.`);
      return;
    }
    const card = await cardReply(ctx, next);
    say(
      ctx,
      `Thanks: ${next.number} is now ${next.priority} (impact ${next.impact}, urgency ${next.urgency}).${card?.eta ? ` ${card.eta}.` : ''}`,
      card ? { card } : {},
    );
    if (next.priority === 'P1') await handoff(ctx, 'P1 incident', t.description, next);
  }

  function askField(
    ctx: TurnContext,
    template: Template,
    field: TemplateField,
    values: Record<string, unknown>,
    prefix = '',
  ): void {
    ctx.dialog = { kind: 'template', templateId: template.id, values, asking: field.id };
    const opts = field.options ? `\n${field.options.map((o, i) => `${i + 1}. ${o}`).join('\n')}` : '';
    const hint =
      field.type === 'date'
        ? ' (yyyy-mm-dd, or "today"/"tomorrow")'
        : field.type === 'boolean'
          ? ' (yes/no)'
          : field.type === 'multiselect'
            ? ' (one or more, separated by commas)'
            : '';
    const optional = field.required ? '' : ' — optional, say "skip" to leave it out';
    say(ctx, `${prefix}${field.label}${hint}${optional}?${field.help ? `\n_${field.help}_` : ''}${opts}`, {
      ...(field.type === 'select' && field.options
        ? {
            choices: field.options
              .slice(0, 8)
              .map((o) => ({ label: o, actionId: 'choice' as const, value: { answer: o } })),
          }
        : {}),
    });
  }

  async function startTemplate(
    ctx: TurnContext,
    templateId: string,
    prefill: Record<string, unknown> = {},
  ): Promise<void> {
    const template = deps.templates.get(templateId);
    if (!template) {
      say(ctx, `I don't know the request form "${templateId}". Say "help" to see what I can do.`);
      return;
    }
    const field = nextMissingField(template, prefill, { includeOptional: true });
    const intro = `Let's do a *${template.title}*: ${template.description} You can fill in the form, or answer here one question at a time (say "cancel" to stop).\n`;
    if (!field) {
      await submitTemplate(ctx, template, prefill);
      return;
    }
    // Platforms with forms show a button for the whole form; plain chat gets one question at a time.
    say(ctx, intro.trim(), { form: templateForm(template, prefill) });
    askField(ctx, template, field, prefill);
  }

  async function submitTemplate(
    ctx: TurnContext,
    template: Template,
    values: Record<string, unknown>,
  ): Promise<void> {
    const clean = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== null));
    const checked = validateSubmission(template, clean);
    if (!checked.ok) {
      const first = checked.errors[0];
      const field = template.fields.find((f) => f.id === first?.field);
      if (field) {
        const rest = { ...values };
        delete rest[field.id];
        askField(ctx, template, field, rest, `${first?.message}. `);
        return;
      }
      say(ctx, `The request could not be submitted: ${checked.errors.map((e) => e.message).join('; ')}`);
      ctx.dialog = { kind: 'idle' };
      return;
    }
    if (template.kind === 'change' && deps.hooks.openChange) {
      const r = await deps.hooks.openChange(ctx.person, checked.values, ctx.now);
      await deps.store.saveConversation(ctx.conversation.id, { ticketId: r.ticket.id }, ctx.now);
      ctx.dialog = { kind: 'idle' };
      say(ctx, r.text);
      return;
    }
    const summary = template.fields
      .filter((f) => checked.values[f.id] !== undefined)
      .slice(0, 2)
      .map((f) => String(checked.values[f.id]))
      .join(', ');
    const t = await tickets.open(
      {
        kind: template.kind === 'incident' ? 'incident' : 'service_request',
        title: summary ? `${template.title}: ${summary}` : template.title,
        description: template.fields
          .filter((f) => checked.values[f.id] !== undefined)
          .map((f) => {
            const v = checked.values[f.id];
            return `${f.label}: ${Array.isArray(v) ? v.join(', ') : String(v)}`;
          })
          .join('\n'),
        impact: 'low',
        urgency: 'medium',
        category: template.category,
        templateId: template.id,
        fields: checked.values,
        groupSlug: template.group ?? null,
        requester: ctx.person,
        channel: ctx.incoming.platform,
        sourceKey: ctx.sourceKey,
      },
      ctx.now,
    );
    await deps.store.saveConversation(ctx.conversation.id, { ticketId: t.id }, ctx.now);
    ctx.conversation.ticketId = t.id;
    ctx.dialog = { kind: 'idle' };
    const extra =
      (await deps.hooks.onTicketOpened?.(t, ctx.person, t.description, template.approval ?? null, ctx.now)) ??
      [];
    const card = await cardReply(ctx, t);
    say(
      ctx,
      [
        `Done: your request ${t.number} "${t.title}" is submitted.${card?.eta ? ` ${card.eta}.` : ''}`,
        ...extra,
      ].join('\n'),
      card ? { card } : {},
      { bindTicketId: t.id },
    );
  }

  async function offerKnowledge(
    ctx: TurnContext,
    text: string,
    intent: string,
    prediction: IntentPrediction | null,
  ): Promise<void> {
    const hit = await nlu.knowledge.answer(text);
    const article = hit ? deps.articles.get(hit.articleId) : undefined;
    if (!hit || !article) {
      if (intent === 'how_to') {
        await handoff(ctx, 'no knowledge article answers the question', text, null, {
          confidence: prediction?.confidence ?? null,
          tried: ['searched the knowledge base: nothing confident'],
        });
        return;
      }
      await openRequestFromText(ctx, text, intent, prediction);
      return;
    }
    const answerId = await deps.store.recordKbAnswer({
      personId: ctx.person.id,
      articleId: hit.articleId,
      query: text,
      intent,
      confidence: hit.confidence,
      platform: ctx.incoming.platform,
      answeredAt: ctx.now,
    });
    ctx.dialog = { kind: 'kb', articleId: hit.articleId, query: text, intent, unhelpful: 0, answerId };
    say(ctx, `This article should help: *${article.title}*\n\n${article.body}\n\nDid this solve it?`, {
      article: { id: hit.articleId, title: article.title, body: article.body, url: article.url },
      choices: [
        { label: 'Yes, solved', actionId: 'kb.helpful', value: { article: hit.articleId }, style: 'primary' },
        { label: 'No, open a ticket', actionId: 'kb.not_helpful', value: { article: hit.articleId } },
      ],
    });
  }

  /** Password resets and unlocks without a self-service answer become requests for the desk. */
  async function openRequestFromText(
    ctx: TurnContext,
    text: string,
    intent: string,
    prediction: IntentPrediction | null,
  ): Promise<void> {
    const t = await tickets.open(
      {
        kind: intent === 'password_reset' || intent === 'account_locked' ? 'service_request' : 'incident',
        title: titleFrom(text),
        description: text,
        impact: 'low',
        urgency: intent === 'account_locked' ? 'high' : 'medium',
        category: 'access',
        requester: ctx.person,
        channel: ctx.incoming.platform,
        decisions: { intent, confidence: prediction?.confidence ?? null },
        sourceKey: ctx.sourceKey,
      },
      ctx.now,
    );
    await deps.store.saveConversation(ctx.conversation.id, { ticketId: t.id }, ctx.now);
    ctx.conversation.ticketId = t.id;
    ctx.dialog = { kind: 'idle' };
    const card = await cardReply(ctx, t);
    say(
      ctx,
      `I've opened ${t.number} for you: "${t.title}".${card?.eta ? ` ${card.eta}.` : ''}`,
      card ? { card } : {},
      { bindTicketId: t.id },
    );
  }

  async function status(ctx: TurnContext, text: string): Promise<void> {
    const numbers = findTicketNumbers(text);
    if (numbers[0]) {
      const t = await tickets.get(numbers[0].number, ctx.person);
      const card = await cardReply(ctx, t);
      say(ctx, card ? ticketLine(card) : t.number, card ? { card } : {});
      return;
    }
    const open = await openTickets(ctx);
    if (open.length === 0) {
      say(ctx, 'You have no open tickets. Tell me if something is wrong or you need something.');
      return;
    }
    const cards = await Promise.all(open.slice(0, 10).map((t) => cardReply(ctx, t)));
    const lines = cards.filter((c): c is NonNullable<typeof c> => c !== undefined).map(ticketLine);
    say(ctx, `Your open tickets (${open.length}):\n${lines.map((l) => `• ${l}`).join('\n')}`);
  }

  async function ticketCommand(
    ctx: TurnContext,
    intent: string,
    text: string,
    explicit?: Ticket,
  ): Promise<void> {
    const found = explicit ?? (await targetTicket(ctx, text, intent));
    if (found === 'asked') return;
    if (!found) {
      say(
        ctx,
        intent === 'reopen_ticket'
          ? 'You have no recently resolved ticket to reopen. Tell me what is wrong and I will open a new one.'
          : 'You have no open tickets. Say "status" to see your tickets.',
      );
      return;
    }
    const t = found;
    const act = async (to: Ticket['state'], reason: string, done: string) => {
      const next = await tickets.transition(t.number, to, ctx.person, { reason }, ctx.now);
      const card = await cardReply(ctx, next);
      say(ctx, done, card ? { card } : {}, { updateSource: true });
      return next;
    };
    switch (intent) {
      case 'cancel_ticket':
        await act('cancelled', 'requester cancelled', `${t.number} is cancelled.`);
        return;
      case 'close_ticket': {
        if (t.state === 'resolved') {
          await act('closed', 'requester confirmed', `${t.number} is closed. Thanks for confirming!`);
        } else {
          await act('resolved', 'requester says it works now', `Glad it works! ${t.number} is resolved.`);
        }
        ctx.dialog = { kind: 'rate', ticket: t.number };
        say(ctx, `How did we do on ${t.number}? Rate 1 (poor) to 5 (great).`, {
          choices: ratingChoices(t.number),
        });
        return;
      }
      case 'reopen_ticket':
        await act(
          'in_progress',
          'requester reopened',
          `${t.number} is reopened; the team will look at it again.`,
        );
        return;
      case 'add_info': {
        const rest = text
          .replace(/\b(INC|REQ|PRB|CHG)\s*#?\d{1,7}\b/gi, '')
          .replace(
            /^[\s:,-]*(add(ing)?( some)?( more)?( info(rmation)?| details?)?( to( my)?( ticket)?)?)[\s:,-]*/i,
            '',
          );
        if (wordCount(rest) >= 3) {
          await tickets.comment(t.number, ctx.person, rest, { platform: ctx.incoming.platform }, ctx.now);
          say(ctx, `Added to ${t.number}. The team will see it.`);
          ctx.dialog = { kind: 'idle' };
        } else {
          ctx.dialog = { kind: 'add_info', ticket: t.number };
          say(ctx, `What would you like to add to ${t.number}?`);
        }
        return;
      }
      case 'ticket_status': {
        const card = await cardReply(ctx, t);
        say(ctx, card ? ticketLine(card) : t.number, card ? { card } : {});
        return;
      }
      default:
        say(ctx, HELP_TEXT);
    }
  }

  const ratingChoices = (number: string): Choice[] =>
    [1, 2, 3, 4, 5].map((n) => ({
      label: '★'.repeat(n),
      actionId: 'ticket.rate' as const,
      value: { ticket: number, rating: n },
    }));

  async function routeIntent(ctx: TurnContext, text: string, prediction: IntentPrediction): Promise<void> {
    const intent = prediction.intent;
    const idle = ctx.dialog.kind === 'idle' ? ctx.dialog : { kind: 'idle' as const };
    if (prediction.outOfScope || intent === OUT_OF_SCOPE) {
      const misses = (idle.misses ?? 0) + 1;
      if (misses >= 2 && wordCount(text) >= 3) {
        await handoff(ctx, 'out of scope twice in a row', text, null, {
          confidence: prediction.confidence,
          tried: ['asked the requester to rephrase'],
        });
        return;
      }
      ctx.dialog = { kind: 'idle', misses };
      say(
        ctx,
        "Sorry, I'm not sure that's something the IT desk can help with. I handle IT problems, requests, access and ticket status. What would you like to do?",
        { choices: START_CHOICES },
      );
      return;
    }
    if (prediction.confidence < deps.handoffThreshold) {
      if (wordCount(text) < 3) {
        ctx.dialog = { kind: 'idle', misses: (idle.misses ?? 0) + 1 };
        say(
          ctx,
          "I didn't quite get that. Could you tell me a bit more about what's wrong or what you need?",
          { choices: START_CHOICES },
        );
        return;
      }
      await handoff(ctx, `low confidence (${prediction.confidence.toFixed(2)} for ${intent})`, text, null, {
        confidence: prediction.confidence,
        tried: [
          `best guesses: ${[intent, ...prediction.alternatives.slice(0, 2).map((a) => a.intent)].join(', ')}`,
        ],
      });
      return;
    }
    ctx.dialog = { kind: 'idle' };
    if (intent in INCIDENT_CATEGORY) {
      if (intent === 'incident_other' && wordCount(text) < 6) {
        ctx.dialog = { kind: 'incident_what', intent };
        say(
          ctx,
          'Sorry to hear that. What exactly is not working? (For example: "Outlook crashes when I open attachments".)',
        );
        return;
      }
      await openIncident(ctx, text, intent, prediction);
      return;
    }
    const templateId = TEMPLATE_FOR_INTENT[intent];
    if (templateId) {
      await startTemplate(ctx, templateId);
      return;
    }
    if (KB_INTENTS.has(intent)) {
      await offerKnowledge(ctx, text, intent, prediction);
      return;
    }
    switch (intent) {
      case 'greeting':
        say(
          ctx,
          `Hi ${ctx.person.displayName.split(' ')[0]}! I'm the IT desk bot. Tell me what's wrong or what you need.`,
          { choices: START_CHOICES },
        );
        return;
      case 'thanks':
        say(ctx, "You're welcome! Anything else, just write.");
        return;
      case 'goodbye':
        say(ctx, 'Bye! Write any time.');
        return;
      case 'help':
        say(ctx, HELP_TEXT, { choices: START_CHOICES });
        return;
      case 'feedback':
        say(
          ctx,
          'Thank you for the feedback; it goes to the service desk team. Is there anything I can do for you now?',
        );
        return;
      case 'affirm':
      case 'deny':
        say(ctx, 'What would you like to do?', { choices: START_CHOICES });
        return;
      case 'ticket_status':
        await status(ctx, text);
        return;
      case 'talk_to_human':
        await handoff(ctx, 'requester asked for a person', text, null);
        return;
      case 'manager_report':
        await managerSummary(ctx);
        return;
      case 'add_info':
      case 'cancel_ticket':
      case 'close_ticket':
      case 'reopen_ticket':
        await ticketCommand(ctx, intent, text);
        return;
      default:
        await handoff(ctx, `no dialog for intent ${intent}`, text, null);
    }
  }

  async function managerSummary(ctx: TurnContext): Promise<void> {
    if (ctx.person.role === 'employee') {
      say(
        ctx,
        'Desk reports are for service desk managers and agents. Say "status" to see your own tickets.',
      );
      return;
    }
    if (deps.hooks.managerReport) {
      say(ctx, await deps.hooks.managerReport(ctx.person));
      return;
    }
    const open = await tickets.listFor(ctx.person, { states: [...OPEN_STATES], limit: 500 });
    const byPriority = new Map<string, number>();
    for (const t of open) byPriority.set(t.priority, (byPriority.get(t.priority) ?? 0) + 1);
    const parts = ['P1', 'P2', 'P3', 'P4'].map((p) => `${p}: ${byPriority.get(p) ?? 0}`);
    say(ctx, `Open tickets: ${open.length}${open.length === 500 ? '+' : ''} (${parts.join(', ')}).`);
  }

  /** Answers to a question the bot asked. Returns false when the message is not an answer after all. */
  async function continueDialog(ctx: TurnContext, text: string): Promise<boolean> {
    const d = ctx.dialog;
    switch (d.kind) {
      case 'incident_what':
        await openIncident(ctx, text, d.intent, null);
        return true;
      case 'incident_adjust': {
        const impact = RAISE_IMPACT.test(text) ? 'high' : null;
        const urgency = RAISE_URGENCY.test(text) ? 'high' : null;
        if (!impact && !urgency) return false;
        await raisePriority(ctx, d.ticket, impact, urgency, text.slice(0, 200));
        return true;
      }
      case 'template': {
        const template = deps.templates.get(d.templateId);
        const field = template?.fields.find((f) => f.id === d.asking);
        if (!template || !field) {
          ctx.dialog = { kind: 'idle' };
          return false;
        }
        const parsed = parseFieldAnswer(field, text, { now: ctx.now });
        if (!parsed.ok) {
          askField(ctx, template, field, d.values, `${parsed.message}. `);
          return true;
        }
        const values = { ...d.values, [field.id]: parsed.value };
        const next = nextMissingField(template, values, { includeOptional: true });
        if (next) askField(ctx, template, next, values);
        else await submitTemplate(ctx, template, values);
        return true;
      }
      case 'add_info':
        await tickets.comment(d.ticket, ctx.person, text, { platform: ctx.incoming.platform }, ctx.now);
        ctx.dialog = { kind: 'idle' };
        say(ctx, `Added to ${d.ticket}. The team will see it.`);
        return true;
      case 'rate': {
        const m = /^\s*([1-5])\b/.exec(text);
        if (!m) return false;
        await tickets.rate(
          d.ticket,
          ctx.person,
          Number(m[1]),
          text.replace(/^\s*[1-5]\s*[-:,.]?\s*/, '') || null,
          ctx.now,
        );
        ctx.dialog = { kind: 'idle' };
        say(ctx, 'Thanks for rating!');
        return true;
      }
      case 'kb': {
        const p = await nlu.intents.classify(text);
        if (p.intent === 'affirm' || p.intent === 'close_ticket' || p.intent === 'thanks') {
          await kbHelpful(ctx, d.answerId ?? null);
          return true;
        }
        if (p.intent === 'deny') {
          await kbNotHelpful(ctx, d);
          return true;
        }
        return false;
      }
      case 'pick_ticket': {
        const numbers = findTicketNumbers(text);
        if (!numbers[0]) return false;
        await ticketCommand(ctx, d.intent, text);
        return true;
      }
      case 'idle':
        return false;
    }
  }

  async function kbHelpful(ctx: TurnContext, answerId: number | null): Promise<void> {
    ctx.dialog = { kind: 'idle' };
    if (answerId !== null) await deps.store.setKbOutcome(answerId, 'accepted', ctx.now, null);
    say(ctx, 'Great, glad that solved it! Write any time you need something else.');
  }

  async function kbNotHelpful(ctx: TurnContext, d: Extract<DialogState, { kind: 'kb' }>): Promise<void> {
    const unhelpful = d.unhelpful + 1;
    if (d.answerId !== undefined) await deps.store.setKbOutcome(d.answerId, 'rejected', ctx.now, null);
    if (unhelpful >= 2) {
      await handoff(ctx, 'two unhelpful knowledge answers in a row', d.query, null, {
        tried: [
          `suggested articles that did not help (last: ${deps.articles.get(d.articleId)?.title ?? d.articleId})`,
        ],
      });
      return;
    }
    // One more try with the next-best article before a person takes over.
    const next = (await nlu.knowledge.search(d.query, 3)).find(
      (h) => h.articleId !== d.articleId && h.confidence >= SECOND_ARTICLE_MIN_CONFIDENCE,
    );
    const article = next ? deps.articles.get(next.articleId) : undefined;
    if (next && article) {
      const answerId = await deps.store.recordKbAnswer({
        personId: ctx.person.id,
        articleId: next.articleId,
        query: d.query,
        intent: d.intent,
        confidence: next.confidence,
        platform: ctx.incoming.platform,
        answeredAt: ctx.now,
      });
      ctx.dialog = {
        kind: 'kb',
        articleId: next.articleId,
        query: d.query,
        intent: d.intent,
        unhelpful,
        answerId,
      };
      say(
        ctx,
        `Sorry about that. Maybe this one: *${article.title}*\n\n${article.body}\n\nDid this solve it?`,
        {
          article: { id: next.articleId, title: article.title, body: article.body, url: article.url },
          choices: [
            {
              label: 'Yes, solved',
              actionId: 'kb.helpful',
              value: { article: next.articleId },
              style: 'primary',
            },
            { label: 'No, get me a person', actionId: 'kb.not_helpful', value: { article: next.articleId } },
          ],
        },
      );
      return;
    }
    if (d.intent === 'how_to') {
      await handoff(ctx, 'knowledge answer did not help', d.query, null, {
        tried: [`suggested "${deps.articles.get(d.articleId)?.title ?? d.articleId}"`],
      });
      return;
    }
    await openRequestFromText(
      ctx,
      `${d.query}\n\n(The article "${deps.articles.get(d.articleId)?.title ?? d.articleId}" did not solve it.)`,
      d.intent,
      null,
    );
  }

  return {
    async onMessage(ctx: TurnContext, msg: IncomingMessage): Promise<void> {
      const text = msg.text.trim();
      if (
        /^(cancel|stop|never ?mind|abort|forget it)[.!]?$/i.test(text) &&
        ctx.dialog.kind !== 'idle' &&
        ctx.dialog.kind !== 'rate'
      ) {
        ctx.dialog = { kind: 'idle' };
        say(ctx, 'OK, stopped. What else can I do for you?');
        return;
      }
      const availability = /^\s*(?:i'?m\s+)?(away|back|out of office|available)\s*[.!]?\s*$/i.exec(text);
      if (availability && ctx.person.role !== 'employee' && deps.hooks.setAway) {
        const word = availability[1]?.toLowerCase();
        say(ctx, await deps.hooks.setAway(ctx.person, word === 'away' || word === 'out of office'));
        return;
      }
      const draft =
        /^\s*draft (?:an? )?(?:kb |knowledge )?article (?:from |for )?((?:INC|REQ)\d{7})\s*$/i.exec(text);
      if (draft?.[1] && ctx.person.role !== 'employee' && deps.hooks.draftArticle) {
        say(ctx, await deps.hooks.draftArticle(draft[1].toUpperCase(), ctx.person));
        return;
      }
      if (deps.hooks.approvalCommand) {
        const answer = await deps.hooks.approvalCommand(text, ctx.person, ctx.now);
        if (answer !== null) {
          say(ctx, answer);
          return;
        }
      }
      if (ctx.person.role !== 'employee' && deps.hooks.staffCommand) {
        const answer = await deps.hooks.staffCommand(text, ctx.person, ctx.now);
        if (answer !== null) {
          say(ctx, answer);
          return;
        }
      }
      if (
        /^(rfc|new change|request (?:a |for )?change)$/i.test(text) &&
        deps.templates.has('change-request')
      ) {
        await startTemplate(ctx, 'change-request');
        return;
      }
      // `/it report` in Slack, `report` in Teams: the managers' command, never left to the classifier.
      if (/^(report|kpis?|desk report)$/i.test(text)) {
        await managerSummary(ctx);
        return;
      }
      if (ctx.dialog.kind !== 'idle' && (await continueDialog(ctx, text))) return;
      const mood = frustrationOf(text);
      if (mood.frustrated) {
        await handoff(ctx, `frustration (${mood.reason})`, text, null, {
          tried: ctx.dialog.kind === 'idle' ? [] : [`was in the middle of: ${ctx.dialog.kind}`],
        });
        return;
      }
      const prediction = await nlu.intents.classify(text);
      if (ctx.dialog.kind === 'template' && prediction.intent !== 'talk_to_human') {
        // A non-answer in the middle of a form is re-asked rather than dropped.
        const template = deps.templates.get(ctx.dialog.templateId);
        const field = template?.fields.find((f) => f.id === (ctx.dialog as { asking: string }).asking);
        if (template && field) {
          askField(ctx, template, field, ctx.dialog.values);
          return;
        }
      }
      if (ctx.dialog.kind === 'kb' && prediction.intent !== 'talk_to_human') ctx.dialog = { kind: 'idle' };
      await routeIntent(ctx, text, prediction);
    },

    async onAction(ctx: TurnContext, action: IncomingAction): Promise<void> {
      const v = action.value;
      const ticketNo = typeof v.ticket === 'string' ? v.ticket : null;
      const explicit = ticketNo ? await tickets.get(ticketNo, ctx.person) : undefined;
      switch (action.actionId) {
        case 'ticket.close':
          await ticketCommand(ctx, 'close_ticket', '', explicit);
          return;
        case 'ticket.cancel':
          await ticketCommand(ctx, 'cancel_ticket', '', explicit);
          return;
        case 'ticket.reopen':
          await ticketCommand(ctx, 'reopen_ticket', '', explicit);
          return;
        case 'ticket.add_info':
          if (explicit) {
            ctx.dialog = { kind: 'add_info', ticket: explicit.number };
            say(ctx, `What would you like to add to ${explicit.number}?`);
          } else await ticketCommand(ctx, 'add_info', '');
          return;
        case 'ticket.status':
          if (explicit) await ticketCommand(ctx, 'ticket_status', '', explicit);
          else await status(ctx, '');
          return;
        case 'ticket.human':
          await handoff(
            ctx,
            'requester asked for a person',
            explicit?.description ?? 'Requester asked to talk to a person',
            explicit ?? null,
          );
          return;
        case 'ticket.rate': {
          if (!explicit)
            throw new AppError('validation_failed', 'Which ticket do you want to rate?', { field: 'ticket' });
          const rating = Number(v.rating);
          if (!Number.isInteger(rating)) {
            ctx.dialog = { kind: 'rate', ticket: explicit.number };
            say(ctx, `How did we do on ${explicit.number}? Rate 1 (poor) to 5 (great).`, {
              choices: ratingChoices(explicit.number),
            });
            return;
          }
          await tickets.rate(
            explicit.number,
            ctx.person,
            rating,
            typeof v.comment === 'string' ? v.comment : null,
            ctx.now,
          );
          ctx.dialog = { kind: 'idle' };
          say(ctx, `Thanks for rating ${explicit.number} ${'★'.repeat(rating)}!`);
          return;
        }
        case 'kb.helpful':
          await kbHelpful(ctx, ctx.dialog.kind === 'kb' ? (ctx.dialog.answerId ?? null) : null);
          return;
        case 'kb.not_helpful': {
          const d =
            ctx.dialog.kind === 'kb'
              ? ctx.dialog
              : {
                  kind: 'kb' as const,
                  articleId: String(v.article ?? ''),
                  query: 'Knowledge article did not help',
                  intent: 'how_to',
                  unhelpful: 0,
                };
          await kbNotHelpful(ctx, d);
          return;
        }
        case 'form.open': {
          const id = typeof v.templateId === 'string' ? v.templateId : '';
          await startTemplate(ctx, id);
          return;
        }
        case 'form.submit': {
          const id = typeof v.templateId === 'string' ? v.templateId : '';
          const template = deps.templates.get(id);
          if (!template)
            throw new AppError('validation_failed', `Unknown request form "${id}".`, { field: 'templateId' });
          const values =
            typeof v.values === 'object' && v.values !== null ? (v.values as Record<string, unknown>) : {};
          await submitTemplate(ctx, template, values);
          return;
        }
        case 'choice': {
          if (typeof v.answer === 'string') {
            await this.onMessage(ctx, {
              ...(action as unknown as IncomingMessage),
              kind: 'message',
              text: v.answer,
              attachments: [],
              messageId: null,
              via: 'dm',
            });
            return;
          }
          const intent = typeof v.intent === 'string' ? v.intent : '';
          if (intent === 'raise' && ticketNo) {
            await raisePriority(
              ctx,
              ticketNo,
              v.impact === 'high' ? 'high' : null,
              v.urgency === 'high' ? 'high' : null,
              'chose a button',
            );
            return;
          }
          if (intent === 'request_menu') {
            say(ctx, 'What would you like to request?', {
              choices: [...deps.templates.values()].map((t) => ({
                label: t.title,
                actionId: 'form.open' as const,
                value: { templateId: t.id },
              })),
            });
            return;
          }
          if (intent === 'incident_other') {
            ctx.dialog = { kind: 'incident_what', intent };
            say(ctx, 'What is not working? Describe it in a sentence or two.');
            return;
          }
          if (explicit) {
            await ticketCommand(ctx, intent, '', explicit);
            return;
          }
          say(ctx, HELP_TEXT, { choices: START_CHOICES });
          return;
        }
      }
    },
  };
}

/** A user-facing sentence for an error raised while handling a turn. */
export function userMessageFor(e: unknown): string {
  if (isAppError(e)) {
    switch (e.code) {
      case 'not_found':
      case 'illegal_transition':
      case 'validation_failed':
      case 'forbidden':
      case 'too_large':
      case 'conflict':
        return e.message;
      default:
        break;
    }
  }
  return 'Sorry, something went wrong on my side. Your message is saved and I will try again; if it keeps failing, a person from the service desk will pick it up.';
}
