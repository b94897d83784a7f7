/**
 * "Can you make it urgent, I have a deadline today" with no question pending: the person asks for a
 * higher priority on a ticket of theirs. It is raised as the impact question's answer raises it
 * (urgency high, up to the ceiling a requester's word can reach); the ticket is the one the message
 * is about by the usual evidence, else the conversation's own open ticket, else their only open one.
 */
import { evidenceFor } from './evidence.js';
import { raise } from './incident.js';
import { say, step } from './steps.js';
import type { Step, Turn } from './types.js';
import { newSubjectWords } from './words.js';

const RAISE =
  /\b(?:make (?:it|this|that|my \w+(?: ticket)?|(?:INC|REQ)[\s#-]*\d{1,7}) (?:urgent|a priority|high(?: priority)?|critical|a p[12])|(?:raise|increase|bump|escalate|up) (?:the |its |my (?:ticket'?s? )?)?priority|(?:it'?s|this is) (?:urgent|critical)|(?:please )?(?:hurry|urgently) please|(?:needs|need it) (?:to be )?(?:done )?urgently)\b/i;

/** Words of the ask itself and of why it is urgent; any other subject makes it a message of its own. */
const ASKING = new Set(
  'make it this that urgent urgently priority high higher critical raise increase bump escalate up please can could would you hurry deadline today tonight tomorrow morning asap need needs needed done have has got meeting presentation client customer boss manager soon hour hours minutes afternoon ticket p1 p2'.split(
    ' ',
  ),
);

export function raiseRequest(turn: Turn): Step | null {
  if (!RAISE.test(turn.text)) return null;
  const { openTickets, conversationTicket } = turn.facts;
  const ev = evidenceFor(turn, { similar: true, dialog: false });
  const ticket = ev
    ? openTickets.find((t) => t.number === ev.number)
    : (openTickets.find((t) => t.number === conversationTicket?.number) ??
      (openTickets.length === 1 ? openTickets[0] : undefined));
  if (!ticket) {
    // "my laptop screen is cracked, it's urgent" is a report of its own, whatever it asks for.
    if (newSubjectWords(turn.text, '', ASKING).length > 0) return null;
    // Asked to raise nothing: say so plainly (the words alone are no problem report to open).
    if (openTickets.length === 0)
      return step([
        say('You have no open ticket to make urgent. Tell me what is wrong and I will open one.'),
      ]);
    if (!ev)
      return step([
        say(
          `Which ticket should be urgent? Say its number, e.g. "make ${openTickets[0]?.number ?? 'INC0000001'} urgent".`,
        ),
      ]);
    return null;
  }
  // "my laptop is broken, it's urgent" about another ticket is a new report, not this ticket's priority.
  if (newSubjectWords(turn.text, `${ticket.title}\n${ticket.description}`, ASKING).length > 0) return null;
  return raise(turn, ticket.number, null, 'high', null, turn.text);
}
