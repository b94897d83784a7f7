/**
 * Socket Mode receiver that acknowledges an envelope only after our listeners returned — the Socket
 * Mode twin of `processBeforeResponse: true`. Bolt's own SocketModeReceiver acks Events API envelopes
 * before any listener runs, so a crash between ack and the inbox write would lose the event; here the
 * ack leaves once the event is in the inbox (listeners are bounded by the adapter's ack budget), and an
 * unacknowledged envelope is redelivered by Slack and deduplicated by the inbox.
 */
import type { App, Logger as BoltLogger, Receiver, ReceiverEvent } from '@slack/bolt';
import { SocketModeClient } from '@slack/socket-mode';
import type { Logger } from '../../log.js';
import type { webClientOptions } from './port.js';

interface SlackEventArgs {
  ack: (response?: Record<string, unknown>) => Promise<void>;
  envelope_id: string;
  type: string;
  body: Record<string, unknown>;
  retry_num?: number;
  retry_reason?: string;
}

export class DurableSocketModeReceiver implements Receiver {
  readonly client: SocketModeClient;
  private app: App | null = null;

  constructor(opts: {
    appToken: string;
    logger: BoltLogger;
    log: Logger;
    clientOptions: ReturnType<typeof webClientOptions>;
  }) {
    this.client = new SocketModeClient({
      appToken: opts.appToken,
      logger: opts.logger,
      clientOptions: opts.clientOptions,
    });
    this.client.on('slack_event', (args: SlackEventArgs) => {
      void this.dispatch(args).catch((err: unknown) =>
        opts.log.error('slack socket mode dispatch failed', { err, type: args.type }),
      );
    });
  }

  init(app: App): void {
    this.app = app;
  }

  start(): Promise<unknown> {
    return this.client.start();
  }

  stop(): Promise<unknown> {
    return this.client.disconnect();
  }

  private async dispatch(args: SlackEventArgs): Promise<void> {
    let acked = false;
    let response: Record<string, unknown> | undefined;
    const event: ReceiverEvent = {
      body: args.body,
      ack: async (r?: unknown) => {
        if (acked) return;
        acked = true;
        if (typeof r === 'string') response = { text: r };
        else if (r && typeof r === 'object') response = r as Record<string, unknown>;
      },
      ...(args.retry_num === undefined ? {} : { retryNum: args.retry_num }),
      ...(args.retry_reason === undefined ? {} : { retryReason: args.retry_reason }),
    };
    // A listener failure (e.g. the inbox write) rejects here and leaves the envelope unacknowledged, so
    // Slack delivers it again; everything else, handled or not, is acknowledged.
    await this.app?.processEvent(event);
    await args.ack(response);
  }
}
