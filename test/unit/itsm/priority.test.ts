import { describe, expect, it } from 'vitest';
import {
  comparePriority,
  defaultLevelsFor,
  isHigherPriority,
  isLevel,
  isPriority,
  levelsFor,
  parseLevel,
  priorityOf,
} from '../../../src/itsm/priority.js';
import { LEVELS, type Level, PRIORITIES, type Priority } from '../../../src/itsm/types.js';

describe('priority matrix', () => {
  it.each<[Level, Level, Priority]>([
    ['high', 'high', 'P1'],
    ['high', 'medium', 'P2'],
    ['medium', 'high', 'P2'],
    ['high', 'low', 'P3'],
    ['medium', 'medium', 'P3'],
    ['low', 'high', 'P3'],
    ['medium', 'low', 'P4'],
    ['low', 'medium', 'P4'],
    ['low', 'low', 'P4'],
  ])('impact %s × urgency %s = %s', (impact, urgency, p) => {
    expect(priorityOf(impact, urgency)).toBe(p);
  });

  it('levelsFor is the inverse of the matrix', () => {
    expect(levelsFor('P1')).toEqual([{ impact: 'high', urgency: 'high' }]);
    expect(levelsFor('P2')).toEqual([
      { impact: 'high', urgency: 'medium' },
      { impact: 'medium', urgency: 'high' },
    ]);
    expect(levelsFor('P3')).toHaveLength(3);
    expect(levelsFor('P4')).toHaveLength(3);
    const total = PRIORITIES.reduce((n, p) => n + levelsFor(p).length, 0);
    expect(total).toBe(LEVELS.length ** 2);
  });

  it('defaultLevelsFor gives a pair that maps back to the priority', () => {
    for (const p of PRIORITIES) {
      const { impact, urgency } = defaultLevelsFor(p);
      expect(priorityOf(impact, urgency)).toBe(p);
    }
  });

  it('orders priorities with P1 first', () => {
    expect(['P3', 'P1', 'P4', 'P2'].sort((a, b) => comparePriority(a as Priority, b as Priority))).toEqual([
      'P1',
      'P2',
      'P3',
      'P4',
    ]);
    expect(isHigherPriority('P1', 'P2')).toBe(true);
    expect(isHigherPriority('P2', 'P2')).toBe(false);
  });

  it('guards and parsing', () => {
    expect(isPriority('P2')).toBe(true);
    expect(isPriority('P5')).toBe(false);
    expect(isLevel('medium')).toBe(true);
    expect(isLevel(3)).toBe(false);
    expect(parseLevel(' High ')).toBe('high');
    expect(parseLevel('med')).toBe('medium');
    expect(parseLevel('3')).toBe('low');
    expect(() => parseLevel('urgent', 'impact')).toThrow('impact must be high, medium or low (got "urgent")');
  });
});
