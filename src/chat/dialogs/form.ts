/**
 * Request forms filled by conversation (slot filling). The form starts from what the first message
 * already said, asks one question at a time (saying which fields are required and that optional ones
 * can be skipped), skips questions that do not apply ("Application name (if Other)"), reads each
 * answer for other fields too, and submits when nothing required is missing. A change request asks
 * for its window in one question; a window refused for a blackout is asked again, the rest kept.
 */
import type { Template } from '../../itsm/templates.js';
import { validateSubmission } from '../../itsm/templates.js';
import { templateForm } from '../render.js';
import type { Answer } from './answers.js';
import { afterChangeOpened } from './change.js';
import { ask, type DialogModule, reask } from './dialog.js';
import { nextField, questionFor, shown, slotsFor, valuesOf } from './form-fields.js';
import { matchOption } from './options.js';
import { detailField, extractSlots } from './slots.js';
import { frame, popTop, push, replaceTop } from './stack.js';
import { say, step } from './steps.js';
import type { Frame, Refusal, SlotValue, Step, Turn } from './types.js';
import { wordCount } from './words.js';

/** Starts a form; `text` (the first message) fills what it can. */
export function startForm(turn: Turn, templateId: string, text: string | null): Step {
  const t = turn.facts.templates.get(templateId);
  if (!t)
    return step([say(`I don't know the request form "${templateId}". Say "help" to see what I can do.`)]);
  const values = text ? extractSlots(t, text, turn.facts) : {};
  const required = t.fields.filter((f) => f.required && !Object.hasOwn(values, f.id)).map((f) => f.label);
  const optional = t.fields
    .filter((f) => !f.required && !Object.hasOwn(values, f.id) && !/\(if /i.test(f.label))
    .map((f) => f.label);
  const known = t.fields.filter((f) => Object.hasOwn(values, f.id));
  const lines = [
    `Let's fill in your request: ${t.title}. ${t.description}`.trim(),
    ...(known.length > 0
      ? [
          `From your message I have ${known.map((f) => `${f.label}: ${shown(values[f.id] ?? null)}`).join('; ')}.`,
        ]
      : []),
    ...(required.length > 0 ? [`Still needed: ${required.join(', ')}.`] : []),
    ...(optional.length > 0 ? [`Optional (say "skip"): ${optional.join(', ')}.`] : []),
    'I will ask one question at a time; say "cancel" to stop. You can also fill in the whole form with the button.',
  ];
  const f = frame('form', turn.facts.now, { slots: slotsFor(t.id, values) });
  const started = push(turn.stack, f);
  const next = nextField(t, values);
  if (!next) return submit({ ...turn, stack: started }, t, f, values);
  const q = questionFor(t, next);
  return step(
    [say(lines.join('\n'), { form: templateForm(t, values as Record<string, unknown>) }), ask(q)],
    replaceTop(started, { ...f, question: q }),
  );
}

/** Continues with the next question, or submits. */
function proceed(turn: Turn, t: Template, f: Frame, values: Record<string, SlotValue>, prefix = ''): Step {
  const next = nextField(t, values);
  const base: Frame = { ...f, slots: slotsFor(t.id, values), question: null };
  if (!next) return submit({ ...turn, stack: replaceTop(turn.stack, base) }, t, base, values);
  const q = questionFor(t, next);
  return step([ask(q, {}, prefix)], replaceTop(turn.stack, { ...base, question: q }));
}

function today(turn: Turn): string {
  return turn.facts.now.slice(0, 10);
}

/** Applies an answer to the asked field (and anything else the reply states). */
function apply(turn: Turn, t: Template, f: Frame, answer: Answer): Step {
  const q = f.question;
  if (!q) return proceed(turn, t, f, valuesOf(f));
  const values = { ...valuesOf(f) };
  if (wordCount(turn.text) >= 3)
    for (const [k, v] of Object.entries(extractSlots(t, turn.text, turn.facts)))
      if (!Object.hasOwn(values, k) && k !== q.key) values[k] = v;
  if (answer.kind === 'skip') {
    if (q.key === 'window') {
      values.window_start = null;
      values.window_end = null;
    } else values[q.key] = null;
    return proceed(turn, t, f, values);
  }
  if (answer.kind === 'window') {
    values.window_start = answer.start;
    values.window_end = answer.end;
    return proceed(
      turn,
      t,
      f,
      values,
      answer.assumedEnd ? 'I have assumed two hours; give an end time to change it.\n' : '',
    );
  }
  const field = t.fields.find((x) => x.id === q.key);
  let value: SlotValue =
    answer.kind === 'value'
      ? answer.value
      : answer.kind === 'yes'
        ? true
        : answer.kind === 'no'
          ? false
          : null;
  if (field?.type === 'date' && typeof value === 'string' && value < today(turn))
    return reask(turn, f, `${value} is in the past.`);
  if (field?.type === 'text' || field?.type === 'textarea') value = turn.text.trim();
  const checked = field
    ? validateSubmission({ ...t, fields: [{ ...field, required: false }] }, { [field.id]: value })
    : null;
  if (checked && !checked.ok) return reask(turn, f, `${checked.errors[0]?.message ?? 'That did not fit'}.`);
  values[q.key] = value;
  return proceed(turn, t, f, values);
}

function submit(turn: Turn, t: Template, f: Frame, values: Record<string, SlotValue>): Step {
  const clean = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== null));
  const checked = validateSubmission(t, clean);
  if (!checked.ok) {
    const first = checked.errors[0];
    const field = t.fields.find((x) => x.id === first?.field);
    if (field) {
      const rest = { ...values };
      delete rest[field.id];
      return proceed(turn, t, f, rest, `${first?.message}. `);
    }
    return step(
      [say(`The request could not be submitted: ${checked.errors.map((e) => e.message).join('; ')}`)],
      popTop(turn.stack),
    );
  }
  if (t.kind === 'change')
    return step([
      {
        do: 'open_change',
        values: checked.values,
        next: (r) =>
          afterChangeOpened(
            { ...turn, stack: popTop(turn.stack) },
            r.ticket.number,
            r.text,
            typeof checked.values.window_start === 'string',
          ),
        refused: (r) => changeRefused(turn, t, f, values, r),
      },
    ]);
  const described = t.fields.filter((x) => checked.values[x.id] !== undefined);
  const summary = described
    .filter((x) => x.type === 'select' || x.type === 'text' || x.type === 'user')
    .filter((x) => !/\(if /i.test(x.label))
    .slice(0, 2)
    .map((x) => {
      const v = String(checked.values[x.id]);
      const detail = detailField(t, x, v);
      return detail && checked.values[detail.id] !== undefined ? String(checked.values[detail.id]) : v;
    })
    .join(', ');
  return step([
    {
      do: 'open_ticket',
      input: {
        kind: t.kind === 'incident' ? 'incident' : 'service_request',
        title: summary ? `${t.title}: ${summary}` : t.title,
        description: described
          .map((x) => `${x.label}: ${shown(checked.values[x.id] as SlotValue)}`)
          .join('\n'),
        impact: 'low',
        urgency: 'medium',
        category: t.category,
        templateId: t.id,
        fields: checked.values,
        groupSlug: t.group ?? null,
      },
      text: described.map((x) => `${x.label}: ${shown(checked.values[x.id] as SlotValue)}`).join('\n'),
      bind: true,
      next: ({ shown: s, notes }) =>
        step(
          [
            say(
              [
                `Done: your request ${s.ticket.number} "${s.ticket.title}" is submitted.${s.card.eta ? ` ${s.card.eta}.` : ''}`,
                ...notes,
              ].join('\n'),
              { card: s.card, bindTicketId: s.ticket.id },
            ),
          ],
          popTop(turn.stack),
        ),
    },
  ]);
}

