/**
 * Features composed in by the app (ITIL depth, KPIs) that the dialogs reach through the interpreter
 * without depending on them. Built before the engine (src/dialog-hooks.ts): those features talk through
 * the chat core's notices, not through the engine.
 */
import type { Template } from '../../itsm/templates.js';
import type { Person, Ticket } from '../../itsm/types.js';

export interface DialogHooks {
  /**
   * Right after a ticket is opened from chat: approvals, "my laptop", known-error workarounds. Returns
   * lines for the reply; a hook that changes the ticket says so in one (the card is re-read only then).
   */
  onTicketOpened?: (
    ticket: Ticket,
    requester: Person,
    text: string,
    approval: Template['approval'] | null,
    now: string,
  ) => Promise<string[]>;
  managerReport?: (manager: Person) => Promise<string>;
  setAway?: (agent: Person, away: boolean) => Promise<string>;
  /** Creates a request for change from the change template's values; returns the reply. */
  openChange?: (
    requester: Person,
    values: Record<string, unknown>,
    now: string,
  ) => Promise<{ ticket: Ticket; text: string }>;
  /** The change service's scheduling and submission, for changes started in chat. */
  changes?: {
    schedule(
      number: string,
      actor: Person,
      start: string,
      end: string,
      now: string,
    ): Promise<{ ticket: Ticket; change: { riskLevel: string; riskScore: number } }>;
    submit(
      number: string,
      actor: Person,
      now: string,
    ): Promise<{ ticket: Ticket; change: { phase: string }; voters: number[] }>;
  };
  /** `approve|reject <number>[: comment]` by anyone; null when the text is not one. */
  approvalCommand?: (text: string, person: Person, now: string) => Promise<string | null>;
  /** Typed ITIL commands of staff (problems, assets); null when the text is not one. */
  staffCommand?: (text: string, person: Person, now: string) => Promise<string | null>;
  /** An agent turns a resolved ticket into a draft knowledge article; returns the reply. */
  draftArticle?: (number: string, agent: Person) => Promise<string>;
}
