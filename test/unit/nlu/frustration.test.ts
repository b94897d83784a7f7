import { describe, expect, it } from 'vitest';
import { frustrationOf } from '../../../src/nlu/frustration.js';

describe('frustration', () => {
  it.each([
    'this bot is useless',
    'I am fed up, nobody is helping me',
    'STILL NOT WORKING!!!',
    'what a waste of time',
  ])('hands off on "%s"', (text) => {
    expect(frustrationOf(text).frustrated).toBe(true);
  });
  it.each([
    'my laptop screen is broken',
    'outlook crashes and I lose my work',
    'the vpn fails every morning',
    'thanks, that was helpful',
  ])('stays calm on "%s"', (text) => {
    expect(frustrationOf(text).frustrated).toBe(false);
  });
});