/** Domain field → the form's question (the change service names its own fields). */
const FIELD_OF: Record<string, string> = {
  plannedStart: 'window',
  plannedEnd: 'window',
  assets: 'assets',
  title: 'summary',
};

function changeRefused(
  turn: Turn,
  t: Template,
  f: Frame,
  values: Record<string, SlotValue>,
  r: Refusal,
): Step {
  const key = r.field ? FIELD_OF[r.field] : undefined;
  if (!key) return step([say(`${r.message} Your answers are kept: say "cancel" to stop.`)]);
  const rest = { ...values };
  if (key === 'window') {
    delete rest.window_start;
    delete rest.window_end;
  } else delete rest[key];
  return proceed(turn, t, f, rest, `${r.message} Your other answers are kept.\n`);
}

/** "pls can u instal zoom" → Application: the option, or Other with the name in its detail field. */
function otherAnswer(turn: Turn, t: Template, f: Frame): Step | null {
  const q = f.question;
  const field = t.fields.find((x) => x.id === q?.key);
  if (!q || !field || field.type !== 'select' || wordCount(turn.text) > 4) return null;
  const other = field.options?.find((o) => o.toLowerCase() === 'other');
  const detail = other ? detailField(t, field, other) : null;
  if (!other || !detail || matchOption(turn.text, field.options ?? [])) return null;
  const values = { ...valuesOf(f), [field.id]: other, [detail.id]: turn.text.trim() };
  return proceed(turn, t, f, values, `Noted: ${turn.text.trim()} (not in the list, so filed as ${other}).\n`);
}

