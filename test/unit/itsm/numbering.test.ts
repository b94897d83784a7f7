import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/errors.js';
import {
  findTicketNumbers,
  formatTicketNumber,
  MAX_TICKET_SEQ,
  parseTicketNumber,
} from '../../../src/itsm/numbering.js';

describe('formatTicketNumber', () => {
  it('pads to 7 digits with the kind prefix', () => {
    expect(formatTicketNumber('incident', 123)).toBe('INC0000123');
    expect(formatTicketNumber('service_request', 1)).toBe('REQ0000001');
    expect(formatTicketNumber('problem', 42)).toBe('PRB0000042');
    expect(formatTicketNumber('change', MAX_TICKET_SEQ)).toBe('CHG9999999');
  });
  it('throws past 9,999,999 and on non-positive or fractional sequences', () => {
    expect(() => formatTicketNumber('incident', 10_000_000)).toThrow(/exhausted/);
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      try {
        formatTicketNumber('incident', bad);
        expect.unreachable();
      } catch (e) {
        expect(isAppError(e) && e.code).toBe('validation_failed');
      }
    }
  });
});

describe('parseTicketNumber', () => {
  it.each([
    ['INC0000123', 'INC0000123'],
    ['inc0000123', 'INC0000123'],
    ['#INC0000123', 'INC0000123'],
    ['inc 123', 'INC0000123'],
    ['INC-123', 'INC0000123'],
    ['  req42 ', 'REQ0000042'],
    ['chg#7', 'CHG0000007'],
    ['PRB9999999', 'PRB9999999'],
  ])('%j → %s', (text, number) => {
    expect(parseTicketNumber(text)?.number).toBe(number);
  });
  it('returns kind and sequence', () => {
    expect(parseTicketNumber('req 42')).toEqual({ kind: 'service_request', seq: 42, number: 'REQ0000042' });
  });
  it.each([
    '123',
    'INC',
    'INC0',
    'INC12345678',
    'ABC0000123',
    'INC 12 3',
    'my INC0000123',
    'INC  123',
  ])('rejects %j', (text) => {
    expect(parseTicketNumber(text)).toBeNull();
  });
});

describe('findTicketNumbers', () => {
  it('finds several numbers in a message, canonical, once each, in order', () => {
    expect(
      findTicketNumbers('Any news on inc 123? Also #REQ0000042 and INC0000123 again, and chg-9.').map(
        (n) => n.number,
      ),
    ).toEqual(['INC0000123', 'REQ0000042', 'CHG0000009']);
  });
  it('ignores prefixes inside words and over-long numbers', () => {
    expect(findTicketNumbers('since 2 days, zinc 5, INC12345678, prince123')).toEqual([]);
  });
  it('accepts punctuation around numbers', () => {
    expect(findTicketNumbers('(INC0000001), "REQ0000002".').map((n) => n.number)).toEqual([
      'INC0000001',
      'REQ0000002',
    ]);
  });
  it('returns nothing for plain text', () => {
    expect(findTicketNumbers('my laptop is broken')).toEqual([]);
  });
});
