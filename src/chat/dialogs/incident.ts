/**
 * Reporting a problem: the incident is opened from the first message (category from the intent or
 * triage, priority from triage raised by the severity rules, with the reasons shown), a knowledge
 * article is offered while the person waits, and the bot asks who is affected only when the message
 * did not say. P1 goes straight to a person.
 */
import { isHigherPriority, priorityOf } from '../../itsm/priority.js';
import type { Level } from '../../itsm/types.js';
import type { TriagePrediction } from '../../nlu/types.js';
import { ask, type DialogModule } from './dialog.js';
import { findOwn } from './evidence.js';
import { assessSeverity, cuePhrases, type Severity } from './severity.js';
import { popTop, push } from './stack.js';
import { before, say, step, within } from './steps.js';
import { handOffNew, handOffTicket, incidentInput } from './to-person.js';
import type { Effect, Frame, Question, Say, Shown, Step, Turn } from './types.js';
import { overlap, wordCount } from './words.js';

export const INCIDENT_CATEGORY: Record<string, string> = {
  incident_network: 'network',
  incident_email: 'email',
  incident_printer: 'printer',
  incident_hardware: 'hardware',
  incident_software: 'software',
  incident_security: 'security',
  incident_phone: 'phone',
  incident_other: 'other',
};

const IMPACT_QUESTION: Question = {
  key: 'impact',
  expects: 'impact',
  prompt:
    'Is anyone besides you affected, or can you not work at all? Tell me and I will raise the priority; if it is just you and you can still work, there is nothing more to do.',
};

const impactChoices = (ticket: string): Say['choices'] => [
  {
    label: 'My whole team is affected',
    actionId: 'choice',
    value: { intent: 'raise', ticket, impact: 'high' },
  },
  { label: "I can't work at all", actionId: 'choice', value: { intent: 'raise', ticket, urgency: 'high' } },
  { label: 'Just me, I can still work', actionId: 'choice', value: { answer: 'just me, I can still work' } },
];

function priorityLine(shown: Shown, sev: Severity, triage: TriagePrediction): string {
  const p = shown.ticket.priority;
  if (sev.reasons.length > 0) return `Priority ${p}, because ${sev.reasons.join(' and ')}.`;
  const cues = cuePhrases(triage);
  if (cues.length > 0) return `Priority ${p} (you said ${cues.map((c) => `"${c}"`).join(' and ')}).`;
  return `Priority ${p}.`;
}

interface OpenOptions {
  intent: string;
  confidence: number | null;
  terms?: string[];
  /** Ask who is affected when the message did not say (not while a person owns the conversation). */
  askImpact: boolean;
  bind: boolean;
  /** Said before the confirmation ("That sounds like a new problem…"). */
  lead?: string;
  /** Replaces the default continuation after the confirmation (used during a handoff). */
  after?: (shown: Shown) => Effect[];
}

/** Opens an incident from `text` and tells the person what happens next. */
export function openIncident(turn: Turn, text: string, o: OpenOptions): Step {
  return step([
    {
      do: 'triage',
      text,
      next: (triage) => {
        const sev = assessSeverity(text, triage);
        const input = incidentInput(
          text,
          { ...triage, impact: sev.impact, urgency: sev.urgency },
          {
            intent: o.intent,
            confidence: o.confidence,
            terms: o.terms ?? [],
            triageCategory: triage.category,
            triageGroup: triage.group,
            severityRules: sev.rules,
          },
        );
        input.category = sev.category ?? INCIDENT_CATEGORY[o.intent] ?? triage.category;
        return step([
          {
            do: 'open_ticket',
            input,
            text,
            bind: o.bind,
            next: ({ shown, notes }) => opened(turn, text, shown, notes, sev, triage, o),
          },
        ]);
      },
    },
  ]);
}

function opened(
  turn: Turn,
  text: string,
  shown: Shown,
  notes: string[],
  sev: Severity,
  triage: TriagePrediction,
  o: OpenOptions,
): Step {
  const t = shown.ticket;
  const lines = [
    `${o.lead ?? ''}I've opened ${t.number} for you: "${t.title}".`,
    `${priorityLine(shown, sev, triage)}${shown.card.eta ? ` ${shown.card.eta}.` : ''}`,
    ...notes,
  ];
  if (o.after)
    return step([say(lines.join('\n'), { card: shown.card, bindTicketId: t.id }), ...o.after(shown)]);
  if (t.priority === 'P1') {
    const first = say(lines.join('\n'), { card: shown.card, bindTicketId: t.id });
    return before(
      first,
      handOffTicket(turn, t.number, 'P1 incident', {
        confidence: o.confidence,
        tried: [`opened ${t.number} as P1`],
      }),
    );
  }
  return step([
    {
      do: 'kb_answer',
      query: text,
      next: (hit) => {
        const article = hit ? turn.facts.articles.get(hit.articleId) : undefined;
        const out = [...lines];
        if (hit && article) out.push(`While you wait, this article may help: "${article.title}".`);
        const asking = o.askImpact && !sev.scopeKnown;
        // A security incident does not "start working again": it is closed by the people who contain it.
        if (asking) out.push(IMPACT_QUESTION.prompt);
        else if (o.intent !== 'incident_security')
          out.push('If it starts working again, say "it works now" and I will close the ticket.');
        const extra: Omit<Say, 'text'> = {
          card: shown.card,
          bindTicketId: t.id,
          ...(hit && article ? { article: { id: hit.articleId, ...article } } : {}),
          ...(asking ? { choices: impactChoices(t.number) } : {}),
        };
        const f: Frame = {
          dialog: 'incident',
          ticket: t.number,
          slots: {
            subject: text,
            impact: t.impact,
            urgency: t.urgency,
            priority: t.priority,
            openedAs: turn.nlu.prediction.intent.startsWith('incident_') ? turn.nlu.prediction.intent : null,
          },
          question: asking ? IMPACT_QUESTION : null,
          at: turn.facts.now,
        };
        return step([say(out.join('\n'), extra)], asking ? push(turn.stack, f) : popIncidentFrames(turn));
      },
    },
  ]);
}

