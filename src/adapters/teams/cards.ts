/**
 * `Reply` → Adaptive Cards. Buttons are universal actions (`Action.Execute`, answered in place by
 * the `adaptiveCard/action` invoke) with an `Action.Submit` fallback for clients without them; both
 * carry the same `chatdesk` routing data so the adapter decodes them the same way.
 */
import type { Choice, FormField, FormSpec, Reply, TicketCard } from '../../chat/message.js';
import { CARD_DATA_KEY } from './activity.js';
import { escapeCardText } from './markdown.js';

type CardElement = Record<string, unknown>;
export interface AdaptiveCard {
  type: 'AdaptiveCard';
  $schema: string;
  /** 1.4 is the first version with Action.Execute; Teams renders up to 1.5. */
  version: '1.4';
  body: CardElement[];
  actions?: CardElement[];
  msteams?: { width: 'Full' };
}

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

/** Teams refuses card payloads above ~28 KB; keep article bodies and texts well below. */
const MAX_TEXT = 3000;

function clip(s: string, max = MAX_TEXT): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function card(body: CardElement[], actions: CardElement[] = []): AdaptiveCard {
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.4',
    body,
    ...(actions.length > 0 ? { actions } : {}),
    msteams: { width: 'Full' },
  };
}

/** A TextBlock; its text may hold what people typed, so links cannot be disguised (markdown.ts). */
function text(t: string, extra: CardElement = {}): CardElement {
  return { type: 'TextBlock', text: escapeCardText(clip(t)), wrap: true, ...extra };
}

function routing(actionId: string, value: Record<string, unknown>): Record<string, unknown> {
  return { [CARD_DATA_KEY]: { actionId, value } };
}

/** A universal action with a classic Submit fallback carrying identical data. */
function executeAction(
  title: string,
  actionId: string,
  value: Record<string, unknown>,
  style?: 'primary' | 'danger',
): CardElement {
  const data = routing(actionId, value);
  const s = style === 'primary' ? 'positive' : style === 'danger' ? 'destructive' : undefined;
  return {
    type: 'Action.Execute',
    title,
    verb: actionId,
    data,
    ...(s ? { style: s } : {}),
    fallback: { type: 'Action.Submit', title, data, ...(s ? { style: s } : {}) },
  };
}

function choiceAction(c: Choice): CardElement {
  return executeAction(c.label, c.actionId, c.value, c.style);
}

const KIND_LABEL: Record<TicketCard['kind'], string> = {
  incident: 'Incident',
  service_request: 'Service request',
  problem: 'Problem',
  change: 'Change',
};

function ticketElements(t: TicketCard): CardElement[] {
  const facts = [
    { title: 'Number', value: t.number },
    { title: 'State', value: t.state.replace('_', ' ') },
    { title: 'Priority', value: `${t.priority} (impact ${t.impact}, urgency ${t.urgency})` },
    ...(t.group ? [{ title: 'Group', value: t.group }] : []),
    ...(t.assignee ? [{ title: 'Assignee', value: t.assignee }] : []),
    ...(t.eta ? [{ title: 'When', value: t.eta }] : []),
  ];
  return [
    {
      type: 'Container',
      style: 'emphasis',
      items: [
        text(`${KIND_LABEL[t.kind]} ${t.number}`, { weight: 'Bolder', size: 'Medium' }),
        text(t.title, { spacing: 'Small' }),
        { type: 'FactSet', facts },
      ],
    },
  ];
}

/** Renders any reply; returns null when plain text says it all (no card needed). */
export function replyToCard(reply: Reply): AdaptiveCard | null {
  if (!reply.card && !reply.choices?.length && !reply.form && !reply.article) return null;
  // The reply's text travels as the message text (it is also the notification), so the card
  // carries only what text cannot: facts, inputs and buttons.
  if (reply.form) return formCard(reply.form);
  const body: CardElement[] = [];
  const actions: CardElement[] = [];
  if (reply.article) {
    body.push({
      type: 'Container',
      items: [
        text(reply.article.title, { weight: 'Bolder' }),
        // Knowledge articles are written by the desk: their links stay links.
        { type: 'TextBlock', text: clip(reply.article.body, 2000), wrap: true, isSubtle: false },
      ],
    });
    if (reply.article.url)
      actions.push({ type: 'Action.OpenUrl', title: 'Open article', url: reply.article.url });
  }
  if (reply.card) {
    body.push(...ticketElements(reply.card));
    actions.push(...reply.card.actions.map(choiceAction));
  }
  actions.push(...(reply.choices ?? []).map(choiceAction));
  return card(body, actions);
}

