/**
 * One turn of the conversation: typed commands first (they have a fixed syntax), then the pending
 * question's decision (answer, command or new request), else the routing table from intents to
 * handlers. A pure function of the turn; the interpreter (run.ts) carries out its effects.
 */
import { OUT_OF_SCOPE } from '../../nlu/types.js';
import { asksForAccessory, requestAccessory } from './accessory.js';
import { changeCommand, changeDialog, typedChange } from './change.js';
import {
  asksAfterProgress,
  asksForPerson,
  decide,
  isCancel,
  isResume,
  TICKET_COMMAND,
  worksNow,
} from './decide.js';
import type { DialogModule, Kit } from './dialog.js';
import { ask } from './dialog.js';
import { recurrenceOf } from './evidence.js';
import { formDialog, startForm } from './form.js';
import {
  askDescription,
  describeDialog,
  INCIDENT_CATEGORY,
  incidentDialog,
  openIncident,
} from './incident.js';
import { answerFromKnowledge, knowledgeDialog } from './knowledge.js';
import { raiseRequest } from './raise-request.js';
import { active, popTop, suspended, suspendTop } from './stack.js';
import { andThen, prefixed, say, step } from './steps.js';
import { firstName, HELP_TEXT, OUT_OF_SCOPE_TEXT, START_CHOICES, UNCLEAR_TEXT } from './texts.js';
import { addInfoDialog, pickTicketDialog, ratingDialog } from './ticket-questions.js';
import { act, status, type TicketVerb, ticketCommand } from './tickets.js';
import { askForPerson, handOffMessage, handOffNew } from './to-person.js';
import type { DialogName, DialogStack, Effect, Facts, Frame, Step, Turn } from './types.js';
import { wordCount } from './words.js';

const DIALOGS: Record<DialogName, DialogModule> = {
  describe: describeDialog,
  incident: incidentDialog,
  form: formDialog,
  knowledge: knowledgeDialog,
  pick_ticket: pickTicketDialog,
  add_info: addInfoDialog,
  rating: ratingDialog,
  change: changeDialog,
};

/** Intents that start a request form, and the form. */
export const TEMPLATE_FOR_INTENT: Record<string, string> = {
  hardware_request: 'laptop-request',
  software_request: 'software-access',
  access_request: 'software-access',
  new_hire: 'new-hire',
};

type Handler = (turn: Turn) => Step;

function reportProblem(turn: Turn): Step {
  const back = recurrenceOf(turn);
  if (back) return act(turn, 'reopen_ticket', back, turn.text);
  const p = turn.nlu.prediction;
  if (p.intent === 'incident_other' && wordCount(turn.text) < 6) return askDescription(turn, p.intent);
  return openIncident(turn, turn.text, {
    intent: p.intent,
    confidence: p.confidence,
    terms: p.explanation.terms.slice(0, 5).map((t) => t.term),
    askImpact: true,
    bind: true,
  });
}

function report(turn: Turn): Step {
  if (turn.facts.person.role === 'employee')
    return step([
      say('Desk reports are for service desk managers and agents. Say "status" to see your own tickets.'),
    ]);
  return step([{ do: 'command', which: 'report', text: turn.text, next: (r) => step(r ? [say(r)] : []) }]);
}

const reply =
  (text: string, withChoices = false): Handler =>
  () =>
    step([say(text, withChoices ? { choices: START_CHOICES } : {})]);

/** The routing table: intent → handler. Intents added to data/ without a handler go to a person. */
export const ROUTES: Record<string, Handler> = {
  ...Object.fromEntries(Object.keys(INCIDENT_CATEGORY).map((i) => [i, reportProblem])),
  ...Object.fromEntries(
    Object.entries(TEMPLATE_FOR_INTENT).map(([i, id]) => [i, (t: Turn) => startForm(t, id, t.text)]),
  ),
  // The laptop form is for computers; an accessory alone is a request of its own.
  hardware_request: (t) =>
    asksForAccessory(t.text)
      ? requestAccessory(t)
      : startForm(t, TEMPLATE_FOR_INTENT.hardware_request as string, t.text),
  password_reset: (t) => answerFromKnowledge(t, 'password_reset'),
  account_locked: (t) => answerFromKnowledge(t, 'account_locked'),
  how_to: (t) => answerFromKnowledge(t, 'how_to'),
  greeting: (t) =>
    step([
      say(`Hi ${firstName(t.facts.person)}! I'm the IT desk bot. Tell me what's wrong or what you need.`, {
        choices: START_CHOICES,
      }),
    ]),
  thanks: reply("You're welcome! Anything else, just write."),
  goodbye: reply('Bye! Write any time.'),
  help: reply(HELP_TEXT, true),
  feedback: reply(
    'Thanks for telling me. If something needs fixing, describe it and I will open a ticket; to rate help you got, use the Rate button on the ticket.',
  ),
  affirm: reply('What would you like to do?', true),
  deny: reply('OK. What would you like to do?', true),
  ticket_status: status,
  add_info: (t) => ticketCommand(t, 'add_info'),
  cancel_ticket: (t) => ticketCommand(t, 'cancel_ticket'),
  close_ticket: (t) => ticketCommand(t, 'close_ticket'),
  reopen_ticket: (t) => ticketCommand(t, 'reopen_ticket'),
  talk_to_human: askForPerson,
  // An employee asking "how long does this usually take?" reads like a report question to the
  // classifier, but reports are not theirs: their own open tickets (with the times promised) answer it.
  manager_report: (t) =>
    t.facts.person.role === 'employee' && t.facts.openTickets.length > 0 ? status(t) : report(t),
};

