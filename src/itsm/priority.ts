/**
 * ITIL priority matrix: priority = f(impact, urgency), each high/medium/low.
 *
 * |            | urgency H | urgency M | urgency L |
 * |------------|-----------|-----------|-----------|
 * | impact H   | P1        | P2        | P3        |
 * | impact M   | P2        | P3        | P4        |
 * | impact L   | P3        | P4        | P4        |
 */
import { AppError } from '../errors.js';
import { LEVELS, type Level, PRIORITIES, type Priority } from './types.js';

const MATRIX: Record<Level, Record<Level, Priority>> = {
  high: { high: 'P1', medium: 'P2', low: 'P3' },
  medium: { high: 'P2', medium: 'P3', low: 'P4' },
  low: { high: 'P3', medium: 'P4', low: 'P4' },
};

/** Priority of an impact/urgency pair by the ITIL 3×3 matrix. */
export function priorityOf(impact: Level, urgency: Level): Priority {
  return MATRIX[impact][urgency];
}

/** Every impact/urgency pair that yields `priority` (e.g. P2 → high/medium and medium/high). */
export function levelsFor(priority: Priority): { impact: Level; urgency: Level }[] {
  const out: { impact: Level; urgency: Level }[] = [];
  for (const impact of LEVELS)
    for (const urgency of LEVELS) if (MATRIX[impact][urgency] === priority) out.push({ impact, urgency });
  return out;
}

/**
 * One canonical impact/urgency pair for a priority, for when an agent sets the priority directly and
 * the ticket still needs both levels. Why impact first: it keeps impact as high as the priority allows,
 * which is what matters for reporting (P2 → high/medium, P3 → medium/medium, P4 → low/low).
 */
export function defaultLevelsFor(priority: Priority): { impact: Level; urgency: Level } {
  switch (priority) {
    case 'P1':
      return { impact: 'high', urgency: 'high' };
    case 'P2':
      return { impact: 'high', urgency: 'medium' };
    case 'P3':
      return { impact: 'medium', urgency: 'medium' };
    case 'P4':
      return { impact: 'low', urgency: 'low' };
  }
}

/** Negative when `a` is more urgent than `b` (P1 sorts first), 0 when equal. */
export function comparePriority(a: Priority, b: Priority): number {
  return PRIORITIES.indexOf(a) - PRIORITIES.indexOf(b);
}

/** True when `a` is strictly more urgent than `b`. */
export const isHigherPriority = (a: Priority, b: Priority): boolean => comparePriority(a, b) < 0;

/** Type guard for user or file input. */
export const isPriority = (s: unknown): s is Priority =>
  typeof s === 'string' && (PRIORITIES as readonly string[]).includes(s);

/** Type guard for user or file input. */
export const isLevel = (s: unknown): s is Level =>
  typeof s === 'string' && (LEVELS as readonly string[]).includes(s);

/**
 * Reads a level from loose text ("High", "h", "med", "3"…); throws a validation error naming the
 * choices. 1/2/3 map to high/medium/low, the usual numbering in ITIL tools.
 */
export function parseLevel(text: string, field = 'level'): Level {
  const t = text.trim().toLowerCase();
  const map: Record<string, Level> = {
    high: 'high',
    h: 'high',
    '1': 'high',
    medium: 'medium',
    med: 'medium',
    m: 'medium',
    '2': 'medium',
    low: 'low',
    l: 'low',
    '3': 'low',
  };
  const level = map[t];
  if (!level)
    throw new AppError('validation_failed', `${field} must be high, medium or low (got "${text}")`, {
      field,
    });
  return level;
}
