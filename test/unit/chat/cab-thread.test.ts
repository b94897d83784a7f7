import { describe, expect, it } from 'vitest';
import { parseThreadVote } from '../../../src/chat/cab-thread.js';

describe('votes typed in a CAB thread', () => {
  it.each([
    ['approve', { vote: 'approve', number: null, comment: null }],
    ['Approve.', { vote: 'approve', number: null, comment: null }],
    ['approve: looks fine', { vote: 'approve', number: null, comment: 'looks fine' }],
    ['reject: clashes with release', { vote: 'reject', number: null, comment: 'clashes with release' }],
    ['reject — not this week', { vote: 'reject', number: null, comment: 'not this week' }],
    [
      'approve chg0000007: ok\nsecond line',
      { vote: 'approve', number: 'CHG0000007', comment: 'ok\nsecond line' },
    ],
    ['reject CHG0000007', { vote: 'reject', number: 'CHG0000007', comment: null }],
  ])('%j is a vote', (text, vote) => {
    expect(parseThreadVote(text)).toEqual(vote);
  });

  it.each([
    'approve this only if the rollback is tested',
    'approved by security last week',
    'I would reject: too risky',
    'Is the rollback plan tested?',
    '',
  ])('%j is discussion', (text) => {
    expect(parseThreadVote(text)).toBeNull();
  });
});
