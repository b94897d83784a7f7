/**
 * The questions of a request form: which field comes next (skipping what is answered or does not
 * apply), how it is asked (required or optional, hints, options) and what kind of answer it expects.
 */
import type { Template, TemplateField } from '../../itsm/templates.js';
import { applies } from './slots.js';
import type { Frame, Question, SlotValue } from './types.js';

/** Form values live in the frame's slots as `v:<field id>`. */
const V = 'v:';
export const valuesOf = (f: Frame): Record<string, SlotValue> =>
  Object.fromEntries(
    Object.entries(f.slots)
      .filter(([k]) => k.startsWith(V))
      .map(([k, v]) => [k.slice(V.length), v]),
  );
export const slotsFor = (templateId: string, values: Record<string, SlotValue>): Frame['slots'] => ({
  template: templateId,
  ...Object.fromEntries(Object.entries(values).map(([k, v]) => [`${V}${k}`, v])),
});

/** A change template's window is asked as one question ("saturday 20:00 to 22:00"). */
const hasWindow = (t: Template) =>
  t.kind === 'change' &&
  t.fields.some((f) => f.id === 'window_start') &&
  t.fields.some((f) => f.id === 'window_end');

export function nextField(t: Template, values: Record<string, SlotValue>): TemplateField | null {
  for (const f of t.fields) {
    if (Object.hasOwn(values, f.id)) continue;
    if (!applies(f, t, values)) continue;
    if (hasWindow(t) && f.id === 'window_end') continue;
    return f;
  }
  return null;
}

const EXPECTS: Record<TemplateField['type'], Question['expects']> = {
  text: 'text',
  textarea: 'text',
  number: 'number',
  select: 'choice',
  multiselect: 'choices',
  date: 'date',
  email: 'email',
  user: 'person',
  boolean: 'yes_no',
};

export function questionFor(t: Template, f: TemplateField): Question {
  const optional = !f.required;
  const need = optional ? ' (optional: say "skip" to leave it out)' : ' (required)';
  if (hasWindow(t) && f.id === 'window_start')
    return {
      key: 'window',
      expects: 'window',
      optional,
      prompt: `When should it happen?${need} For example "saturday 20:00 to 22:00" (your time) or "2026-12-01T18:00 to 20:00 UTC".`,
    };
  const hint =
    f.type === 'date'
      ? ' For example "next friday" or 2026-04-01.'
      : f.type === 'multiselect'
        ? ' One or more.'
        : f.type === 'user'
          ? ' A name, an email, or "me".'
          : '';
  const options = f.options ? `\nOptions: ${f.options.join(', ')}.` : '';
  return {
    key: f.id,
    expects: EXPECTS[f.type],
    optional,
    ...(f.options ? { options: [...f.options] } : {}),
    prompt: `${f.label}${need}?${hint}${f.help ? `\n${f.help}` : ''}${options}`,
  };
}

export function shown(v: SlotValue): string {
  if (Array.isArray(v)) return v.join(', ');
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return String(v);
}
