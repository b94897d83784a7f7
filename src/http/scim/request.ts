/** The SCIM router's small HTTP helpers: body validation, SCIM responses, async handlers, paging. */
import type { NextFunction, Request, Response } from 'express';
import type { z } from 'zod';
import type { ProvisioningService } from '../../itsm/provisioning.js';
import type { Logger } from '../../log.js';
import { MAX_PAGE } from './discovery.js';
import { SCIM_CONTENT_TYPE, ScimError } from './protocol.js';

/** What the Users and Groups routes share: the service they call, the clock and the log. */
export interface ScimRouteContext {
  svc: ProvisioningService;
  nowIso: () => string;
  log: Logger;
}

export function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value ?? {});
  if (!r.success) {
    const i = r.error.issues[0];
    const field = i && i.path.length > 0 ? i.path.map(String).join('.') : '(body)';
    throw new ScimError(400, `${field}: ${i?.message ?? 'invalid'}`, 'invalidValue');
  }
  return r.data;
}

export function send(res: Response, status: number, body: unknown): void {
  res.status(status).type(SCIM_CONTENT_TYPE).send(JSON.stringify(body));
}

/** The base URL resources' `meta.location` is built on (the router's mount point). */
export const baseOf = (req: Request) => `${req.protocol}://${req.get('host') ?? 'localhost'}${req.baseUrl}`;

type Handler = (req: Request, res: Response) => Promise<void>;
/** An async handler whose rejection reaches the router's error handler. */
export const route =
  (h: Handler) =>
  (req: Request, res: Response, next: NextFunction): void => {
    h(req, res).catch(next);
  };

/** `startIndex` (1-based) and `count` (0..MAX_PAGE, default 100) of a list request. */
export function page(req: Request): { startIndex: number; count: number } {
  const startIndex = Math.max(1, Number.parseInt(String(req.query.startIndex ?? '1'), 10) || 1);
  const rawCount = Number.parseInt(String(req.query.count ?? '100'), 10);
  const count = Math.min(MAX_PAGE, Math.max(0, Number.isNaN(rawCount) ? 100 : rawCount));
  return { startIndex, count };
}
