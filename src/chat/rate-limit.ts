/** Messages per person per minute, over a sliding window; in memory, so each process limits on its own. */

/** `ok`: go on; `warn`: the first message over the limit in this burst (say so once); `drop`: ignore it. */
export type RateVerdict = 'ok' | 'warn' | 'drop';

export function createRateLimiter(perMinute: number): { check(personId: number, atMs: number): RateVerdict } {
  const recent = new Map<number, number[]>();
  return {
    check(personId, atMs) {
      const times = (recent.get(personId) ?? []).filter((t) => atMs - t < 60_000);
      times.push(atMs);
      recent.set(personId, times);
      if (recent.size > 10_000)
        for (const [k, v] of recent) if (v.every((t) => atMs - t >= 60_000)) recent.delete(k);
      if (times.length <= perMinute) return 'ok';
      // Say it once per burst, not once per message.
      return times.length === perMinute + 1 ? 'warn' : 'drop';
    },
  };
}
