/**
 * A request for change started in chat goes all the way from chat: once the change exists (from the
 * form or from a typed `change …` command) the bot asks for its window if it has none, schedules it
 * (a window in a blackout is refused with the reason and asked again), and asks whether to submit it
 * for approval. `schedule CHG… <when>` and `submit CHG…` do the same steps by hand.
 */
import { findTicketNumbers } from '../../itsm/numbering.js';
import { window as readWindow } from './answers.js';
import { ask, type DialogModule, reask } from './dialog.js';
import { frame, popTop, push, replaceTop } from './stack.js';
import { before, say, step } from './steps.js';
import { refusalText } from './texts.js';
import type { Frame, Question, Step, Turn } from './types.js';

const WINDOW: Question = {
  key: 'window',
  expects: 'window',
  optional: true,
  prompt:
    'When should it happen? For example "saturday 20:00 to 22:00" (your time) or "2026-12-01T18:00 to 20:00 UTC". Say "skip" to keep it a draft for now.',
};

const SUBMIT: Question = {
  key: 'submit',
  expects: 'yes_no',
  prompt: 'Submit it for approval now?',
};

const changeFrame = (turn: Turn, number: string, q: Question): Frame =>
  frame('change', turn.facts.now, { ticket: number, question: q });

function askSubmit(turn: Turn, number: string, lead: string): Step {
  const f = changeFrame(turn, number, { ...SUBMIT, prompt: `${lead}Submit ${number} for approval now?` });
  return step([ask(f.question as Question)], push(turn.stack, f));
}

/** After the change is created: ask whether to submit it (it has a window), or for its window. */
export function afterChangeOpened(turn: Turn, number: string, text: string, hasWindow: boolean): Step {
  if (hasWindow) return before(say(text), askSubmit(turn, number, ''));
  const f = changeFrame(turn, number, WINDOW);
  return step(
    [say(text), ask(WINDOW, {}, `${number} needs a window before it can be submitted. `)],
    push(turn.stack, f),
  );
}

function schedule(turn: Turn, number: string, start: string, end: string, f: Frame | null): Step {
  return step([
    {
      do: 'schedule_change',
      ticket: number,
      start,
      end,
      next: ({ risk }) =>
        askSubmit(
          { ...turn, stack: f ? popTop(turn.stack) : turn.stack },
          number,
          `Scheduled ${number} for ${start.replace('T', ' ')} – ${end.replace('T', ' ')} UTC. Risk ${risk}.\n`,
        ),
      refused: (r) => {
        if (r.code === 'conflict' || r.field === 'plannedStart' || r.field === 'plannedEnd') {
          const q = { ...WINDOW, prompt: `${r.message}\n${WINDOW.prompt}` };
          const next = changeFrame(turn, number, q);
          return step([ask(q)], f ? replaceTop(turn.stack, next) : push(turn.stack, next));
        }
        return step([say(refusalText(r, number))], f ? popTop(turn.stack) : turn.stack);
      },
    },
  ]);
}

function submit(turn: Turn, number: string, f: Frame | null): Step {
  const stack = f ? popTop(turn.stack) : turn.stack;
  return step(
    [
      {
        do: 'submit_change',
        ticket: number,
        next: ({ voters, phase }) =>
          step([
            say(
              phase === 'scheduled'
                ? `${number} is a standard change: pre-approved and scheduled.`
                : `${number} is submitted: ${voters} CAB member${voters === 1 ? '' : 's'} will vote, and I will tell you the outcome.`,
            ),
          ]),
        refused: (r) =>
          r.field === 'plannedStart'
            ? step(
                [ask(WINDOW, {}, `${number} needs a window before it can be submitted.\n`)],
                push(stack, changeFrame(turn, number, WINDOW)),
              )
            : step([say(refusalText(r, number))]),
      },
    ],
    stack,
  );
}

/** `schedule CHG0000001 saturday 20:00 to 22:00` and `submit CHG0000001`; null when the text is neither. */
export function changeCommand(turn: Turn): Step | null {
  const m = /^\s*(schedule|reschedule|submit)\s+(CHG[\s#-]*\d{1,7})\b\s*(.*)$/is.exec(turn.text);
  if (!m?.[1] || !m[2]) return null;
  const number = findTicketNumbers(m[2])[0]?.number;
  if (!number) return null;
  if (m[1].toLowerCase() === 'submit') return submit(turn, number, null);
  const w = readWindow(m[3] ?? '', turn.facts.now, turn.facts.person.timeZone);
  if (w?.kind === 'window') return schedule(turn, number, w.start, w.end, null);
  const f = changeFrame(turn, number, WINDOW);
  return step([ask(WINDOW)], push(turn.stack, f));
}

export const changeDialog: DialogModule = {
  resumable: true,
  context: () => '',
  label: (f) => `the scheduling of ${f.ticket ?? 'your change'}`,
  answer(turn, f, answer) {
    const number = f.ticket ?? '';
    if (f.question?.key === 'window') {
      if (answer.kind === 'skip')
        return step(
          [say(`${number} stays a draft. Say "schedule ${number} <when>" when you know the window.`)],
          popTop(turn.stack),
        );
      if (answer.kind === 'window') return schedule(turn, number, answer.start, answer.end, f);
      return reask(turn, f, 'I could not read a start time in that.');
    }
    if (answer.kind === 'yes') return submit(turn, number, f);
    return step(
      [say(`OK, ${number} stays as it is. Say "submit ${number}" when it is ready.`)],
      popTop(turn.stack),
    );
  },
  unclear(turn, f) {
    return reask(
      turn,
      f,
      f.question?.key === 'window' ? 'I could not read a start time in that.' : 'Please answer yes or no.',
    );
  },
};

const TYPED =
  /^change (standard|normal|emergency)\s+(high|medium|low)\/(high|medium|low):\s*(.+?)(?:\s+on\s+((?:[A-Za-z]+-\d+[,\s]*(?:and\s+)?)+))?$/is;

/** `change standard os-patch: monthly patches on SV-4001`: a change from the pre-approved catalogue. */
const STANDARD =
  /^change standard\s+([a-z0-9][a-z0-9-]*):\s*(.+?)(?:\s+on\s+((?:[A-Za-z]+-\d+[,\s]*(?:and\s+)?)+))?$/is;

/** `change normal high/medium: replace the VPN gateway on SV-4001` (staff): a draft, then its window. */
export function typedChange(turn: Turn): Step | null {
  if (turn.facts.person.role === 'employee') return null;
  const m = TYPED.exec(turn.text.trim());
  const std = m ? null : STANDARD.exec(turn.text.trim());
  const summary = m?.[4] ?? std?.[2];
  if (!summary || (m && (!m[1] || !m[2] || !m[3])) || (std && !std[1])) return null;
  const tags = m ? m[5] : std?.[3];
  const assets = tags?.match(/[A-Za-z]+-\d+/g)?.map((a) => a.toUpperCase()) ?? [];
  const values: Record<string, unknown> = {
    summary: summary.trim(),
    ...(m
      ? { change_type: m[1]?.toLowerCase(), impact: m[2]?.toLowerCase(), urgency: m[3]?.toLowerCase() }
      : { change_type: 'standard', template: std?.[1]?.toLowerCase() }),
    ...(assets.length > 0 ? { assets: assets.join(', ') } : {}),
  };
  return step([
    {
      do: 'open_change',
      values,
      next: (r) => afterChangeOpened(turn, r.ticket.number, r.text, false),
      refused: (r) => step([say(r.message)]),
    },
  ]);
}
