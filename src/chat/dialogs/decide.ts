/**
 * The one decision every dialog relies on: is this message an answer to the question the bot asked,
 * a command (cancel, status, a person please, "it works now"), or a new request that interrupts?
 *
 * Expected replies are read in the context of the question first ("5" after a rating prompt, "no,
 * just me" to the impact question, "it works now" after the bot said to say so). A message that
 * names a problem or a request of its own (the classifier is confident, it has the words of one, and
 * its subject is not the one being discussed) is a new request, whatever the question was.
 */
import { type Answer, readAnswer } from './answers.js';
import { active } from './stack.js';
import type { Facts, Question, Turn } from './types.js';
import { newSubjectWords, similarity, tokens, wordCount } from './words.js';

type Command = 'cancel' | 'resume' | 'help' | 'status' | 'human' | 'works_now';

type Decision =
  | { is: 'answer'; answer: Answer }
  | { is: 'command'; command: Command }
  | { is: 'new_request' }
  | { is: 'unclear' };

const CANCEL = /^(cancel|stop|never ?mind|abort|forget (?:it|that|about it)|quit|start over|drop it)[.!]?$/i;
/** "can you cancel that please": what "that" is is clear only while a form is being filled in. */
const POLITE_CANCEL =
  /^(?:(?:ok(?:ay)?|actually|just|please|(?:can|could|would) you)[\s,]+)*(?:cancel|stop|drop|abort|forget)(?:\s+(?:it|that|this|this request|the request|the form|the whole thing|everything|about it))?(?:[\s,]+please)?[\s.!?]*$/i;
/** "cancel", "never mind": said to whatever is pending (the router drops a dialog left waiting with it). */
export const isCancel = (text: string): boolean => CANCEL.test(text.trim());
const RESUME =
  /^(resume|continue|carry on|go on|go back|back to (?:it|the form|my request|where we were))[.!]?$/i;
export const isResume = (text: string): boolean => RESUME.test(text.trim());
const HELP = /^(help|\?|what can you do|what can i say|options|menu)[.!?]?$/i;
export const STATUS = /^(status|my tickets|show (?:me )?my tickets|ticket status|list my tickets)[.!?]?$/i;
const HUMAN =
  /\b(talk|speak|chat)\s+(?:to|with)\s+(?:a |an |some )?(human|person|agent|real person|someone|somebody|technician)\b|\b(human|agent|person) please\b|^(agent|human|operator)[.!]?$/i;

/**
 * "it works now", "it's fixed now, thanks", "all good now": the problem went away. A bare "it worked"
 * counts only when nothing but thanks or punctuation follows: "it worked yesterday with the same
 * cable" is more about the problem, not its end.
 */
