/** Shapes shared by the handoff modules. */
import type { DirectoryStore } from '../../itsm/ports.js';
import type { TicketService } from '../../itsm/tickets.js';
import type { ConversationRef, Platform, Reply } from '../message.js';
import type { ChatStore } from '../store.js';

/** Queues a message to a conversation other than the one the turn is in, with the turn's replies. */
export type Emit = (
  ref: ConversationRef,
  reply: Reply,
  extra?: {
    bindTicketId?: number;
    bindRole?: 'requester' | 'agents';
    updateOf?: { conversation: ConversationRef; messageId: string } | null;
  },
) => void;

/** A requester's message that only thanks or takes leave: relayed, acknowledged in kind. */
export type Courtesy = 'thanks' | 'goodbye';

/** What the agents are told when a conversation is handed to them. */
export interface HandoffInfo {
  reason: string;
  confidence: number | null;
  tried: string[];
  summary: string;
}

export interface HandoffDeps {
  store: ChatStore;
  tickets: TicketService;
  directory: DirectoryStore;
  hasPort: (platform: Platform) => boolean;
  /** Prefix that marks an agent's thread message as an internal note. */
  internalNotePrefix: string;
  /** Default Bot Connector URL for Teams triage channels that do not name one. */
  teamsServiceUrl: string;
  /**
   * Development mode: a group without a reachable Slack or Teams triage channel gets one in the local
   * web chat (`web-triage:<slug>`), so the whole protocol can be tried locally.
   */
  webTriage?: boolean;
}