/** A template as a card: one input per field, errors shown under the field they concern. */
export function formCard(form: FormSpec, intro?: string): AdaptiveCard {
  const body: CardElement[] = [text(form.title, { weight: 'Bolder', size: 'Medium' })];
  if (form.description) body.push(text(form.description, { isSubtle: true, spacing: 'Small' }));
  if (intro && intro !== form.title) body.push(text(intro));
  const errors = form.errors ?? {};
  const general = Object.entries(errors).filter(([k]) => !form.fields.some((f) => f.id === k));
  for (const [, msg] of general) body.push(text(`⚠ ${msg}`, { color: 'Attention' }));
  for (const f of form.fields) {
    body.push(inputFor(f, form.values?.[f.id]));
    const err = errors[f.id];
    if (err) body.push(text(`⚠ ${err}`, { color: 'Attention', size: 'Small', spacing: 'None' }));
  }
  return card(body, [executeAction('Submit', 'form.submit', { templateId: form.templateId }, 'primary')]);
}

function str(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v.map(String).join(',');
  return String(v);
}

function inputFor(f: FormField, value: unknown): CardElement {
  const common: CardElement = {
    id: f.id,
    label: f.label,
    isRequired: f.required,
    ...(f.required ? { errorMessage: `${f.label} is required.` } : {}),
    ...(str(value) !== undefined ? { value: str(value) } : {}),
    ...(f.help ? { placeholder: f.help } : {}),
  };
  switch (f.type) {
    case 'textarea':
      return {
        type: 'Input.Text',
        isMultiline: true,
        ...(f.maxLength ? { maxLength: f.maxLength } : {}),
        ...common,
      };
    case 'number':
      return { type: 'Input.Number', ...common };
    case 'date':
      return { type: 'Input.Date', ...common };
    case 'boolean':
      return {
        type: 'Input.Toggle',
        title: f.label,
        valueOn: 'true',
        valueOff: 'false',
        ...common,
        value: value === true || value === 'true' ? 'true' : 'false',
      };
    case 'select':
    case 'multiselect':
      return {
        type: 'Input.ChoiceSet',
        style: 'compact',
        isMultiSelect: f.type === 'multiselect',
        choices: (f.options ?? []).map((o) => ({ title: o, value: o })),
        ...common,
      };
    case 'email':
    case 'user':
      return {
        type: 'Input.Text',
        style: 'Email',
        ...(f.help ? {} : { placeholder: 'name@company.com' }),
        ...common,
      };
    default:
      return { type: 'Input.Text', ...(f.maxLength ? { maxLength: f.maxLength } : {}), ...common };
  }
}

/**
 * Card inputs arrive as strings; turns them back into the field types so the engine validates
 * values, not Adaptive Card encodings. Unknown keys are dropped (a card cannot add fields).
 */
export function formValuesFromInputs(
  form: FormSpec,
  inputs: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of form.fields) {
    const raw = inputs[f.id];
    if (raw === undefined || raw === null || raw === '') continue;
    const s = typeof raw === 'string' ? raw.trim() : raw;
    switch (f.type) {
      case 'number': {
        const n = typeof s === 'number' ? s : Number(s);
        out[f.id] = Number.isFinite(n) ? n : s;
        break;
      }
      case 'boolean':
        out[f.id] = s === true || s === 'true';
        break;
      case 'multiselect':
        out[f.id] = Array.isArray(s)
          ? s.map(String)
          : String(s)
              .split(',')
              .map((x) => x.trim())
              .filter((x) => x.length > 0);
        break;
      default:
        out[f.id] = typeof s === 'string' ? s : String(s);
    }
  }
  return out;
}

/** Shown in place of a card while the engine works on the action; the engine's update replaces it. */
export function pendingCard(message: string): AdaptiveCard {
  return card([text(message, { isSubtle: true })]);
}

export function welcomeCard(
  templates: Array<{ id: string; title: string; description: string }>,
): AdaptiveCard {
  const body: CardElement[] = [
    text('Hi! I am the IT service desk bot.', { weight: 'Bolder', size: 'Medium' }),
    text(
      'Tell me what is wrong in your own words ("my vpn keeps dropping") and I will answer from the knowledge base or open a ticket for you. ' +
        'Type **help** for what I can do, **my tickets** for your open tickets, or pick a request below. ' +
        'On any message, use **… → More actions → Create ticket** to turn it into a ticket.',
    ),
  ];
  const actions = templates.slice(0, 5).map((t) => executeAction(t.title, 'form.open', { templateId: t.id }));
  return card(body, actions);
}

/** The "Create ticket" message action's dialog, prefilled from the message. */
export function createTicketTaskCard(prefill: { text: string; author: string | null }): AdaptiveCard {
  const body: CardElement[] = [
    text('Create a ticket from this message', { weight: 'Bolder', size: 'Medium' }),
    ...(prefill.author
      ? [text(`Reported for ${prefill.author}.`, { isSubtle: true, spacing: 'Small' })]
      : []),
    {
      type: 'Input.Text',
      id: 'text',
      label: 'What is the problem?',
      isMultiline: true,
      isRequired: true,
      errorMessage: 'Please describe the problem.',
      maxLength: 4000,
      value: clip(prefill.text, 4000),
    },
  ];
  // Task modules only return data through Action.Submit.
  return card(body, [
    {
      type: 'Action.Submit',
      title: 'Create ticket',
      style: 'positive',
      data: { [CARD_DATA_KEY]: { actionId: 'form.submit', value: { kind: 'ticket_from_message' } } },
    },
  ]);
}
