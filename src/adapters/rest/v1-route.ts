/** What the v1 route modules share: how a route gets its caller, and the ticket number parameter. */
import type { NextFunction, Request, Response } from 'express';
import { z } from 'zod';
import type { Person } from '../../itsm/types.js';

/** Wraps a route's work: the caller is named (the API account or `X-On-Behalf-Of`) before it runs. */
export type Route = (
  h: (req: Request, res: Response, actor: Person) => Promise<void>,
) => (req: Request, res: Response, next: NextFunction) => void;

export const numberParam = z.string().regex(/^(INC|REQ|PRB|CHG)\d{7}$/i, 'must look like INC0000042');