/** Nothing pending after the report; a suspended form below stays. */
function popIncidentFrames(turn: Turn) {
  const top = turn.stack.frames.at(-1);
  return top && top.suspended !== true ? popTop(turn.stack) : turn.stack;
}

const level = (v: unknown): Level => (v === 'high' || v === 'medium' || v === 'low' ? v : 'low');

/** The requester's word on who is affected: raise the priority, or keep it. */
export function raise(
  turn: Turn,
  ticket: string,
  impact: Level | null,
  urgency: Level | null,
  was: Frame | null,
  why: string,
): Step {
  const stack = was ? popTop(turn.stack) : turn.stack;
  const known = findOwn(turn, ticket);
  const curImpact = level(was?.slots.impact ?? known?.impact);
  const curUrgency = level(was?.slots.urgency ?? known?.urgency);
  return step(
    [
      {
        do: 'reprioritize',
        ticket,
        impact: impact ?? curImpact,
        urgency: urgency ?? curUrgency,
        reason: `requester: ${why.slice(0, 200)}`,
        next: ({ before: was, after }) => {
          const t = after.ticket;
          const wanted = priorityOf(impact ?? curImpact, urgency ?? curUrgency);
          // The requester's claim stops at the ceiling (impact-claim.ts); the desk decides above it.
          const ceilingNote = isHigherPriority(wanted, t.priority)
            ? ` That is as high as I can set it from what you tell me; the service desk can raise it further, and your words are on the ticket.`
            : '';
          if (t.priority === was.priority)
            return step([say(`Noted on ${t.number}; the priority stays ${t.priority}.${ceilingNote}`)]);
          const lead = say(
            `Thanks: ${t.number} is now ${t.priority}.${after.card.eta ? ` ${after.card.eta}.` : ''}${ceilingNote}`,
            { card: after.card },
          );
          if (t.priority !== 'P1') return step([lead]);
          return before(lead, handOffTicket(turn, t.number, 'P1 incident'));
        },
        refused: () =>
          step([
            { do: 'comment', ticket, text: why },
            say(
              `The service desk is already working on ${ticket}, so they set its priority now; I've added what you said to the ticket.`,
            ),
          ]),
      },
    ],
    stack,
  );
}

export const incidentDialog: DialogModule = {
  resumable: false,
  context: (f) => String(f.slots.subject ?? ''),
  problemKind: (f) => (typeof f.slots.openedAs === 'string' ? f.slots.openedAs : null),
  label: (f) => `the question about ${f.ticket ?? 'your ticket'}`,
  answer(turn, f, answer) {
    if (answer.kind !== 'impact' || !f.ticket) return step([], popTop(turn.stack));
    if (answer.justMe && !answer.impact && !answer.urgency)
      return step(
        [
          say(
            `Thanks, noted: ${f.ticket} stays ${String(f.slots.priority ?? '')}. If it starts working again, say "it works now".`.replace(
              ' stays .',
              '.',
            ),
          ),
        ],
        popTop(turn.stack),
      );
    return raise(turn, f.ticket, answer.impact, answer.urgency, f, turn.text);
  },
  unclear(turn, f, kit) {
    // More about the same problem goes on the ticket; anything else is handled as if nothing was asked.
    const p = turn.nlu.prediction;
    const aboutIt =
      (p.intent.startsWith('incident_') || p.intent === 'add_info') && p.confidence >= 0.5
        ? true
        : overlap(turn.text, String(f.slots.subject ?? '')) >= 0.3;
    if (f.ticket && wordCount(turn.text) >= 4 && aboutIt)
      return step(
        [
          { do: 'comment', ticket: f.ticket, text: turn.text },
          say(`Added that to ${f.ticket}. The team will see it.`),
        ],
        popTop(turn.stack),
      );
    return kit.route({ ...turn, stack: popTop(turn.stack) });
  },
};

/** "What is not working?": asked when the first message was too short to open a ticket from. */
export const describeDialog: DialogModule = {
  resumable: false,
  context: () => '',
  label: () => 'your description',
  answer(turn, f, answer) {
    const text = answer.kind === 'value' && typeof answer.value === 'string' ? answer.value : turn.text;
    const rest = { ...turn, stack: popTop(turn.stack) };
    if (f.slots.purpose === 'person') return handOffNew(text, 'requester asked for a person');
    return within(
      rest.stack,
      openIncident(rest, text, {
        intent: String(f.slots.intent ?? 'incident_other'),
        confidence: null,
        askImpact: true,
        bind: true,
      }),
    );
  },
  unclear(_turn, f) {
    return step([ask(f.question ?? IMPACT_QUESTION)]);
  },
};

export const askDescription = (turn: Turn, intent: string): Step => {
  const q: Question = {
    key: 'describe',
    expects: 'describe',
    prompt:
      'Sorry to hear that. What exactly is not working? (For example: "Outlook crashes when I open attachments".)',
  };
  return step(
    [say(q.prompt)],
    push(turn.stack, { dialog: 'describe', slots: { intent }, question: q, at: turn.facts.now }),
  );
};
