/**
 * Filling a request form from what people already said: "new starter joining on monday, Tom Becker,
 * in marketing" gives the start date, the name and the department; "pls can u instal zoom" gives
 * Application = Other and its name. Only values the text states clearly are taken; the rest is asked.
 */

import type { Template, TemplateField } from '../../itsm/templates.js';
import type { Person } from '../../itsm/types.js';
import { date, person } from './answers.js';
import { matchOption, matchOptions } from './options.js';
import type { SlotValue } from './types.js';
import { isTimeWord, titleCase, tokens } from './words.js';

interface SlotContext {
  now: string;
  person: Person;
  people: Person[];
}

/** "(if Other)" in a label: the field applies only when a choice field has that value. */
function conditionOf(field: TemplateField): string | null {
  return /\(if ([^)]+)\)/i.exec(field.label)?.[1]?.trim() ?? null;
}

export function applies(
  field: TemplateField,
  template: Template,
  values: Record<string, SlotValue>,
): boolean {
  const when = conditionOf(field);
  if (!when) return true;
  return template.fields.some(
    (f) =>
      f.type === 'select' &&
      typeof values[f.id] === 'string' &&
      (values[f.id] as string).toLowerCase() === when.toLowerCase(),
  );
}

/** The field an "(if Other)" field completes, e.g. application → other_application. */
export function detailField(template: Template, choice: TemplateField, value: string): TemplateField | null {
  return (
    template.fields.find(
      (f) => conditionOf(f)?.toLowerCase() === value.toLowerCase() && f.id !== choice.id,
    ) ?? null
  );
}

const NOT_A_NAME = new Set(
  `next new starter hire joining i hi hello please thanks the a an it is in on at for and my we our he she they`.split(
    /\s+/,
  ),
);

/** "Tom Becker" in "new starter joining on monday, Tom Becker, in marketing": two or three capitalised words. */
function personName(text: string, optionWords: Set<string>): string | null {
  const re = /\b(\p{Lu}[\p{L}'-]+)(?:\s+(\p{Lu}[\p{L}'-]+)){1,2}\b/gu;
  for (const m of text.matchAll(re)) {
    const words = m[0].split(/\s+/);
    if (
      words.some((w) => isTimeWord(w) || NOT_A_NAME.has(w.toLowerCase()) || optionWords.has(w.toLowerCase()))
    )
      continue;
    return m[0];
  }
  return null;
}

/**
 * "a new designer starting on the 14th", "joining as a senior data analyst": the job, from the words
 * people introduce a new colleague with. Words that say only that someone is new are not a job.
 */
const JOB =
  /\b(?:(?:a|an|our|the)\s+new|as\s+an?)\s+((?:[a-z]+\s+){0,2}?[a-z]+)(?=\s+(?:starting|joining|who|will|is|on|from|next|this|in|called|named)\b|\s*[,.;]|\s*$)/i;
const NOT_A_JOB = new Set([
  'hire',
  'starter',
  'joiner',
  'employee',
  'colleague',
  'person',
  'team member',
  'member',
]);

function jobTitle(text: string): string | null {
  const title = JOB.exec(text)?.[1]?.trim();
  return title && !NOT_A_JOB.has(title.toLowerCase()) ? title : null;
}

const PRODUCT =
  /\b(?:install|instal|installing|access to|access for|licen[cs]e (?:for|of)|account (?:for|on|in)|get|need|want|use)\s+(?:the\s+|a\s+|an\s+)?([\p{L}][\p{L}\p{N}.+#-]*(?:\s+[\p{Lu}\p{N}][\p{L}\p{N}.+#-]*)?)/iu;
const NOT_A_PRODUCT = new Set([
  'a',
  'an',
  'the',
  'new',
  'some',
  'access',
  'it',
  'me',
  'my',
  'to',
  'help',
  'laptop',
]);

/**
 * "…acrobat for editing contracts", "…because mine is broken", "…so I can review designs": the reason
 * people give with a request is its justification. "for" counts only before an -ing verb ("for John"
 * is a person, "for something" is nothing).
 */
const PURPOSE =
  /\b(because|so that|so (?:i|we) can|in order to|to be able to|for (?!(?:some|any|no|every)thing\b|morning\b|evening\b)(?=\w+ing\b))\s*([^.!?\n]{6,})/i;

function purposeOf(text: string): string | null {
  const m = PURPOSE.exec(text);
  if (!m?.[1] || !m[2]) return null;
  const clause = `${m[1]} ${m[2].trim()}`.replace(/\s+/g, ' ');
  return clause.charAt(0).toUpperCase() + clause.slice(1);
}

/** Values the message states for the template's fields (only the clear ones). */
export function extractSlots(template: Template, text: string, ctx: SlotContext): Record<string, SlotValue> {
  const out: Record<string, SlotValue> = {};
  const optionWords = new Set(template.fields.flatMap((f) => (f.options ?? []).flatMap((o) => tokens(o))));
  const dateFields = template.fields.filter((f) => f.type === 'date');
  for (const field of template.fields) {
    if (conditionOf(field)) continue;
    switch (field.type) {
      case 'select': {
        const o = matchOption(text, field.options ?? []);
        if (o && !/^\d+$/.test(text.trim())) out[field.id] = o;
        break;
      }
      case 'multiselect': {
        const list = matchOptions(text, field.options ?? []);
        if (list.length > 0) out[field.id] = list;
        break;
      }
      case 'date':
        if (dateFields.length === 1) {
          const d = date(text, ctx.now, ctx.person.timeZone);
          if (d) out[field.id] = d;
        }
        break;
      case 'text':
        if (/^(full )?name$/i.test(field.label)) {
          const n = personName(text, optionWords);
          if (n) out[field.id] = titleCase(n);
        } else if (/job title|position|role/i.test(field.label)) {
          const title = jobTitle(text);
          if (title) out[field.id] = titleCase(title);
        }
        break;
      case 'user': {
        const m = /\bfor\s+(me|myself|[\p{L}][\p{L}'-]+(?:\s+[\p{L}][\p{L}'-]+)?|[^\s@]+@[^\s@]+)\b/iu.exec(
          text,
        );
        const who = m?.[1] ? person(m[1], ctx) : null;
        if (who && m?.[1] && (/^(me|myself)$/i.test(m[1]) || who.includes('@'))) out[field.id] = who;
        break;
      }
      case 'textarea': {
        const why = /justification|reason|why/i.test(field.label) ? purposeOf(text) : null;
        if (why) out[field.id] = why;
        break;
      }
      case 'email': {
        const e = /[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+/.exec(text)?.[0];
        if (e && template.fields.filter((f) => f.type === 'email').length === 1) out[field.id] = e;
        break;
      }
      default:
        break;
    }
  }
  // "install zoom": a product that is not among the options is "Other" with its name in the detail field.
  for (const field of template.fields) {
    if (field.type !== 'select' || out[field.id] !== undefined) continue;
    const other = field.options?.find((o) => o.toLowerCase() === 'other');
    const detail = other ? detailField(template, field, other) : null;
    const named = PRODUCT.exec(text)?.[1];
    if (!other || !detail || !named || NOT_A_PRODUCT.has(named.toLowerCase())) continue;
    if (matchOption(named, field.options ?? []) !== null) continue;
    out[field.id] = other;
    out[detail.id] = titleCase(named);
  }
  return out;
}
