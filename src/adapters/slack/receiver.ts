/**
 * Bolt's HTTP receiver, answering at once what nothing handles. A signed payload no listener
 * acknowledges (an unknown action, callback or command) would otherwise hold the request for 3 s
 * and then get a 404, which Slack retries: it is the sender's fault, so 400 with the reason, now.
 */
import type { ServerResponse } from 'node:http';
import { ExpressReceiver, type ExpressReceiverOptions } from '@slack/bolt';

const UNROUTABLE = JSON.stringify({
  error: {
    code: 'invalid_payload',
    message:
      'Nothing here handles this Slack payload (its type, callback_id or action_id is not one of ours).',
  },
});

function refuse(res: ServerResponse): void {
  if (res.headersSent || res.writableEnded) return;
  res.writeHead(400, { 'content-type': 'application/json' });
  res.end(UNROUTABLE);
}

export class PromptExpressReceiver extends ExpressReceiver {
  constructor(opts: ExpressReceiverOptions) {
    // Still there for a listener that never settles; it must not write twice.
    super({ ...opts, unhandledRequestHandler: ({ response }) => refuse(response) });
  }

  override async requestHandler(
    req: Parameters<ExpressReceiver['requestHandler']>[0],
    res: Parameters<ExpressReceiver['requestHandler']>[1],
  ): Promise<void> {
    // processBeforeResponse: every listener has run when this returns; unanswered means unhandled.
    await super.requestHandler(req, res);
    refuse(res);
  }
}
