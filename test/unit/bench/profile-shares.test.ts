/** bench/profile-shares.ts: each sample's time goes to the innermost frame of a known part. */
import { describe, expect, it } from 'vitest';
import { profileShares } from '../../../bench/profile-shares.js';

const frame = (id: number, functionName: string, url: string, children: number[] = []) => ({
  id,
  callFrame: { functionName, url },
  children,
});

describe('profileShares', () => {
  const profile = {
    startTime: 1_000,
    nodes: [
      frame(1, '(root)', '', [2, 5, 6, 7]),
      frame(2, 'turn', 'file:///app/src/chat/dialogs/index.ts', [3]),
      frame(3, 'run', 'file:///app/node_modules/better-sqlite3/lib/methods/wrappers.js', [4]),
      frame(4, 'JSON.parse', ''),
      frame(5, '(garbage collector)', ''),
      frame(6, '(idle)', ''),
      frame(7, 'parserOnHeadersComplete', 'node:_http_common'),
    ],
    // µs between samples: root-relative times 1,100 / 1,300 / 1,600 / 2,000 / 2,500 / 3,100
    samples: [4, 2, 5, 6, 7, 4],
    timeDeltas: [100, 200, 300, 400, 500, 600],
  };

  it('attributes built-ins to their caller, GC to GC, and leaves idle out', () => {
    const s = profileShares(profile);
    expect(s.get('SQL and storage')).toBeCloseTo(0.7); // 100 µs + 600 µs, in ms
    expect(s.get('chatdesk conversation engine')).toBeCloseTo(0.2);
    expect(s.get('GC')).toBeCloseTo(0.3);
    expect(s.get('Node core (HTTP, streams, timers)')).toBeCloseTo(0.5);
    expect(s.has('idle')).toBe(false);
  });

  it('counts only samples from the given monotonic time on', () => {
    const s = profileShares(profile, 2_000);
    expect(s.get('SQL and storage')).toBeCloseTo(0.6);
    expect(s.has('GC')).toBe(false);
    expect(s.get('Node core (HTTP, streams, timers)')).toBeCloseTo(0.5);
  });
});
