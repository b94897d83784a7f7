/**
 * Ticket numbers: prefix (INC, REQ, PRB, CHG) + 7 digits, e.g. `INC0000123`. The sequence comes from
 * the database; this module only formats and recognizes numbers.
 */
import { AppError } from '../errors.js';
import { TICKET_NUMBER_CORE, ticketMentionPattern } from '../ticket-number-pattern.js';
import { TICKET_PREFIX, type TicketKind } from './types.js';

/** Largest sequence a 7-digit number can carry. */
export const MAX_TICKET_SEQ = 9_999_999;

const KIND_BY_PREFIX: Record<string, TicketKind> = Object.fromEntries(
  (Object.entries(TICKET_PREFIX) as [TicketKind, string][]).map(([kind, prefix]) => [prefix, kind]),
);

interface ParsedTicketNumber {
  kind: TicketKind;
  seq: number;
  /** Canonical form, `INC0000123`. */
  number: string;
}

/** `formatTicketNumber('incident', 123)` → `INC0000123`. Throws past 9,999,999 rather than widening. */
export function formatTicketNumber(kind: TicketKind, seq: number): string {
  if (!Number.isInteger(seq) || seq < 1) {
    throw new AppError('validation_failed', `A ticket sequence must be a positive integer (got ${seq})`);
  }
  if (seq > MAX_TICKET_SEQ) {
    throw new AppError(
      'internal',
      `${TICKET_PREFIX[kind]} numbers are exhausted: sequence ${seq} exceeds ${MAX_TICKET_SEQ} (7 digits)`,
    );
  }
  return `${TICKET_PREFIX[kind]}${String(seq).padStart(7, '0')}`;
}

// The written forms (and why they are tolerated) are in ticket-number-pattern.ts, shared with the NLU.
const WHOLE_RE = new RegExp(`^${TICKET_NUMBER_CORE}$`, 'i');
const FIND_RE = ticketMentionPattern();

function build(prefix: string, digits: string): ParsedTicketNumber | null {
  const kind = KIND_BY_PREFIX[prefix.toUpperCase()];
  const seq = Number(digits);
  if (!kind || seq < 1) return null;
  return { kind, seq, number: formatTicketNumber(kind, seq) };
}

/** Parses a whole string as one ticket number (trimmed, case-insensitive); null when it is not one. */
export function parseTicketNumber(text: string): ParsedTicketNumber | null {
  const m = WHOLE_RE.exec(text.trim());
  if (!m || m[1] === undefined || m[2] === undefined) return null;
  return build(m[1], m[2]);
}

/** Every ticket number mentioned in a chat message, canonical, de-duplicated, in order of appearance. */
export function findTicketNumbers(text: string): ParsedTicketNumber[] {
  const seen = new Set<string>();
  const out: ParsedTicketNumber[] = [];
  for (const m of text.matchAll(FIND_RE)) {
    if (m[1] === undefined || m[2] === undefined) continue;
    const parsed = build(m[1], m[2]);
    if (parsed && !seen.has(parsed.number)) {
      seen.add(parsed.number);
      out.push(parsed);
    }
  }
  return out;
}
