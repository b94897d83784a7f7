/**
 * FormSpec → modal, modal state → form values, and the other modals (template picker, "Create
 * ticket", notices). Pure functions; Slack's limits on titles, texts and options are enforced here.
 */
import type { types as SlackTypes } from '@slack/bolt';
import type { FormField, FormSpec } from '../../chat/message.js';
import {
  DESCRIPTION_BLOCK,
  escapeMrkdwn,
  MAX_OPTIONS,
  MAX_SECTION,
  MAX_TITLE,
  plain,
  TEMPLATE_BLOCK,
  truncate,
  VALUE_ACTION,
  VIEW_CALLBACK_ID,
} from './render.js';
import type { ModalMetadata, SlackElementState } from './schemas.js';

type KnownBlock = SlackTypes.KnownBlock;
type ModalView = SlackTypes.ModalView;

function option(value: string): SlackTypes.PlainTextOption {
  return { text: plain(value, 75), value: truncate(value, 150) };
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string' && v.length > 0) return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

function fieldElement(field: FormField, initial: unknown): SlackTypes.InputBlock['element'] {
  const init = str(initial);
  const options = (field.options ?? []).slice(0, MAX_OPTIONS);
  switch (field.type) {
    case 'textarea':
    case 'text': {
      const el: SlackTypes.PlainTextInput = {
        type: 'plain_text_input',
        action_id: VALUE_ACTION,
        multiline: field.type === 'textarea',
      };
      if (field.maxLength) el.max_length = Math.min(field.maxLength, 3000);
      if (init) el.initial_value = truncate(init, 3000);
      return el;
    }
    case 'number': {
      const el: SlackTypes.NumberInput = {
        type: 'number_input',
        action_id: VALUE_ACTION,
        is_decimal_allowed: true,
      };
      if (init && Number.isFinite(Number(init))) el.initial_value = init;
      return el;
    }
    case 'email': {
      const el: SlackTypes.EmailInput = { type: 'email_text_input', action_id: VALUE_ACTION };
      if (init) el.initial_value = init;
      return el;
    }
    case 'date': {
      const el: SlackTypes.Datepicker = { type: 'datepicker', action_id: VALUE_ACTION };
      if (init && /^\d{4}-\d{2}-\d{2}$/.test(init)) el.initial_date = init;
      return el;
    }
    case 'user': {
      const el: SlackTypes.UsersSelect = { type: 'users_select', action_id: VALUE_ACTION };
      if (init) el.initial_user = init;
      return el;
    }
    case 'boolean': {
      const opt: SlackTypes.PlainTextOption = { text: plain(field.label, 75), value: 'true' };
      const el: SlackTypes.Checkboxes = { type: 'checkboxes', action_id: VALUE_ACTION, options: [opt] };
      if (initial === true || init === 'true') el.initial_options = [opt];
      return el;
    }
    case 'select': {
      // Slack refuses a select without options; a text box still lets the user answer.
      if (options.length === 0) return { type: 'plain_text_input', action_id: VALUE_ACTION };
      const el: SlackTypes.StaticSelect = {
        type: 'static_select',
        action_id: VALUE_ACTION,
        options: options.map(option),
      };
      if (init && options.includes(init)) el.initial_option = option(init);
      return el;
    }
    case 'multiselect': {
      if (options.length === 0) return { type: 'plain_text_input', action_id: VALUE_ACTION };
      const el: SlackTypes.MultiStaticSelect = {
        type: 'multi_static_select',
        action_id: VALUE_ACTION,
        options: options.map(option),
      };
      const chosen = Array.isArray(initial)
        ? initial.filter((v): v is string => typeof v === 'string' && options.includes(v))
        : [];
      if (chosen.length > 0) el.initial_options = chosen.map(option);
      return el;
    }
  }
}

/** A template as a modal: one input block per field, block_id = field id so errors land on the field. */
export function formModal(form: FormSpec, metadata: ModalMetadata): ModalView {
  const blocks: KnownBlock[] = [];
  if (form.description)
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: truncate(escapeMrkdwn(form.description), MAX_SECTION) },
    });
  for (const field of form.fields) {
    const input: SlackTypes.InputBlock = {
      type: 'input',
      block_id: field.id,
      optional: !field.required,
      label: plain(field.label),
      element: fieldElement(field, form.values?.[field.id]),
    };
    if (field.help) input.hint = plain(field.help);
    blocks.push(input);
  }
  return {
    type: 'modal',
    callback_id: VIEW_CALLBACK_ID,
    title: plain(form.title, MAX_TITLE),
    submit: plain('Submit', 24),
    close: plain('Cancel', 24),
    private_metadata: JSON.stringify(metadata),
    blocks: blocks.slice(0, 100),
  };
}