function outOfScope(turn: Turn): Step {
  const misses = (turn.stack.misses ?? 0) + 1;
  const last = turn.stack.lastMiss;
  if (misses >= 2 && last && wordCount(turn.text) >= 3 && wordCount(last) >= 3)
    // Two things the bot cannot place in a row: a person reads them. They open a ticket of their
    // own; small talk never hands over an existing ticket.
    return handOffNew(`${last}\n${turn.text}`, 'out of scope twice in a row', {
      confidence: turn.nlu.prediction.confidence,
      tried: ['asked the requester to rephrase'],
    });
  return step([say(OUT_OF_SCOPE_TEXT, { choices: START_CHOICES })], {
    ...turn.stack,
    misses,
    lastMiss: turn.text,
  });
}

/** The message as a new request: nothing is pending (or what was pending has been set aside). */
function route(turn: Turn): Step {
  const text = turn.text.trim();
  const p = turn.nlu.prediction;
  if (worksNow(text)) return ticketCommand(turn, 'close_ticket');
  if (asksForPerson(text)) return askForPerson(turn);
  if (asksAfterProgress(text)) return status(turn);
  const raised = raiseRequest(turn);
  if (raised) return raised;
  if (turn.nlu.frustration.frustrated) {
    const f = active(turn.stack);
    return handOffMessage(turn, `frustration (${turn.nlu.frustration.reason})`, {
      tried: f ? [`was in the middle of: ${f.dialog}`] : [],
    });
  }
  if (p.outOfScope || p.intent === OUT_OF_SCOPE) return outOfScope(turn);
  // Unsure which kind of fault ("my outlok wont open": e-mail or software?) but sure it is one: the
  // ticket is opened as usual (triage routes it); only a message whose action is unclear goes to a person.
  const surelyAProblem =
    p.intent.startsWith('incident_') && (p.actionConfidence ?? 0) >= turn.facts.handoffThreshold;
  if (p.confidence < turn.facts.handoffThreshold && !surelyAProblem) {
    if (wordCount(text) < 3)
      return step([say(UNCLEAR_TEXT, { choices: START_CHOICES })], {
        ...turn.stack,
        misses: (turn.stack.misses ?? 0) + 1,
      });
    // "how long until someone looks at it?": unsure of the intent, but its action is a status one.
    // Showing the person's open tickets is read-only, so a wrong guess costs one reply, where a
    // hand-off would open a new ticket made of the question.
    if (p.action === 'status' && turn.facts.openTickets.length > 0) return status(turn);
    return handOffMessage(turn, `low confidence (${p.confidence.toFixed(2)} for ${p.intent})`, {
      confidence: p.confidence,
      tried: [`best guesses: ${[p.intent, ...p.alternatives.slice(0, 2).map((a) => a.intent)].join(', ')}`],
    });
  }
  const handler = ROUTES[p.intent] ?? (p.intent.startsWith('incident_') ? reportProblem : null);
  const s = handler
    ? handler(turn)
    : handOffMessage(turn, `no dialog for intent ${p.intent}`, { confidence: p.confidence });
  return s.stack ? s : { ...s, stack: { ...turn.stack, misses: 0 } };
}

const kit: Kit = { route };

