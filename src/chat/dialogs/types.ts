/**
 * The shapes every dialog shares. A dialog step is a pure function of (stack, message, what the NLU
 * understood, facts read before the turn) → a Step: the new stack and an ordered list of effects
 * (replies and domain commands). A command that produces something the dialog needs (a ticket number,
 * a refusal) carries a continuation, itself a pure function of that result, so the whole turn can be
 * tested without I/O by feeding results to the continuations.
 */
import type { ErrorCode } from '../../errors.js';
import type { Template } from '../../itsm/templates.js';
import type { Level, Person, Ticket, TicketState } from '../../itsm/types.js';
import type { FrustrationSignal } from '../../nlu/frustration.js';
import type { IntentPrediction, KnowledgeHit, TriagePrediction } from '../../nlu/types.js';
import type { Choice, FormSpec, Platform, Reply, TicketCard } from '../message.js';

export type DialogName =
  | 'describe'
  | 'incident'
  | 'form'
  | 'knowledge'
  | 'pick_ticket'
  | 'add_info'
  | 'rating'
  | 'change';

/** What kind of answer a question waits for; decides how a reply is read before anything else. */
type Expect =
  | 'yes_no'
  | 'choice'
  | 'choices'
  | 'date'
  | 'window'
  | 'number'
  | 'person'
  | 'email'
  | 'text'
  | 'rating'
  | 'impact'
  | 'ticket'
  | 'describe';

export interface Question {
  /** What the dialog asked for: a form field id, `impact`, `helpful`, `window`… */
  key: string;
  expects: Expect;
  /** The question as the person read it, to ask it again. */
  prompt: string;
  options?: string[];
  optional?: boolean;
  /** Answers in a row that could not be read; the second one offers the ways out. */
  tries?: number;
}

export type SlotValue = string | number | boolean | string[] | null;

/** One dialog in progress. Stored as JSON on the conversation row (see stack.ts). */
export interface Frame {
  dialog: DialogName;
  /** The ticket the dialog is about, when there is one. */
  ticket?: string;
  slots: Record<string, SlotValue>;
  question: Question | null;
  /** A new request interrupted this dialog: it waits below the new one and resumes after it. */
  suspended?: boolean;
  at: string;
}

export interface DialogStack {
  v: 2;
  /** Bottom first; the last frame is the active one. */
  frames: Frame[];
  /** Messages in a row the bot could not place (out of scope, unclear). */
  misses?: number;
  /** The last out-of-scope message, kept so a second one can hand off both. */
  lastMiss?: string;
}

export interface Article {
  title: string;
  body: string;
  url: string | null;
}

/** What was read before the turn; dialogs never read storage themselves. */
export interface Facts {
  now: string;
  person: Person;
  platform: Platform;
  /** The ticket whose thread this message is a reply in (evidence for "add to that ticket"). */
  threadTicket: Ticket | null;
  /** The ticket the conversation was last about, when it is the speaker's own. */
  conversationTicket: Ticket | null;
  /** The speaker's own open tickets, newest first. */
  openTickets: Ticket[];
  /** The speaker's resolved tickets (candidates for reopen and close), newest first. */
  resolvedTickets: Ticket[];
  templates: ReadonlyMap<string, Template>;
  articles: ReadonlyMap<string, Article>;
  /** The directory, when the turn may have to name someone ("for Bob", "me"). */
  people: Person[];
  handoffThreshold: number;
}

/** The NLU result of the message. */
export interface Understanding {
  prediction: IntentPrediction;
  frustration: FrustrationSignal;
}

export interface Turn {
  stack: DialogStack;
  text: string;
  nlu: Understanding;
  facts: Facts;
}

/** A reply as a dialog writes it; the interpreter turns it into a Reply. */
export interface Say {
  text: string;
  card?: TicketCard;
  choices?: Choice[];
  form?: FormSpec;
  article?: Reply['article'];
  /** The delivered message starts the ticket's thread. */
  bindTicketId?: number;
  /** Replace the card the clicked button was on. */
  updateSource?: boolean;
}

/** An expected refusal of the domain (not found, forbidden, illegal move, blackout…), as plain data. */
export interface Refusal {
  code: ErrorCode;
  message: string;
  field?: string;
  details?: Record<string, unknown>;
}

/** A ticket as the person will see it: the record and its card (SLA line, group, assignee). */
export interface Shown {
  ticket: Ticket;
  card: TicketCard;
}

export interface NewTicket {
  kind: 'incident' | 'service_request';
  title: string;
  description: string;
  impact: Level;
  urgency: Level;
  category: string | null;
  templateId?: string;
  fields?: Record<string, unknown>;
  groupSlug?: string | null;
  decisions?: Record<string, unknown>;
}

type Continue<T> = (result: T) => Step;

/** The domain commands and reads a dialog may ask for. */
export type Effect =
  | { do: 'say'; say: Say }
  /** A line said at the start (or end) of the next reply ("I've put your form on hold…"). */
  | { do: 'note'; text: string; at: 'start' | 'end' }
  | { do: 'triage'; text: string; next: Continue<TriagePrediction> }
  | { do: 'kb_answer'; query: string; next: Continue<KnowledgeHit | null> }
  | { do: 'kb_search'; query: string; k: number; next: Continue<KnowledgeHit[]> }
  | {
      do: 'kb_record';
      articleId: string;
      query: string;
      intent: string;
      confidence: number;
      next: Continue<number>;
    }
  | { do: 'kb_outcome'; answerId: number; outcome: 'accepted' | 'rejected' }
  | {
      do: 'open_ticket';
      input: NewTicket;
      /** Text the ITIL hooks read ("my laptop", known errors). */
      text: string;
      /** Make this the conversation's ticket (not while a person owns the conversation for another one). */
      bind: boolean;
      next: Continue<{ shown: Shown; notes: string[] }>;
    }
  | { do: 'comment'; ticket: string; text: string; next?: Continue<void>; refused?: Continue<Refusal> }
  | {
      do: 'transition';
      ticket: string;
      to: TicketState;
      reason: string;
      next: Continue<Shown>;
      refused?: Continue<Refusal>;
    }
  | {
      do: 'reprioritize';
      ticket: string;
      impact: Level;
      urgency: Level;
      reason: string;
      next: Continue<{ before: Ticket; after: Shown }>;
      refused?: Continue<Refusal>;
    }
  | { do: 'rate'; ticket: string; score: number; comment: string | null; next: Continue<void> }
  | {
      do: 'handoff';
      ticket: string;
      reason: string;
      confidence: number | null;
      tried: string[];
      summary: string;
      next: Continue<{ shown: Shown; alreadyWithPerson: boolean }>;
    }
  | { do: 'cards'; tickets: string[]; next: Continue<TicketCard[]> }
  | {
      do: 'open_change';
      values: Record<string, unknown>;
      next: Continue<{ ticket: Ticket; text: string }>;
      refused: Continue<Refusal>;
    }
  | {
      do: 'schedule_change';
      ticket: string;
      start: string;
      end: string;
      next: Continue<{ ticket: Ticket; risk: string }>;
      refused: Continue<Refusal>;
    }
  | {
      do: 'submit_change';
      ticket: string;
      next: Continue<{ ticket: Ticket; voters: number; phase: string }>;
      refused: Continue<Refusal>;
    }
  | {
      do: 'command';
      which: 'approval' | 'staff' | 'away' | 'back' | 'draft' | 'report';
      text: string;
      next: Continue<string | null>;
    }
  | { do: 'tell_agents'; ticket: string; text: string };

export interface Step {
  /** The stack after this step; absent: unchanged. */
  stack?: DialogStack;
  effects: Effect[];
}
