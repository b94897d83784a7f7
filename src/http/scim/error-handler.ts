/** Every failure as a SCIM Error resource (RFC 7644 §3.12); unexpected ones are logged, not shown. */
import type { NextFunction, Request, Response } from 'express';
import { isAppError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { errorBody, ScimError, toScimError } from './protocol.js';
import { send } from './request.js';

export function scimErrorHandler(log: Logger) {
  return (err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    let e: ScimError;
    if (err instanceof ScimError) e = err;
    else if (isAppError(err)) e = toScimError(err);
    else if (isBodyParserError(err))
      e =
        err.status === 413
          ? new ScimError(413, 'The request body is too large.')
          : new ScimError(400, `The request body is not valid JSON: ${err.message}`, 'invalidSyntax');
    else {
      log.error('scim request failed', { error: err });
      e = new ScimError(500, 'Internal error; the details are in the server log.');
    }
    if (e.status === 401) res.set('WWW-Authenticate', 'Bearer realm="chatdesk-scim"');
    if (res.headersSent) return;
    send(res, e.status, errorBody(e.status, e.message, e.scimType));
  };
}

function isBodyParserError(e: unknown): e is { status: number; message: string } {
  return (
    typeof e === 'object' &&
    e !== null &&
    'type' in e &&
    typeof (e as { status?: unknown }).status === 'number'
  );
}
