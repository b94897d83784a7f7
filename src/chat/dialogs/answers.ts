/**
 * Reading a reply as the answer to a question of a given type. Each parser returns null when the text
 * is not that kind of answer, so the shared decision (decide.ts) can look for a new request instead.
 */
import * as chrono from 'chrono-node';
import { findTicketNumbers } from '../../itsm/numbering.js';
import type { Level, Person, Ticket } from '../../itsm/types.js';
import { matchOption, matchOptions } from './options.js';
import type { Question, SlotValue } from './types.js';
import { containsPhrase, contentStems, isStopword, isTimeWord, tokens, wordCount } from './words.js';

export type Answer =
  | { kind: 'yes' }
  | { kind: 'no' }
  | { kind: 'skip' }
  | { kind: 'value'; value: SlotValue }
  | { kind: 'rating'; score: number; comment: string | null }
  | { kind: 'impact'; impact: Level | null; urgency: Level | null; justMe: boolean }
  | { kind: 'ticket'; number: string | null }
  | { kind: 'window'; start: string; end: string; assumedEnd: boolean };

interface AnswerContext {
  now: string;
  person: Person;
  people: Person[];
  /** Candidate tickets of a "which ticket?" question, in the order they were offered. */
  tickets?: Ticket[];
}

const YES =
  /^(yes|y|yeah|yea|yep|yup|sure|ok|okay|correct|right|that'?s right|it did|it does|solved|that worked|it worked|perfect|great|absolutely|please do|go ahead|do it|submit)\b/i;
const NO =
  /^(no|n|nope|nah|not really|not yet|it didn'?t|it did not|didn'?t help|did not help|doesn'?t|does not|still (?:not|broken|failing)|negative|don'?t)\b/i;
const SKIP =
  /^(skip|none|n\/a|na|-|nothing(?: else)?|no(?:,)? (?:thanks|thank you|nothing(?: else)?)|no answer|leave (?:it )?(?:empty|blank|out)|not needed|no need|pass|that'?s (?:all|it|everything))[.!]?$/i;

const isSkip = (text: string): boolean => SKIP.test(text.trim());
/** "no rush" to an optional "needed by": no date is the answer. */
const NO_DEADLINE =
  /^(?:no (?:rush|hurry|deadline|date)|whenever(?: (?:you can|possible))?|not urgent|any ?time|no particular date)[.!]?$/i;

/** "thanks, that worked", "ok no": the courtesy in front says nothing either way. */
const COURTESY = /^(?:thanks?|thank you|thx|cheers|great|perfect|awesome|ok(?:ay)?|ah|oh)\b[\s,.!]*(?=\S)/i;

function yesNo(text: string): 'yes' | 'no' | null {
  const t = text.trim().replace(COURTESY, '');
  if (YES.test(t)) return 'yes';
  if (NO.test(t)) return 'no';
  return null;
}

const NUMBER_WORDS: Record<string, number> = { one: 1, two: 2, three: 3, four: 4, five: 5 };
const RATING_WORDS: Array<[RegExp, number]> = [
  [/^(excellent|perfect|amazing|awesome|great|fantastic|superb)\b/i, 5],
  [/^(good|very good|nice|fine)\b/i, 4],
  [/^(ok|okay|average|so[- ]so|meh)\b/i, 3],
  [/^(bad|poor|not great|slow)\b/i, 2],
  [/^(terrible|awful|horrible|useless)\b/i, 1],
];

/** "5", "4/5", "3 stars", "★★★★", "five", "great — thanks" → a score from 1 to 5 and the rest as a comment. */
export function rating(text: string): { score: number; comment: string | null } | null {
  const t = text.trim();
  const stars = /^(★{1,5})\s*(.*)$/su.exec(t);
  if (stars?.[1]) return { score: stars[1].length, comment: stars[2]?.trim() || null };
  const m =
    /^([1-5]|one|two|three|four|five)(?:\s*(?:\/|out of)\s*5)?(?:\s*stars?)?(?:\s*[-–—:,.!]\s*|\s+|$)(.*)$/is.exec(
      t,
    );
  if (m?.[1]) {
    const score = NUMBER_WORDS[m[1].toLowerCase()] ?? Number(m[1]);
    return { score, comment: m[2]?.trim() || null };
  }
  if (wordCount(t) <= 4) for (const [re, score] of RATING_WORDS) if (re.test(t)) return { score, comment: t };
  return null;
}

/** Minutes east of UTC of a time zone at an instant ("Europe/Berlin" in March → 60). */
function zoneOffsetMinutes(timeZone: string, at: Date): number {
  try {
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    }).formatToParts(at);
    const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
    const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
    return Math.round((asUtc - at.getTime()) / 60_000);
  } catch {
    return 0;
  }
}

const ASAP = /\b(asap|a\.s\.a\.p|as soon as possible|urgently|right away|immediately|today|now)\b/i;

/** The calendar day (yyyy-mm-dd) an instant falls on in a time zone. */
function dayIn(instant: Date, offsetMinutes: number): string {
  return new Date(instant.getTime() + offsetMinutes * 60_000).toISOString().slice(0, 10);
}