const AVAILABILITY = /^\s*(?:i'?m\s+)?(away|back|out of office|available)\s*[.!]?\s*$/i;
const DRAFT = /^\s*draft (?:an? )?(?:kb |knowledge )?article (?:from |for )?((?:INC|REQ)\d{7})\s*$/i;
const APPROVAL = /^\s*(approve|reject)\s+(REQ|INC|CHG)\d{7}\b/i;
const STAFF =
  /^\s*(problem from|link\s|root cause|known error|asset\s|resolve (?:incidents of )?PRB|improvements?\b|evaluate improvements)/i;
const RFC = /^(rfc|new change|request (?:a |for )?change)$/i;
const REPORT = /^(report|kpis?|desk report)$/i;

const command = (which: Extract<Effect, { do: 'command' }>['which'], text: string): Step =>
  step([{ do: 'command', which, text, next: (r) => step(r ? [say(r)] : []) }]);

const VERB: Array<[RegExp, TicketVerb]> = [
  [/^(?:please\s+)?cancel\b/i, 'cancel_ticket'],
  [/^(?:please\s+)?close\b/i, 'close_ticket'],
  [/^(?:please\s+)?re-?open\b/i, 'reopen_ticket'],
  [/^(?:please\s+)?add\b/i, 'add_info'],
];

/** "cancel INC0000003", "add to INC0000003: …": the ticket is named, so no classifier is needed. */
function typedTicketCommand(turn: Turn): Step | null {
  const text = turn.text.trim();
  if (!TICKET_COMMAND.test(text)) return null;
  const verb = VERB.find(([re]) => re.test(text))?.[1] ?? 'ticket_status';
  const f = active(turn.stack);
  // What was being asked waits (a form) or is set aside (an optional question) while the command runs.
  const stack = !f ? turn.stack : DIALOGS[f.dialog].resumable ? suspendTop(turn.stack) : popTop(turn.stack);
  const s = ticketCommand({ ...turn, stack }, verb);
  return s.stack ? s : { ...s, stack };
}

/** Commands with a fixed syntax; null when the message is none of them. */
function typedCommand(turn: Turn): Step | null {
  const text = turn.text.trim();
  const ticketCmd = typedTicketCommand(turn);
  if (ticketCmd) return ticketCmd;
  const staff = turn.facts.person.role !== 'employee';
  const availability = AVAILABILITY.exec(text)?.[1]?.toLowerCase();
  if (staff && availability)
    return command(availability === 'away' || availability === 'out of office' ? 'away' : 'back', text);
  if (staff && DRAFT.test(text)) return command('draft', text);
  if (APPROVAL.test(text)) return command('approval', text);
  if (staff && STAFF.test(text)) return command('staff', text);
  if (staff) {
    const change = typedChange(turn) ?? changeCommand(turn);
    if (change) return change;
    if (RFC.test(text) && turn.facts.templates.has('change-request'))
      return startForm(turn, 'change-request', null);
  }
  if (REPORT.test(text)) return report(turn);
  return null;
}

function onQuestion(turn: Turn, f: Frame): Step {
  const dialog = DIALOGS[f.dialog];
  const q = f.question;
  if (!q || turn.nlu.frustration.frustrated) return route(turn);
  const d = decide(turn, q, dialog.context(f, turn.facts), dialog.problemKind?.(f) ?? null);
  switch (d.is) {
    case 'answer':
      return dialog.answer(turn, f, d.answer, kit);
    case 'unclear':
      return dialog.unclear(turn, f, kit);
    case 'new_request': {
      // A follow-up nobody has to answer (what went wrong, after a poor rating) is dropped, not resumed.
      if (dialog.resumable && f.slots.followUp !== true) {
        const stack = suspendTop(turn.stack);
        return prefixed(
          `I've put ${dialog.label(f, turn.facts)} on hold; we'll come back to it after this.`,
          route({ ...turn, stack }),
        );
      }
      const rest = route({ ...turn, stack: popTop(turn.stack) });
      return f.dialog === 'incident' && f.ticket
        ? prefixed(`(${f.ticket}, your earlier report, stays as it is.)`, rest, 'end')
        : rest;
    }
    case 'command':
      switch (d.command) {
        case 'cancel':
          return step([say(`OK, I've stopped ${dialog.label(f, turn.facts)}.`)], popTop(turn.stack));
        case 'resume':
          return step([ask(q)]);
        case 'help':
          return step([say(HELP_TEXT), ask(q, {}, 'Now, back to the question: ')]);
        case 'status':
          return andThen(status(turn), step([ask(q, {}, 'Now, back to the question: ')]));
        case 'human':
          return askForPerson(turn);
        case 'works_now':
          return ticketCommand(
            { ...turn, stack: f.dialog === 'incident' ? turn.stack : popTop(turn.stack) },
            'close_ticket',
          );
      }
  }
}

/** The pure function of a message turn. */
export function onMessage(turn: Turn): Step {
  const typed = typedCommand(turn);
  if (typed) return typed;
  const f = active(turn.stack);
  if (f) return onQuestion(turn, f);
  const waiting = suspended(turn.stack);
  if (waiting && isCancel(turn.text))
    return step([say(`OK, I've dropped ${DIALOGS[waiting.dialog].label(waiting, turn.facts)}.`)], {
      ...turn.stack,
      frames: turn.stack.frames.filter((x) => x !== waiting),
    });
  if (waiting && isResume(turn.text)) return step([]);
  return route(turn);
}

/**
 * After a turn: when nothing is pending but a dialog waits below, it resumes with its question.
 * Called by the interpreter with the stack the turn ended on.
 */
export function resumeIfIdle(
  stack: DialogStack,
  facts: Facts,
): { stack: DialogStack; effects: Effect[] } | null {
  const t = stack.frames.at(-1);
  if (!t || t.suspended !== true || !t.question) return null;
  const label = DIALOGS[t.dialog].label(t, facts);
  return {
    stack: { ...stack, frames: [...stack.frames.slice(0, -1), { ...t, suspended: false }] },
    effects: [ask(t.question, {}, `Now, back to ${label}: `)],
  };
}
