/**
 * What every ITIL route module shares: the way a route is declared (`on`), and the parsers of ticket
 * numbers, instants and bodies.
 */
import type { Request, Response } from 'express';
import { z } from 'zod';
import { parseInput } from '../../../http/shared/parse.js';
import type { Person } from '../../../itsm/types.js';

/** A route's work: the caller is authenticated and named; what it returns is the JSON answer. */
type Handler = (req: Request, res: Response, actor: Person, now: string) => Promise<unknown>;

/** Declares a route on the ITIL router; `status` is the success status (200 unless given). */
export type On = (method: 'get' | 'post', path: string, h: Handler, status?: number) => void;

export const numberOf = (prefix: string) =>
  z
    .string()
    .regex(
      new RegExp(`^${prefix}\\d{7}$`, 'i'),
      `must look like ${prefix === '(INC|REQ|PRB|CHG)' ? 'INC' : prefix}0000042`,
    )
    .transform((s) => s.toUpperCase());
export const anyNumber = numberOf('(INC|REQ|PRB|CHG)');
export const instant = z.iso.datetime({
  offset: true,
  message: 'expected an ISO date-time like 2026-05-02T20:00:00Z',
});

/** A missing body reads as an empty object, so the error names the missing fields. */
export const parse = <S extends z.ZodType>(schema: S, value: unknown): z.output<S> =>
  parseInput(schema, value ?? {});

export const param = (req: Request, name: string): string => String(req.params[name] ?? '');
