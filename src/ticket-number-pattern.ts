/**
 * How a ticket number is written in a message, shared by the ITIL core (which parses and formats
 * numbers, itsm/numbering.ts) and the NLU (which only asks whether a message names one), so both
 * recognise exactly the same mentions while neither imports the other.
 *
 * Why these tolerances: people type numbers the way they remember them: "inc 123", "#INC0000123",
 * "INC-123", "inc0000123". A prefix is always required: a bare "123" is too ambiguous in chat.
 * Sequences longer than 7 digits are refused, not truncated. Groups: 1 = prefix, 2 = digits.
 */
export const TICKET_NUMBER_CORE = '#?(INC|REQ|PRB|CHG)[ \\-#]?(\\d{1,7})';

/** Every mention in a text (a fresh global regex: callers iterate it with matchAll). */
export const ticketMentionPattern = (): RegExp =>
  new RegExp(`(?<![\\p{L}\\p{N}_])${TICKET_NUMBER_CORE}(?![\\p{N}])`, 'giu');

/** Whether the text names at least one ticket (sequence 0 is no ticket). */
export function mentionsTicketNumber(text: string): boolean {
  for (const m of text.matchAll(ticketMentionPattern())) if (Number(m[2]) >= 1) return true;
  return false;
}
