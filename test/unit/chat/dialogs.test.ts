/**
 * The dialog layer without I/O: each turn is a pure function of (stack, message, NLU result, facts)
 * → (stack, replies, domain commands); continuations are fed results by hand here.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { date, impact, rating, readAnswer, ticketChoice, window } from '../../../src/chat/dialogs/answers.js';
import { decide, isNewRequest } from '../../../src/chat/dialogs/decide.js';
import { matchOption, matchOptions } from '../../../src/chat/dialogs/options.js';
import { onMessage } from '../../../src/chat/dialogs/router.js';
import { assessSeverity } from '../../../src/chat/dialogs/severity.js';
import { extractSlots } from '../../../src/chat/dialogs/slots.js';
import { emptyStack, readStack } from '../../../src/chat/dialogs/stack.js';
import type { Effect, Facts, Shown, Step, Turn } from '../../../src/chat/dialogs/types.js';
import { loadTemplates, type Template } from '../../../src/itsm/templates.js';
import type { Person, Ticket } from '../../../src/itsm/types.js';
import type { TriagePrediction } from '../../../src/nlu/types.js';

const NOW = '2026-03-04T10:00:00.000Z'; // a Wednesday
const alice: Person = {
  id: 1,
  email: 'alice@example.com',
  displayName: 'Alice Martin',
  role: 'employee',
  managerId: 2,
  timeZone: 'Europe/Berlin',
  away: false,
  capacity: null,
  skills: [],
};
const maria: Person = {
  ...alice,
  id: 2,
  email: 'maria@example.com',
  displayName: 'Maria Rossi',
  role: 'manager',
};

let templates: Map<string, Template>;
beforeAll(async () => {
  templates = new Map(
    (await loadTemplates(join(import.meta.dirname, '../../../data/templates'))).map((t) => [t.id, t]),
  );
});

function ticket(number: string, title: string, extra: Partial<Ticket> = {}): Ticket {
  return {
    id: Number(number.slice(3)),
    number,
    kind: 'incident',
    title,
    description: title,
    state: 'assigned',
    pendingReason: null,
    impact: 'low',
    urgency: 'low',
    priority: 'P4',
    category: 'software',
    templateId: null,
    fields: {},
    requesterId: 1,
    groupId: 1,
    assigneeId: null,
    channel: 'local',
    createdAt: NOW,
    updatedAt: NOW,
    resolvedAt: null,
    closedAt: null,
    ...extra,
  };
}

function facts(extra: Partial<Facts> = {}): Facts {
  return {
    now: NOW,
    person: alice,
    platform: 'local',
    threadTicket: null,
    conversationTicket: null,
    openTickets: [],
    resolvedTickets: [],
    templates,
    articles: new Map(),
    people: [alice, maria],
    handoffThreshold: 0.55,
    ...extra,
  };
}

function turn(text: string, intent: string, confidence = 0.95, extra: Partial<Turn> = {}): Turn {
  return {
    stack: emptyStack(),
    text,
    nlu: {
      prediction: {
        intent,
        confidence,
        outOfScope: intent === 'out_of_scope',
        alternatives: [],
        explanation: { terms: [], nearest: [] },
      },
      frustration: { frustrated: false, score: 0, reason: null },
    },
    facts: facts(),
    ...extra,
  };
}

const triage = (extra: Partial<TriagePrediction> = {}): TriagePrediction => ({
  category: 'software',
  group: null,
  confidence: 0.9,
  impact: 'low',
  urgency: 'low',
  priorityReasons: ['no impact cue → impact low', 'no urgency cue → urgency low'],
  explanation: { terms: [], nearest: [] },
  ...extra,
});

const shown = (t: Ticket): Shown => ({
  ticket: t,
  card: {
    number: t.number,
    kind: t.kind,
    title: t.title,
    state: t.state,
    priority: t.priority,
    impact: t.impact,
    urgency: t.urgency,
    group: null,
    assignee: null,
    eta: null,
    actions: [],
  },
});

const says = (s: Step) => s.effects.flatMap((e) => (e.do === 'say' ? [e.say.text] : []));
const find = <K extends Effect['do']>(s: Step, kind: K) =>
  s.effects.find((e): e is Extract<Effect, { do: K }> => e.do === kind);

describe('reading answers in the context of the question', () => {
  it('reads ratings, impact answers and dates the way people type them', () => {
    expect(rating('5')).toEqual({ score: 5, comment: null });
    expect(rating('4/5 quick fix, thanks')).toEqual({ score: 4, comment: 'quick fix, thanks' });
    expect(rating('★★★')).toEqual({ score: 3, comment: null });
    expect(rating('great')?.score).toBe(5);
    expect(rating('my vpn is down')).toBeNull();
    expect(impact('no, just me, I can still work')).toEqual({
      kind: 'impact',
      impact: null,
      urgency: null,
      justMe: true,
    });
    expect(impact('my whole team is affected')).toMatchObject({ impact: 'high', justMe: false });
    expect(impact("I can't work at all")).toMatchObject({ urgency: 'high' });
    expect(date('monday', NOW, 'Europe/Berlin')).toBe('2026-03-09');
    expect(date('next friday', NOW, 'Europe/Berlin')).toMatch(/^2026-03-(06|13)$/);
    expect(date('asap', NOW, 'Europe/Berlin')).toBe('2026-03-04');
    expect(date('whenever the budget allows', NOW, 'Europe/Berlin')).toBeNull();
    // A day of the month alone: this month's, or next month's once it has passed (NOW is 4 March).
    expect(date('starting on the 14th, Priya Nair', NOW, 'Europe/Berlin')).toBe('2026-03-14');
    expect(date('the 2nd', NOW, 'Europe/Berlin')).toBe('2026-04-02');
    expect(date('on the 31st', NOW, 'Europe/Berlin')).toBe('2026-03-31');
    // A length of time is not a date; "in 2 days" is.
    expect(date('in the office mostly, maybe 2 days from home', NOW, 'Europe/Berlin')).toBeNull();
    expect(date('in 2 days', NOW, 'Europe/Berlin')).toBe('2026-03-06');
    // Times are the person's (Berlin is UTC+1 in March); the window is kept in UTC.
    expect(window('saturday 20:00 to 22:00', NOW, 'Europe/Berlin')).toMatchObject({
      start: '2026-03-07T19:00',
      end: '2026-03-07T21:00',
    });
    expect(window('2026-12-20 20:00 to 22:00 UTC', NOW, 'Europe/Berlin')).toMatchObject({
      start: '2026-12-20T20:00',
    });
  });

  it('finds options by synonym, typo, position and part of their name', () => {
    const os = ['Windows', 'macOS', 'Linux'];
    expect(matchOption('mac', os)).toBe('macOS');
    expect(matchOption('2', os)).toBe('macOS');
    expect(matchOption('macbok pro', ['MacBook Air', 'MacBook Pro'])).toBe('MacBook Pro');
    expect(matchOption('standard', ['Read only', 'Standard user', 'Administrator'])).toBe('Standard user');
    expect(matchOption('admin', ['Read only', 'Standard user', 'Administrator'])).toBe('Administrator');
    // Answers come wrapped in words that name no option.
    const levels = ['Read only', 'Standard user', 'Administrator'];
    expect(matchOption('standard is fine', levels)).toBe('Standard user');
    expect(matchOption('I think the standard one, thanks', levels)).toBe('Standard user');
    expect(matchOption('read is enough for me', levels)).toBe('Read only');
    expect(matchOption('whatever you think', levels)).toBeNull();
    const equipment = ['Laptop', 'Monitor', 'Docking station', 'Headset', 'Phone', 'Keyboard and mouse'];
    expect(matchOptions('a macbook, two monitors and a headset', equipment)).toEqual([
      'Laptop',
      'Monitor',
      'Headset',
    ]);
    expect(matchOption('2 days from home, the rest in the office', ['Office', 'Remote', 'Hybrid'])).not.toBe(
      'Office',
    );
    expect(matchOption('purple', os)).toBeNull();
    expect(matchOptions('laptop and a monitor please', ['Laptop', 'Monitor', 'Docking station'])).toEqual([
      'Laptop',
      'Monitor',
    ]);
    expect(matchOptions('a dock and a headset', ['Docking station', 'Headset', 'Mouse'])).toEqual([
      'Docking station',
      'Headset',
    ]);
  });

  it('knows "me", names and "my manager" for person and email questions', () => {
    const ctx = { now: NOW, person: alice, people: [alice, maria] };
    expect(readAnswer({ key: 'for', expects: 'person', prompt: '' }, 'me', ctx)).toEqual({
      kind: 'value',
      value: 'Alice Martin <alice@example.com>',
    });
    expect(readAnswer({ key: 'for', expects: 'person', prompt: '' }, 'Maria', ctx)).toEqual({
      kind: 'value',
      value: 'Maria Rossi <maria@example.com>',
    });
    // Someone not in the directory yet is taken by name; an answer to another question is not a name.
    const forWhom = { key: 'for', expects: 'person' as const, prompt: '' };
    expect(readAnswer(forWhom, 'Jan de Vries', ctx)).toEqual({ kind: 'value', value: 'Jan de Vries' });
    expect(readAnswer(forWhom, "o'brien", ctx)).toEqual({ kind: 'value', value: "o'brien" });
    for (const text of ['asap please', 'by next friday', 'the whole team', 'I edit contracts every day'])
      expect(readAnswer(forWhom, text, ctx), text).toBeNull();
    expect(readAnswer({ key: 'm', expects: 'email', prompt: '' }, 'my manager', ctx)).toEqual({
      kind: 'value',
      value: 'maria@example.com',
    });
    expect(readAnswer({ key: 'm', expects: 'email', prompt: '', optional: true }, 'skip', ctx)).toEqual({
      kind: 'skip',
    });
    for (const text of ['nothing else', "that's all", 'no thanks'])
      expect(readAnswer({ key: 'n', expects: 'text', prompt: '', optional: true }, text, ctx), text).toEqual({
        kind: 'skip',
      });
  });

  it('picks a ticket by number, position, words of its title, or "something new"', () => {
    const offered = [
      ticket('INC0000001', 'VPN keeps dropping'),
      ticket('INC0000002', 'Printer on floor 3 jams'),
    ];
    expect(ticketChoice('the printer one', offered)).toEqual({ kind: 'ticket', number: 'INC0000002' });
    expect(ticketChoice('first', offered)).toEqual({ kind: 'ticket', number: 'INC0000001' });
    expect(ticketChoice('something new', offered)).toEqual({ kind: 'ticket', number: null });
  });
});

describe('the answer-or-new-request decision', () => {
  const impactQ = { key: 'impact', expects: 'impact' as const, prompt: 'Is anyone else affected?' };

  it('takes a new problem for a new request, not an answer, even when it has answer words', () => {
    const t = turn(
      'SAP throws error 500 when we post invoices, the whole AP team is blocked',
      'incident_software',
      0.61,
    );
    expect(decide(t, impactQ, 'excel keeps crashing when I open big files')).toEqual({ is: 'new_request' });
    expect(
      decide(turn('my whole team is affected', 'incident_other', 0.43), impactQ, 'excel keeps crashing'),
    ).toMatchObject({ is: 'answer' });
  });

  it('reads the bot’s own expected replies first', () => {
    expect(decide(turn('it works now', 'affirm', 0.98), impactQ, 'excel crashes')).toEqual({
      is: 'command',
      command: 'works_now',
    });
    expect(decide(turn('no, just me, I can still work', 'deny', 0.98), impactQ, 'excel')).toMatchObject({
      is: 'answer',
      answer: { justMe: true },
    });
    expect(
      decide(turn('5', 'out_of_scope', 0.3), { key: 'rating', expects: 'rating', prompt: '' }, ''),
    ).toEqual({
      is: 'answer',
      answer: { kind: 'rating', score: 5, comment: null },
    });
  });

  it('lets a problem interrupt a form question but not a plain answer', () => {
    const q = {
      key: 'access_level',
      expects: 'choice' as const,
      prompt: '',
      options: ['Read only', 'Standard user', 'Administrator'],
    };
    expect(
      decide(
        turn('wifi not workin in meeting room 4B', 'incident_network', 0.97),
        q,
        'Software or access request',
      ),
    ).toEqual({ is: 'new_request' });
    expect(decide(turn('standard', 'out_of_scope', 0.5), q, 'Software or access request')).toMatchObject({
      is: 'answer',
    });
    expect(decide(turn('cancel', 'cancel_ticket', 1), q, '')).toEqual({ is: 'command', command: 'cancel' });
    expect(decide(turn('cancel INC0000003', 'cancel_ticket', 1), q, '')).toEqual({ is: 'new_request' });
  });

  it('takes a fault of another kind than the pending ticket for a new problem, without problem words', () => {
    const dock = turn(
      'the docking station lights up but the laptop shows nothing on it',
      'incident_hardware',
      0.7,
    );
    // No problem word in it: only the kinds tell the two apart.
    expect(decide(dock, impactQ, 'outlook crashes when I search')).toMatchObject({ is: 'unclear' });
    expect(decide(dock, impactQ, 'outlook crashes when I search', 'incident_email')).toEqual({
      is: 'new_request',
    });
    // The same kind, or a vague one, stays with the pending ticket.
    expect(decide(dock, impactQ, 'outlook crashes when I search', 'incident_hardware')).toMatchObject({
      is: 'unclear',
    });
    expect(decide(dock, impactQ, 'outlook crashes when I search', 'incident_other')).toMatchObject({
      is: 'unclear',
    });
  });

  it('reads "it worked" as the end of the problem only when nothing about the problem follows', () => {
    for (const text of [
      'it worked!',
      'it worked, thanks',
      'that did it',
      'it works now',
      'it works again thx',
    ])
      expect(decide(turn(text, 'affirm', 0.9), impactQ, 'excel crashes'), text).toEqual({
        is: 'command',
        command: 'works_now',
      });
    expect(decide(turn("never mind, it's fine now", 'affirm', 0.9), impactQ, 'excel crashes')).toEqual({
      is: 'command',
      command: 'works_now',
    });
    // "status" alone is a command even where any text would be an answer.
    const free = { key: 'addition', expects: 'text' as const, prompt: 'What would you like to add?' };
    expect(decide(turn('status', 'ticket_status', 0.9), free, 'excel crashes')).toEqual({
      is: 'command',
      command: 'status',
    });
    for (const text of ['it worked yesterday with the same cable', 'it worked before the update on monday'])
      expect(
        decide(turn(text, 'incident_hardware', 0.6), impactQ, 'projector shows no input'),
        text,
      ).not.toEqual({
        is: 'command',
        command: 'works_now',
      });
  });

  it('does not take more words about the same subject for a new request', () => {
    expect(
      isNewRequest(
        turn('outlook still crashes when I search my inbox', 'incident_email', 0.9),
        'outlook crashes when I search',
      ),
    ).toBe(false);
  });
});

describe('severity rules', () => {
  it('makes a phished password and an office outage urgent, with reasons', () => {
    const phish = assessSeverity('I clicked a phishing link and typed my password', triage());
    expect(phish).toMatchObject({
      urgency: 'high',
      impact: 'medium',
      category: 'security',
      scopeKnown: true,
    });
    expect(phish.reasons[0]).toMatch(/entered your credentials after a phishing link/);
    const outage = assessSeverity(
      'the whole office internet is down, nobody on floor 2 can work!!!',
      triage({ impact: 'high' }),
    );
    expect(outage).toMatchObject({ impact: 'high', urgency: 'high', scopeKnown: true });
    expect(outage.reasons).toEqual(['many people are affected', 'they cannot work']);
    // A word naming which office or floor does not hide that it is all of it.
    expect(assessSeverity('URGENT the whole sales floor has no internet!!!', triage())).toMatchObject({
      impact: 'high',
      scopeKnown: true,
    });
    expect(assessSeverity('excel keeps crashing when I open big files', triage())).toMatchObject({
      impact: 'low',
      urgency: 'low',
      scopeKnown: false,
      reasons: [],
    });
  });
});

describe('slots from what was already said', () => {
  it('fills the new-hire form from "new starter joining on monday, Tom Becker, in marketing"', () => {
    const t = templates.get('new-hire') as Template;
    expect(extractSlots(t, 'new starter joining on monday, Tom Becker, in marketing', facts())).toEqual({
      full_name: 'Tom Becker',
      start_date: '2026-03-09',
      department: 'Marketing',
    });
  });

  it('takes the job and a day of the month from how people introduce a new colleague', () => {
    const t = templates.get('new-hire') as Template;
    expect(extractSlots(t, 'we have a new designer starting on the 14th, Priya Nair', facts())).toMatchObject(
      {
        full_name: 'Priya Nair',
        job_title: 'Designer',
        start_date: '2026-03-14',
      },
    );
    expect(extractSlots(t, 'Omar is joining as a senior data analyst next monday', facts()).job_title).toBe(
      'Senior Data Analyst',
    );
    expect(extractSlots(t, 'Tom Becker starting next monday as a sales rep', facts()).job_title).toBe(
      'Sales Rep',
    );
    expect(extractSlots(t, 'a new starter is joining on monday', facts()).job_title).toBeUndefined();
  });

  it('files software that is not in the list as Other with its name', () => {
    const t = templates.get('software-access') as Template;
    expect(extractSlots(t, 'pls can u instal zoom', facts())).toEqual({
      application: 'Other',
      other_application: 'Zoom',
    });
    expect(extractSlots(t, 'access to Salesforce', facts())).toEqual({ application: 'Salesforce' });
  });

  it('takes the reason given with a request as its justification, not a person or a time', () => {
    const t = templates.get('software-access') as Template;
    expect(extractSlots(t, 'I need Figma for reviewing the new app designs', facts())).toMatchObject({
      application: 'Figma',
      justification: 'For reviewing the new app designs',
    });
    expect(extractSlots(t, 'github access so I can merge the release branches', facts()).justification).toBe(
      'So I can merge the release branches',
    );
    for (const text of ['Figma for Maria please', 'Figma for something small', 'Figma as soon as possible'])
      expect(extractSlots(t, text, facts()).justification, text).toBeUndefined();
  });
});

describe('turns as pure steps', () => {
  it('opens an incident in two steps: triage, then the ticket, then the question on the stack', () => {
    const first = onMessage(turn('excel keeps crashing when I open big files', 'incident_software'));
    const tri = find(first, 'triage');
    expect(tri?.text).toBe('excel keeps crashing when I open big files');
    const open = find(tri?.next(triage()) as Step, 'open_ticket');
    expect(open?.input).toMatchObject({
      kind: 'incident',
      category: 'software',
      impact: 'low',
      urgency: 'low',
    });
    const opened = open?.next({
      shown: shown(ticket('INC0000007', 'Excel keeps crashing')),
      notes: [],
    }) as Step;
    const answered = find(opened, 'kb_answer')?.next(null) as Step;
    expect(says(answered)[0]).toMatch(/I've opened INC0000007/);
    expect(answered.stack?.frames.at(-1)).toMatchObject({
      dialog: 'incident',
      ticket: 'INC0000007',
      question: { key: 'impact' },
    });
  });

  it('a rambling message with no evidence for the old ticket is a new report, not a comment', () => {
    const vpn = ticket('INC0000001', 'My vpn disconnects every hour');
    const text =
      'I want to add some more information: since the update excel freezes whenever I paste a large table and teams stops showing my calendar';
    const s = onMessage(turn(text, 'add_info', 0.94, { facts: facts({ openTickets: [vpn] }) }));
    expect(find(s, 'comment')).toBeUndefined();
    expect(find(s, 'triage')).toBeDefined();
    const explicit = onMessage(
      turn('add to INC0000001: it also happens on the office wifi', 'incident_network', 0.9, {
        facts: facts({ openTickets: [vpn] }),
      }),
    );
    expect(find(explicit, 'comment')).toMatchObject({
      ticket: 'INC0000001',
      text: 'it also happens on the office wifi',
    });
  });

  it('"talk to a person" with two open tickets asks which, and small talk hands nothing off', () => {
    const open = [ticket('INC0000001', 'VPN drops'), ticket('INC0000002', 'Printer jams')];
    const ask = onMessage(
      turn('can I talk to a human please', 'talk_to_human', 1, { facts: facts({ openTickets: open }) }),
    );
    expect(find(ask, 'handoff')).toBeUndefined();
    expect(ask.stack?.frames.at(-1)).toMatchObject({ dialog: 'pick_ticket', slots: { purpose: 'human' } });
    const oos = onMessage(
      turn('weather?', 'out_of_scope', 0.8, {
        stack: { v: 2, frames: [], misses: 1, lastMiss: 'book a flight' },
        facts: facts({ openTickets: open }),
      }),
    );
    expect(oos.effects.map((e) => e.do)).toEqual(['say']);
  });

  it('reads stacks stored before the dialog stack, keeping only a pending rating', () => {
    expect(readStack({ kind: 'template', templateId: 'x', values: {}, asking: 'a' }, NOW)).toEqual(
      emptyStack(),
    );
    expect(readStack({ kind: 'rate', ticket: 'INC0000001' }, NOW).frames[0]).toMatchObject({
      dialog: 'rating',
      ticket: 'INC0000001',
    });
    expect(readStack({ v: 2, frames: [{ dialog: 'nonsense', slots: {}, at: NOW }] }, NOW).frames).toEqual([]);
  });
});