/** "monday", "next friday", "15/04", "2026-04-01", "asap" → yyyy-mm-dd in the person's time zone. */
export function date(text: string, now: string, timeZone: string): string | null {
  const instant = new Date(now);
  const offset = zoneOffsetMinutes(timeZone, instant);
  const iso = /\b(\d{4}-\d{2}-\d{2})\b/.exec(text);
  if (iso?.[1]) return iso[1];
  // A bare length of time ("maybe 2 days from home") is not a date; "in 2 days" is.
  const hit = chrono
    .parse(text, { instant, timezone: offset }, { forwardDate: true })
    .find((h) => !DURATION.test(h.text.trim()));
  if (hit) return dayIn(hit.start.date(), offset);
  const dayOnly = dayOfMonth(text, dayIn(instant, offset));
  if (dayOnly) return dayOnly;
  if (ASAP.test(text)) return dayIn(instant, offset);
  return null;
}

const DURATION = /^\d+\s+(?:days?|weeks?|months?|years?|hours?|minutes?)$/i;

/**
 * "on the 14th", which chrono leaves alone: that day of this month, or of the next one when it has
 * passed (a start date or a deadline is never in the past).
 */
function dayOfMonth(text: string, today: string): string | null {
  const m = /\bthe\s+(\d{1,2})(?:st|nd|rd|th)\b/i.exec(text);
  const day = Number(m?.[1]);
  if (!m || day < 1 || day > 31) return null;
  const [y, mo, d] = today.split('-').map(Number) as [number, number, number];
  for (let add = d <= day ? 0 : 1; add <= 2; add++) {
    // Date.UTC rolls an overflowing day into the next month: such a month lacks that day.
    const at = new Date(Date.UTC(y, mo - 1 + add, day));
    if (at.getUTCDate() === day) return at.toISOString().slice(0, 10);
  }
  return null;
}

const toUtcMinute = (d: Date): string => d.toISOString().slice(0, 16);

/**
 * A change window: "saturday 20:00 to 22:00", "2026-12-01T18:00 - 2026-12-01T20:00". Times are
 * the person's; the window is returned in UTC (yyyy-mm-ddThh:mm). No end → two hours, said so.
 */
export function window(text: string, now: string, timeZone: string): Answer | null {
  const instant = new Date(now);
  const offset = zoneOffsetMinutes(timeZone, instant);
  const utc = /\bUTC\b|Z\b/i.test(text);
  const [hit] = chrono.parse(text, { instant, timezone: utc ? 0 : offset }, { forwardDate: true });
  if (!hit || !hit.start.isCertain('hour')) return null;
  const start = hit.start.date();
  const end = hit.end?.date() ?? new Date(start.getTime() + 2 * 3600_000);
  if (end <= start) return null;
  return { kind: 'window', start: toUtcMinute(start), end: toUtcMinute(end), assumedEnd: !hit.end };
}

