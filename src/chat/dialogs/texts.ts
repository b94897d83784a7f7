/**
 * What people read, in one place: written for the person in the conversation (no state names, no
 * field ids, no markdown), the same on every channel.
 */
import { type AppError, type ErrorCode, isAppError } from '../../errors.js';
import type { Person, TicketState } from '../../itsm/types.js';
import type { Choice } from '../message.js';
import type { Refusal } from './types.js';

export const firstName = (p: Pick<Person, 'displayName'>): string =>
  p.displayName.split(' ')[0] ?? p.displayName;

export const HELP_TEXT = [
  'I am the IT service desk bot. Tell me in your own words what is wrong or what you need, for example:',
  '• "my vpn keeps dropping": I open an incident and route it to the right team',
  '• "I need a new laptop" or "access to Salesforce": I fill in the request with you, one question at a time',
  '• "how do I set up out of office" or "forgot my password": I answer from the knowledge base',
  '• "status": your open tickets; "status INC0000042": one ticket',
  '• "add to INC0000042: …", "cancel INC0000042", "reopen INC0000042", "it works now"',
  '• "talk to a person": someone from the service desk takes over this conversation',
  'While I ask you something, "cancel" stops it and "skip" leaves out an optional answer.',
].join('\n');

export function welcomeText(person: Pick<Person, 'displayName'>): string {
  return [
    `Hi ${firstName(person)}! I'm the IT service desk bot.`,
    'Tell me what is wrong or what you need, in your own words: "my vpn keeps dropping", "I need a new laptop", "how do I set up out of office?".',
    'Say "status" for your tickets, "help" for everything I can do, or "talk to a person" at any time.',
  ].join('\n');
}

export const START_CHOICES: Choice[] = [
  { label: 'Report a problem', actionId: 'choice', value: { intent: 'incident_other' } },
  { label: 'Request something', actionId: 'choice', value: { intent: 'request_menu' } },
  { label: 'My tickets', actionId: 'ticket.status', value: {} },
  { label: 'Talk to a person', actionId: 'ticket.human', value: {} },
];

export const ratingChoices = (ticket: string): Choice[] =>
  [1, 2, 3, 4, 5].map((n) => ({
    label: '★'.repeat(n),
    actionId: 'ticket.rate' as const,
    value: { ticket, rating: n },
  }));

export const ratingQuestion = (ticket: string): string =>
  `How did we do on ${ticket}? Rate 1 (poor) to 5 (great).`;

const STATE_WORDS: Record<TicketState, string> = {
  new: 'open',
  assigned: 'open',
  in_progress: 'being worked on',
  pending: 'on hold',
  resolved: 'resolved',
  closed: 'closed',
  cancelled: 'cancelled',
};

const MOVE_WORDS: Partial<Record<TicketState, string>> = {
  in_progress: 'reopened',
  resolved: 'marked as fixed',
  closed: 'closed',
  cancelled: 'cancelled',
};

const PHASE_WORDS: Record<string, string> = {
  draft: 'still a draft',
  cab: 'waiting for the CAB vote',
  scheduled: 'approved and scheduled',
  implementing: 'being implemented',
  review: 'in review',
  closed: 'closed',
  rejected: 'rejected',
  cancelled: 'cancelled',
};

/**
 * A refused move in plain words: "INC0000003 was cancelled, so it can't be reopened. Tell me what is
 * wrong and I'll open a new ticket." Decided from the refusal's code and details, never its text.
 */
export function refusalText(r: Refusal, ticket: string): string {
  if (r.code === 'illegal_transition') {
    const phase = typeof r.details?.phase === 'string' ? PHASE_WORDS[r.details.phase] : undefined;
    if (phase) return `${ticket} is ${phase}, so that step is not possible now.`;
    const from = r.details?.from as TicketState | undefined;
    const to = r.details?.to as TicketState | undefined;
    if (r.details?.reopenDeadline)
      return `${ticket} was resolved too long ago to reopen. Tell me what is wrong and I'll open a new ticket that mentions ${ticket}.`;
    if (from && to) {
      const now = STATE_WORDS[from];
      const move = MOVE_WORDS[to] ?? 'changed that way';
      const next =
        from === 'closed' || from === 'cancelled'
          ? ' Tell me what is wrong and I will open a new ticket.'
          : from === 'resolved' && to === 'cancelled'
            ? ' If it is broken again, say "reopen".'
            : '';
      return `${ticket} is ${now}, so it can't be ${move}.${next}`;
    }
    return `${ticket} can't be changed that way right now.`;
  }
  if (r.code === 'forbidden') return r.message;
  return r.message;
}

/** Error codes whose message is an answer to the person (their input or their rights), not a fault. */
const ANSWER_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'illegal_transition',
  'not_found',
  'validation_failed',
  'forbidden',
  'too_large',
  'conflict',
]);

/** True when the error is an answer for the person; anything else is a fault to retry or give up on. */
export const isAnswerError = (e: unknown): e is AppError => isAppError(e) && ANSWER_CODES.has(e.code);

/** A user-facing sentence for an error raised while handling a turn. */
export function userMessageFor(e: unknown): string {
  if (isAnswerError(e)) {
    if (e.code === 'illegal_transition')
      return refusalText(
        { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) },
        'That ticket',
      );
    return e.message;
  }
  return 'Sorry, something went wrong on my side. Your message is saved and I will try again; if it keeps failing, a person from the service desk will pick it up.';
}

export const OUT_OF_SCOPE_TEXT =
  "Sorry, I'm not sure that's something the IT desk can help with. I handle IT problems, requests, access and ticket status. What would you like to do?";

export const UNCLEAR_TEXT =
  "I didn't quite get that. Could you tell me a bit more about what's wrong or what you need?";

/** How to leave a question, said when an answer could not be read twice. */
export const WAYS_OUT =
  'Say "cancel" to stop, or "talk to a person" and someone from the service desk will help.';