/** The template picker (`/it new`): submitting it swaps the modal for the chosen template's form. */
export function pickerModal(
  templates: Array<{ id: string; title: string; description: string }>,
  metadata: ModalMetadata,
): ModalView {
  const opts = templates.slice(0, MAX_OPTIONS).map((t) => {
    const o: SlackTypes.PlainTextOption = { text: plain(t.title, 75), value: t.id };
    if (t.description) o.description = plain(t.description, 75);
    return o;
  });
  const blocks: KnownBlock[] =
    opts.length === 0
      ? [
          {
            type: 'section',
            text: {
              type: 'mrkdwn',
              text: 'No request templates are configured yet. Describe what you need in a message to me instead.',
            },
          },
        ]
      : [
          {
            type: 'input',
            block_id: TEMPLATE_BLOCK,
            label: plain('What do you need?'),
            element: { type: 'static_select', action_id: VALUE_ACTION, options: opts },
          },
        ];
  const view: ModalView = {
    type: 'modal',
    callback_id: VIEW_CALLBACK_ID,
    title: plain('New request', MAX_TITLE),
    close: plain('Cancel', 24),
    private_metadata: JSON.stringify(metadata),
    blocks,
  };
  if (opts.length > 0) view.submit = plain('Next', 24);
  return view;
}

/** "Create ticket" from a message: the text is prefilled and can be edited before submitting. */
export function ticketFromMessageModal(text: string, metadata: ModalMetadata): ModalView {
  const el: SlackTypes.PlainTextInput = {
    type: 'plain_text_input',
    action_id: VALUE_ACTION,
    multiline: true,
    max_length: 3000,
  };
  if (text) el.initial_value = truncate(text, 3000);
  return {
    type: 'modal',
    callback_id: VIEW_CALLBACK_ID,
    title: plain('Create ticket', MAX_TITLE),
    submit: plain('Create', 24),
    close: plain('Cancel', 24),
    private_metadata: JSON.stringify(metadata),
    blocks: [
      { type: 'input', block_id: DESCRIPTION_BLOCK, label: plain('What is the problem?'), element: el },
    ],
  };
}

export function noticeModal(title: string, text: string): ModalView {
  return {
    type: 'modal',
    title: plain(title, MAX_TITLE),
    close: plain('Close', 24),
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: escapeMrkdwn(text) } }],
  };
}

/** Reads one submitted element the way the engine's form validation expects plain values. */
function elementValue(state: SlackElementState): unknown {
  switch (state.type) {
    case 'static_select':
    case 'external_select':
      return state.selected_option?.value ?? undefined;
    case 'multi_static_select':
    case 'multi_external_select':
      return (state.selected_options ?? []).map((o) => o.value);
    case 'datepicker':
      return state.selected_date ?? undefined;
    case 'users_select':
      return state.selected_user ?? undefined;
    case 'checkboxes':
      return (state.selected_options ?? []).length > 0;
    case 'number_input': {
      if (state.value === null || state.value === undefined || state.value === '') return undefined;
      const n = Number(state.value);
      return Number.isFinite(n) ? n : state.value;
    }
    default:
      return state.value === null || state.value === undefined || state.value === ''
        ? undefined
        : state.value;
  }
}

/** Modal state (`block_id → action_id → element`) → `{ fieldId: value }`, empty answers left out. */
export function formValues(
  values: Record<string, Record<string, SlackElementState>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [blockId, actions] of Object.entries(values)) {
    const state = actions[VALUE_ACTION] ?? Object.values(actions)[0];
    if (!state) continue;
    const v = elementValue(state);
    if (v !== undefined) out[blockId] = v;
  }
  return out;
}