const ME = /^(me|myself|i|mine|for me|for myself|it'?s me|me myself|my own|just me)[.!]?$/i;

/** "me" → the requester; an email or a name in the directory → that person; else the name as typed. */
export function person(text: string, ctx: AnswerContext): string | null {
  const t = text.trim().replace(/^for\s+/i, '');
  if (ME.test(t)) return `${ctx.person.displayName} <${ctx.person.email}>`;
  const email = /[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+/.exec(t)?.[0];
  const known = email
    ? ctx.people.find((p) => p.email.toLowerCase() === email.toLowerCase())
    : findByName(t, ctx.people);
  if (known) return `${known.displayName} <${known.email}>`;
  if (email) return email;
  return looksLikeName(t) ? t : null;
}

const NOT_NAME_WORDS = new Set(['skip', 'none', 'nobody', 'unknown']);

/**
 * Someone not in the directory yet (a new hire) is taken by name: up to four words of letters, none of
 * them a common word, so a sentence or an answer to another question is not stored as a person.
 */
function looksLikeName(text: string): boolean {
  const words = tokens(text);
  if (words.length === 0 || words.length > 4) return false;
  if (!/^[\p{L}][\p{L}\s.'’-]*$/u.test(text.trim())) return false;
  return words.every((w) => !isStopword(w) && !isTimeWord(w) && !NOT_NAME_WORDS.has(w));
}

function findByName(text: string, people: Person[]): Person | null {
  const words = tokens(text);
  if (words.length === 0 || words.length > 5) return null;
  const full = people.filter((p) => containsPhrase(words, p.displayName));
  if (full.length === 1) return full[0] ?? null;
  const first = people.filter((p) => {
    const name = tokens(p.displayName)[0];
    return name !== undefined && words.length === 1 && words[0] === name;
  });
  return first.length === 1 ? (first[0] ?? null) : null;
}

/** An email field: an address, "me", "my manager", or someone in the directory by name. */
function email(text: string, ctx: AnswerContext): string | null {
  const t = text.trim();
  const typed = /[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+/.exec(t)?.[0];
  if (typed) return typed;
  if (ME.test(t) || /^(my (own )?e-?mail|mine)$/i.test(t)) return ctx.person.email;
  if (/^my (manager|boss|line manager)$/i.test(t) && ctx.person.managerId !== null)
    return ctx.people.find((p) => p.id === ctx.person.managerId)?.email ?? null;
  return findByName(t, ctx.people)?.email ?? null;
}

const IMPACT_MORE =
  /\b(whole|entire|all of (us|them|the)|everyone|every(body| one)|team|department|office|floor|company|several|many|multiple|others?|colleagues|all users|nobody|no one|\d+ (people|users|of us))\b/i;
const URGENCY_HIGH =
  /\b(can'?t work|cannot work|unable to work|can'?t do (any|my)|urgent|asap|immediately|right now|blocked|deadline|stuck|completely down|not at all)\b/i;
const JUST_ME =
  /\b(just me|only me|only mine|just mine|only my (laptop|machine|account|pc)|no one else|nobody else|i can still work|can still work|not urgent|no rush|not blocked)\b/i;

/** Answers to "is more than you affected, or can you not work at all?". */
export function impact(text: string): Answer | null {
  const justMe = JUST_ME.test(text) || /^(no|nope|nah|not really|neither)\b[.!]?$/i.test(text.trim());
  const more = !justMe && IMPACT_MORE.test(text);
  const urgent = !/\bcan still work\b|\bnot urgent\b|\bnot blocked\b/i.test(text) && URGENCY_HIGH.test(text);
  if (!justMe && !more && !urgent) return null;
  return { kind: 'impact', impact: more ? 'high' : null, urgency: urgent ? 'high' : null, justMe };
}

const ORDINALS: Record<string, number> = { first: 1, second: 2, third: 3, fourth: 4, fifth: 5, last: -1 };
const SOMETHING_NEW =
  /^(none|neither|new|a new (one|ticket|problem|issue)|something (else|new)|another (one|problem|issue)|none of (them|these)|no,? (it'?s )?(something|a new) \w+)\b/i;

/** Which of the offered tickets: its number, its position, words of its title; or "something new". */
export function ticketChoice(text: string, offered: Ticket[]): Answer | null {
  const t = text.trim();
  const n = findTicketNumbers(t)[0]?.number;
  if (n) return { kind: 'ticket', number: n };
  if (SOMETHING_NEW.test(t)) return { kind: 'ticket', number: null };
  const pos = /^(?:the\s+)?(\d|first|second|third|fourth|fifth|last)(?:\s+one)?[.!]?$/i
    .exec(t)?.[1]
    ?.toLowerCase();
  if (pos) {
    const i = ORDINALS[pos] ?? Number(pos);
    const chosen = i === -1 ? offered.at(-1) : offered[i - 1];
    if (chosen) return { kind: 'ticket', number: chosen.number };
  }
  if (wordCount(t) > 8) return null;
  // "the printer one": the offered ticket whose title shares the most words with the answer.
  const mine = new Set(contentStems(t));
  const scored = offered
    .map((o) => ({ o, n: contentStems(o.title).filter((w) => mine.has(w)).length }))
    .filter((x) => x.n > 0)
    .sort((a, b) => b.n - a.n);
  const [best, second] = scored;
  return best && (!second || second.n < best.n) ? { kind: 'ticket', number: best.o.number } : null;
}

/** Reads a reply to a question; null when it is not an answer of the expected kind. */
export function readAnswer(q: Question, text: string, ctx: AnswerContext): Answer | null {
  const t = text.trim();
  if (t === '') return null;
  if (q.optional && (isSkip(t) || (q.expects === 'date' && NO_DEADLINE.test(t)))) return { kind: 'skip' };
  switch (q.expects) {
    case 'yes_no': {
      const yn = yesNo(t);
      return yn ? { kind: yn } : null;
    }
    case 'rating': {
      const r = rating(t);
      return r ? { kind: 'rating', ...r } : null;
    }
    case 'impact':
      return impact(t);
    case 'ticket':
      return ticketChoice(t, ctx.tickets ?? []);
    case 'choice': {
      const o = matchOption(t, q.options ?? []);
      return o ? { kind: 'value', value: o } : null;
    }
    case 'choices': {
      const list = matchOptions(t, q.options ?? []);
      return list.length > 0 ? { kind: 'value', value: list } : null;
    }
    case 'date': {
      const d = date(t, ctx.now, ctx.person.timeZone);
      return d ? { kind: 'value', value: d } : null;
    }
    case 'window':
      return window(t, ctx.now, ctx.person.timeZone);
    case 'number': {
      const m = /^-?\d+(?:[.,]\d+)?$/.exec(t.replace(/\s/g, ''));
      if (m) return { kind: 'value', value: Number(m[0].replace(',', '.')) };
      const w = NUMBER_WORDS[t.toLowerCase()];
      return w === undefined ? null : { kind: 'value', value: w };
    }
    case 'person': {
      const p = person(t, ctx);
      return p ? { kind: 'value', value: p } : null;
    }
    case 'email': {
      const e = email(t, ctx);
      return e ? { kind: 'value', value: e } : null;
    }
    case 'text':
    case 'describe':
      return { kind: 'value', value: t };
  }
}
