/**
 * Verified Bot Framework tokens are remembered per token, service URL and channel until they expire
 * (five minutes at most); refusals are never remembered.
 */
import { describe, expect, it } from 'vitest';
import { cachedVerification } from '../../../../src/adapters/teams/token-cache.js';

const jwt = (exp: number) =>
  `Bearer ${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from(JSON.stringify({ exp })).toString('base64url')}.sig`;

describe('cachedVerification', () => {
  function setup() {
    let clock = 1_000_000_000_000;
    const calls: string[] = [];
    let refuse = false;
    const verify = cachedVerification(
      async (a: { serviceUrl?: string; channelId?: string }, header: string) => {
        calls.push(`${a.serviceUrl}|${header.slice(-12)}`);
        if (refuse) throw new Error('bad token');
        return { ok: true, serviceUrl: a.serviceUrl };
      },
      { now: () => clock },
    );
    return {
      verify,
      calls,
      tick: (ms: number) => {
        clock += ms;
      },
      at: () => clock,
      refuseNext: (v: boolean) => {
        refuse = v;
      },
    };
  }
  const teams = { serviceUrl: 'https://smba.trafficmanager.net/emea/', channelId: 'msteams' };

  it('verifies a token once while it is valid, per service URL and channel', async () => {
    const s = setup();
    const token = jwt(Math.floor(s.at() / 1000) + 3600);
    await s.verify(teams, token);
    await s.verify(teams, token);
    expect(s.calls).toHaveLength(1);
    await s.verify({ ...teams, serviceUrl: 'https://evil.example/' }, token);
    await s.verify({ ...teams, channelId: 'webchat' }, token);
    expect(s.calls).toHaveLength(3);
    // Five minutes at most, even for a token valid an hour: key rotation is noticed within that.
    s.tick(5 * 60_000 + 1);
    await s.verify(teams, token);
    expect(s.calls).toHaveLength(4);
  });

  it('does not outlive the token, and never remembers a refusal or a missing token', async () => {
    const s = setup();
    const shortLived = jwt(Math.floor(s.at() / 1000) + 60);
    await s.verify(teams, shortLived);
    s.tick(61_000);
    await s.verify(teams, shortLived);
    expect(s.calls).toHaveLength(2);

    s.refuseNext(true);
    const other = jwt(Math.floor(s.at() / 1000) + 3600);
    await expect(s.verify(teams, other)).rejects.toThrow('bad token');
    await expect(s.verify(teams, other)).rejects.toThrow('bad token');
    expect(s.calls).toHaveLength(4);

    s.refuseNext(false);
    await s.verify(teams, '');
    await s.verify(teams, '');
    await s.verify(teams, 'Bearer not-a-jwt');
    await s.verify(teams, 'Bearer not-a-jwt');
    expect(s.calls).toHaveLength(8);
  });
});