const WORKS_NOW =
  /\b(?:it|that|this|everything|all|my \w+)?\s*(?:'s|is|are)?\s*(?:works?|working|fixed|solved|resolved|sorted(?: out)?|fine|good)\s+(?:now|again|itself)\b|^(?:it|that)\s+(?:works|worked|is fixed|fixed it|did it)(?=\s*(?:$|[!.,;:)]|now\b|again\b|thanks?\b|thank you\b|thx\b|cheers\b|great\b|perfect\b))|\bproblem (?:is )?(?:gone|solved)\b|\bfixed itself\b|^(?:all )?(?:fixed|solved|sorted)\b/i;
const NEGATED = /\b(not|n'?t|never(?! ?mind)|still (?:broken|failing|down)|no longer works)\b/i;

export const worksNow = (text: string): boolean => WORKS_NOW.test(text) && !NEGATED.test(text);
export const asksForPerson = (text: string): boolean => HUMAN.test(text);

export const TICKET_COMMAND =
  /^(?:please\s+)?(?:cancel|close|reopen|re-open|status(?: of)?|add(?: info(?:rmation)?)? to|update on|what'?s the status of)\s+(?:my\s+|ticket\s+)?(?:INC|REQ|PRB|CHG)[\s#-]*\d{1,7}\b/i;
const PROBLEM =
  /\b(not work\w*|doesn'?t work|does not work|isn'?t working|broken|broke|crash\w*|error|errors|down|fail\w*|can'?t|cannot|won'?t|unable|keeps|stopped|stuck|frozen|freez\w*|slow|jam\w*|issue|problem|blocked|outage|offline|drops|dropp\w*|disconnect\w*|missing|hacked|denied|no longer|phish\w*|virus|malware|suspicious|compromised|leak\w*|spam|flicker\w*|goes black|black screen|blank|dead|cracked|overheat\w*|beep\w*|noise|no (?:sound|audio|signal|internet|network|connection|power)|not (?:loading|opening|starting|connecting|printing|syncing|responding|showing|sending|receiving|detected|recogni[sz]ed|charging|turning on|booting))\b/i;
const REQUEST =
  /\b(need|want|request|order|get me|install|instal|access|licen[cs]e|new|set ?up|account for|onboard|joining|starter|add me|give me|would like|can i (?:get|have))\b/i;
const QUESTION = /^(how|where|what|can i|how do|is there)\b/i;

const PROBLEM_INTENTS = (intent: string): boolean => intent.startsWith('incident_');
const REQUEST_INTENTS = new Set(['hardware_request', 'software_request', 'access_request', 'new_hire']);
const QUESTION_INTENTS = new Set(['how_to', 'password_reset', 'account_locked']);

/** Words answers to a question are made of: they never count as a new subject. */
const ANSWER_WORDS = new Set(
  `affected affects affecting impacted impact team whole entire everyone everybody nobody office floor company
  department colleagues people users several many multiple others other work working blocked urgent asap
  same problem issue too also just only still can cant cannot deadline today tomorrow week monday tuesday
  wednesday thursday friday saturday sunday next morning afternoon evening tonight yes no please thanks
  skip none sure maybe think guess one two three four five stars star great good bad fine`.split(/\s+/),
);

/**
 * Whether the message brings a problem, request or question of its own, unrelated to `context` (what
 * the pending question is about).
 */
export function isNewRequest(
  turn: Pick<Turn, 'text' | 'nlu'>,
  context: string,
  vocabulary: string[] = [],
  problemKind: string | null = null,
): boolean {
  const { text } = turn;
  const p = turn.nlu.prediction;
  if (p.outOfScope) return false;
  const words = wordCount(text);
  if (words < 3) return false;
  const confident = p.confidence >= (words >= 6 ? 0.5 : 0.6);
  if (!confident) return false;
  const kind = PROBLEM_INTENTS(p.intent)
    ? PROBLEM.test(text) || otherKindOfFault(p.intent, problemKind)
    : REQUEST_INTENTS.has(p.intent)
      ? REQUEST.test(text)
      : QUESTION_INTENTS.has(p.intent) && QUESTION.test(text.trim());
  if (!kind) return false;
  const vocab = new Set([...ANSWER_WORDS, ...vocabulary.flatMap((v) => tokens(v))]);
  const fresh = newSubjectWords(text, context, vocab);
  if (fresh.length < 2) return false;
  return context.trim() === '' || similarity(text, context).cosine < 0.5;
}

/**
 * A fault of another kind than the pending ticket's (a monitor after an e-mail problem). A list of
 * problem words cannot cover every way people describe a fault; the classifier's kind, compared with
 * the ticket's, can. "Other" is too vague to tell two problems apart.
 */
function otherKindOfFault(intent: string, pending: string | null): boolean {
  return (
    pending !== null && intent !== pending && intent !== 'incident_other' && pending !== 'incident_other'
  );
}

/**
 * The decision for a message while `question` is pending. `context` is what the question is about
 * (the ticket's text, the form's title and answers) so a message about the same thing is not new.
 */
export function decide(
  turn: Turn,
  question: Question,
  context: string,
  problemKind: string | null = null,
): Decision {
  const text = turn.text.trim();
  if (CANCEL.test(text) || (active(turn.stack)?.dialog === 'form' && POLITE_CANCEL.test(text)))
    return { is: 'command', command: 'cancel' };
  if (RESUME.test(text)) return { is: 'command', command: 'resume' };
  if (worksNow(text))
    return question.expects === 'yes_no'
      ? { is: 'answer', answer: { kind: 'yes' } }
      : { is: 'command', command: 'works_now' };
  if (
    asksForPerson(text) ||
    (turn.nlu.prediction.intent === 'talk_to_human' &&
      turn.nlu.prediction.confidence >= 0.8 &&
      wordCount(text) <= 8)
  )
    return { is: 'command', command: 'human' };

  // "cancel INC0000003", "status REQ0000002": a command about a ticket is never an answer to a form.
  if (question.expects !== 'ticket' && TICKET_COMMAND.test(text)) return { is: 'new_request' };
  const free = question.expects === 'text' || question.expects === 'describe';
  const vocabulary = question.options ?? [];
  // A long message that names something new is not read as an answer, even when a date or an option
  // could be fished out of it ("my monitor broke on monday" is not a start date).
  if (!free && wordCount(text) >= 4 && isNewRequest(turn, context, vocabulary, problemKind))
    return { is: 'new_request' };
  // Any words answer a free-text question, so a new request must be surer there; not under an
  // optional one ("what went wrong?", "anything else?"), where nothing is lost by moving on.
  if (
    free &&
    isNewRequest(turn, context, vocabulary, problemKind) &&
    (question.optional === true || turn.nlu.prediction.confidence >= 0.85)
  )
    return { is: 'new_request' };

  // "status" alone is never the words of an answer, even to a free-text question; nor is a question
  // after progress ("where is my keyboard order?"): it is answered, then the question asked again.
  if (STATUS.test(text) || asksAfterProgress(text)) return { is: 'command', command: 'status' };
  const answer = readAnswer(question, text, answerContext(turn.facts, turn));
  if (answer) return { is: 'answer', answer };

  if (HELP.test(text)) return { is: 'command', command: 'help' };
  if (isNewRequest(turn, context, vocabulary, problemKind)) return { is: 'new_request' };
  return { is: 'unclear' };
}

function answerContext(facts: Facts, turn?: Pick<Turn, 'stack'>) {
  const f = turn?.stack.frames.at(-1);
  const offered = Array.isArray(f?.slots.offered) ? (f.slots.offered as string[]) : [];
  const all = [...facts.openTickets, ...facts.resolvedTickets];
  return {
    now: facts.now,
    person: facts.person,
    people: facts.people,
    tickets: offered.map((n) => all.find((t) => t.number === n)).filter((t) => t !== undefined),
  };
}

/** The words of a progress question itself, which name no subject ("any news on my ticket?"). */
const PROGRESS_WORDS = new Set(
  'any anything news update updates status progress ticket tickets request requests problem problems issue issues case someone somebody anyone anybody working looking look happening happened going sorry meant mean still yet long how when eta there what whats'.split(
    ' ',
  ),
);

/** Asking after progress in so many words, whatever the classifier makes of the thing named. */
const PROGRESS_QUESTION =
  /\b(?:any (?:news|update|progress)|(?:is|has) (?:any|some)(?:one|body) (?:looking|working|on it|picked|seen|got)|(?:any|some)(?:one|body) on it|what(?:'s| is) the (?:status|progress)|status of|how long (?:will|until|till)|when will (?:it|this|someone|somebody|anyone) be|where(?:'s| is) my (?:[\w-]+ ){0,3}(?:order|request|ticket|delivery))\b/i;

/** "where is my keyboard order?", "any news on my ticket?": a question after progress, in its own words. */
export const asksAfterProgress = (text: string): boolean => PROGRESS_QUESTION.test(text);

/**
 * During a hand-off, a question about progress: about something the handed-off ticket is not about
 * ("any news on my salesforce access?") the bot answers it from the person's tickets ('elsewhere');
 * without a subject of its own ("any update?", "is anyone looking at my outlook problem?" on the
 * Outlook ticket) it is for the person who has the ticket ('here'), and never a new problem.
 */
export function progressWhileHandedOff(
  turn: Turn,
  ticket: { title: string; description: string },
): 'elsewhere' | 'here' | null {
  const p = turn.nlu.prediction;
  const asks = (p.intent === 'ticket_status' && p.confidence >= 0.5) || asksAfterProgress(turn.text);
  if (!asks) return null;
  const fresh = newSubjectWords(turn.text, `${ticket.title}\n${ticket.description}`, PROGRESS_WORDS);
  return fresh.length > 0 ? 'elsewhere' : 'here';
}

/**
 * While a person has the conversation about `ticket`, only a clearly new problem is the bot's: one
 * the classifier is sure of, with the words of a problem, about something else, naming no ticket.
 */
export function isNewProblemWhileHandedOff(
  turn: Turn,
  ticket: { title: string; description: string },
): boolean {
  const p = turn.nlu.prediction;
  if (!p.intent.startsWith('incident_') || p.confidence < 0.6) return false;
  if (/\b(INC|REQ|PRB|CHG)\s*#?\d{1,7}\b/i.test(turn.text) || wordCount(turn.text) < 5) return false;
  return isNewRequest(turn, `${ticket.title}\n${ticket.description}`);
}
