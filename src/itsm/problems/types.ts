/** The problem service's views and dependencies (re-exported by ../problems.ts). */
import type { DirectoryStore, ItilNotifier, ItilStore, TicketStore } from '../ports.js';
import type { ItilConfig } from '../practices-config.js';
import type { ProblemRecord, Ticket } from '../types.js';

/** The NLU's sentence similarity, as the problem service needs it (src/nlu/types.ts implements it). */
export interface TextSimilarity {
  scores(query: string, candidates: readonly string[]): Promise<number[]>;
}

export interface ProblemServiceDeps {
  tickets: TicketStore;
  directory: DirectoryStore;
  itil: ItilStore;
  notifier: ItilNotifier;
  config: ItilConfig['problems'];
  /** Closeness in meaning (sentence embeddings, src/nlu); without it known errors match by keywords. */
  similarity?: TextSimilarity | undefined;
}

export interface ProblemView {
  problem: Ticket;
  record: ProblemRecord;
  incidents: Array<Pick<Ticket, 'number' | 'title' | 'state' | 'requesterId'>>;
}
