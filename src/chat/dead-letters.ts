/**
 * Who may see dead letters (turns and replies given up after the retry horizon): admins only — a
 * dead letter holds what someone wrote, for whoever resolves it. The one rule, used by every surface.
 */
import { AppError } from '../errors.js';
import type { Person } from '../itsm/types.js';
import type { ChatStore, DeadLetter } from './store.js';

export async function deadLettersFor(
  actor: Person,
  store: ChatStore,
  q: { kind?: 'turn' | 'reply'; limit: number },
): Promise<DeadLetter[]> {
  if (actor.role !== 'admin')
    throw new AppError('forbidden', 'Only admins can list dead letters (messages chatdesk gave up on).');
  return store.deadLetters(q);
}
