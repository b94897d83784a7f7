/**
 * A recording ChatPort for reliability tests: several app instances can share one delivery log
 * (a global sequence shows the real order across instances), and a fault plan can make deliveries
 * fail (429 with Retry-After, 5xx) for a while.
 */
import type { ChannelAdapter } from '../../src/adapters/types.js';
import {
  type ConversationRef,
  DeliveryError,
  type Outgoing,
  type Platform,
  type PlatformUser,
} from '../../src/chat/message.js';

export interface Delivery {
  seq: number;
  instance: string;
  messageId: string;
  message: Outgoing;
}

export interface DeliveryLog {
  deliveries: Delivery[];
  /** Attempts including the failed ones. */
  attempts: number;
  seq: number;
}

export const newDeliveryLog = (): DeliveryLog => ({ deliveries: [], attempts: 0, seq: 0 });

/** Returns an error to throw for this attempt, or null to deliver. */
export type FaultPlan = (message: Outgoing, attempt: number) => DeliveryError | null;

export function faultyAdapter(
  platform: Platform,
  instance: string,
  log: DeliveryLog,
  opts: {
    directory?: Record<string, string>;
    fault?: FaultPlan;
    delayMs?: number;
    lookupFails?: (platformUserId: string) => boolean;
  } = {},
): ChannelAdapter {
  return {
    port: {
      platform,
      async deliver(message) {
        const attempt = ++log.attempts;
        if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
        const err = opts.fault?.(message, attempt) ?? null;
        if (err) throw err;
        const seq = ++log.seq;
        const messageId = message.updateOf?.messageId ?? `${platform}-${instance}-${seq}`;
        log.deliveries.push({ seq, instance, messageId, message });
        return { messageId };
      },
      async lookupUser(platformUserId) {
        if (opts.lookupFails?.(platformUserId)) throw new Error('users.info: HTTP 503 (injected)');
        const email = opts.directory?.[platformUserId];
        return email ? { email, displayName: null } : null;
      },
      async openDirect(user: PlatformUser, workspace: ConversationRef): Promise<ConversationRef> {
        return {
          ...workspace,
          platform,
          channelId: `D-${user.platformUserId}`,
          threadId: null,
          isDirect: true,
        };
      },
    },
    mount: () => undefined,
    start: async () => undefined,
    stop: async () => undefined,
  };
}

export const rateLimited = (retryAfterMs: number) =>
  new DeliveryError('HTTP 429 ratelimited', { retryable: true, retryAfterMs });
export const serverError = () => new DeliveryError('HTTP 500 internal_error', { retryable: true });
