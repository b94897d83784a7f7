import type { Express } from 'express';
import type { ChatPort } from '../chat/message.js';

/**
 * A chat channel plugged into the HTTP server. Adapters mount their own routes (with their own
 * body parsing: Slack signatures need the raw body) and translate in both directions.
 */
export interface ChannelAdapter {
  readonly port: ChatPort;
  mount(app: Express): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}