/** "actually make it tuesday", "sorry, change that to hybrid": an earlier answer is being corrected. */
const CORRECTION =
  /^(?:(?:actually|sorry|oops|wait|correction|no)\b[\s,:!-]*)+|\b(?:make it|change (?:it|that|this) to|(?:it|that) should be|instead)\b/i;

/**
 * "marketing" to the manager question: people answer the question they expect next. A reply that
 * clearly fills another field still open is taken for it, said so, and the question is asked again.
 * A correction ("actually make it tuesday") may change a field already answered.
 */
function answerForAnother(turn: Turn, t: Template, f: Frame): Step | null {
  const values = valuesOf(f);
  const correcting = CORRECTION.test(turn.text);
  const fresh = Object.entries(extractSlots(t, turn.text, turn.facts)).filter(
    ([k, v]) =>
      k !== f.question?.key &&
      (values[k] === undefined || values[k] === null || (correcting && shown(values[k]) !== shown(v))),
  );
  if (fresh.length === 0) return null;
  const said = (filled: boolean) =>
    fresh
      .filter(([k]) => (values[k] !== undefined && values[k] !== null) === filled)
      .map(([k, v]) => `${t.fields.find((x) => x.id === k)?.label ?? k}: ${shown(v)}`)
      .join('; ');
  const changed = said(true);
  const noted = said(false);
  const lead = [changed ? `Changed ${changed}.` : '', noted ? `Noted ${noted}.` : '']
    .filter(Boolean)
    .join(' ');
  return proceed(turn, t, f, { ...values, ...Object.fromEntries(fresh) }, `${lead}\n`);
}

/**
 * "she'll need a laptop" to the job-title question is a sentence about another field, not a title:
 * a short free-text field (a name, a title) is never answered with a clause like that.
 */
const CLAUSE = /\b(?:needs?|wants?|will|'ll|should|must|requires?|has to|have to)\b/i;

/** A reply that corrects an earlier answer, or a clause about another field given to a short text one. */
function notForThisField(turn: Turn, t: Template, f: Frame): Step | null {
  const field = t.fields.find((x) => x.id === f.question?.key);
  const clause = field?.type === 'text' && CLAUSE.test(turn.text);
  if (!clause && !CORRECTION.test(turn.text)) return null;
  return answerForAnother(turn, t, f);
}

export const formDialog: DialogModule = {
  resumable: true,
  context(f, facts) {
    const t = facts.templates.get(String(f.slots.template));
    if (!t) return '';
    return [
      t.title,
      t.description,
      ...t.fields.map((x) => `${x.label} ${(x.options ?? []).join(' ')}`),
      ...Object.values(valuesOf(f)).map((v) => shown(v)),
    ].join(' ');
  },
  label(f, facts) {
    return `your ${facts.templates.get(String(f.slots.template))?.title ?? 'request'}`;
  },
  answer(turn, f, answer) {
    const t = turn.facts.templates.get(String(f.slots.template));
    if (!t) return step([], popTop(turn.stack));
    return notForThisField(turn, t, f) ?? apply(turn, t, f, answer);
  },
  unclear(turn, f) {
    const t = turn.facts.templates.get(String(f.slots.template));
    const q = f.question;
    if (!t || !q) return step([], popTop(turn.stack));
    const other = otherAnswer(turn, t, f) ?? answerForAnother(turn, t, f);
    if (other) return other;
    const label = t.fields.find((x) => x.id === q.key)?.label ?? 'That';
    const why =
      /^(skip|none|n\/a|-)$/i.test(turn.text.trim()) && !q.optional
        ? `${label} is required, so I can't skip it.`
        : q.expects === 'choice' || q.expects === 'choices'
          ? `I couldn't match that to the options for ${label}.`
          : q.expects === 'date'
            ? 'I could not read a date in that.'
            : q.expects === 'window'
              ? 'I could not read a start time in that.'
              : `I could not use that for ${label}.`;
    return reask(turn, f, why);
  },
};

/** A form submitted in one go (Slack modal, Teams card): the same checks and submission. */
export function submitWholeForm(turn: Turn, templateId: string, values: Record<string, unknown>): Step {
  const t = turn.facts.templates.get(templateId);
  if (!t) return step([say(`Unknown request form "${templateId}".`)]);
  const f = frame('form', turn.facts.now, { slots: { template: templateId } });
  const stack = push(turn.stack, f);
  const slotValues = Object.fromEntries(
    Object.entries(values).map(([k, v]) => [
      k,
      (Array.isArray(v) ? v.map(String) : typeof v === 'object' ? null : v) as SlotValue,
    ]),
  );
  return submit({ ...turn, stack }, t, f, slotValues);
}
