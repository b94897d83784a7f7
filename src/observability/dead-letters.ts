/** The dead-letter counter of /metrics: turns and replies given up, by kind and platform, read on scrape. */
import type { ChatStore } from '../chat/store.js';
import type { Registry } from './metrics.js';

export function observeDeadLetters(registry: Registry, store: Pick<ChatStore, 'deadLetterCounts'>): void {
  const dead = registry.counter(
    'chatdesk_dead_letters_total',
    'Accepted messages whose processing was given up (kind="turn") and replies given up (kind="reply"), by platform: see GET /api/v1/dead-letters.',
    ['kind', 'platform'],
  );
  registry.collect(async () => {
    dead.reset();
    for (const r of await store.deadLetterCounts()) dead.set({ kind: r.kind, platform: r.platform }, r.count);
  });
}
