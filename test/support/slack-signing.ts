/**
 * Builds correctly signed Slack requests (v0 HMAC-SHA256 over `v0:<timestamp>:<raw body>`) in the
 * three wire formats Slack uses: JSON Events API envelopes, `payload=` form posts for interactivity,
 * and form-encoded slash commands.
 */
import { createHmac, randomUUID } from 'node:crypto';

export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export interface SlackPostOptions {
  contentType?: string;
  /** Unix seconds; defaults to now. */
  timestamp?: number;
  /** Overrides the computed signature (to test rejection). */
  signature?: string;
  headers?: Record<string, string>;
}

export interface SlackPostResult {
  status: number;
  text: string;
  ms: number;
}

export async function postSigned(
  url: string,
  secret: string,
  body: string,
  opts: SlackPostOptions = {},
): Promise<SlackPostResult> {
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const started = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': opts.contentType ?? 'application/json',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': opts.signature ?? slackSignature(secret, timestamp, body),
      ...opts.headers,
    },
    body,
  });
  const text = await res.text();
  return { status: res.status, text, ms: performance.now() - started };
}

export interface EventOptions {
  eventId?: string;
  teamId?: string;
}

/** An Events API `event_callback` envelope around `event`. */
export function eventEnvelope(event: Record<string, unknown>, opts: EventOptions = {}): string {
  const teamId = opts.teamId ?? 'T0001';
  return JSON.stringify({
    token: 'legacy-verification-token',
    team_id: teamId,
    api_app_id: 'A0001',
    event,
    type: 'event_callback',
    event_id: opts.eventId ?? `Ev${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [
      { enterprise_id: null, team_id: teamId, user_id: 'UBOT', is_bot: true, is_enterprise_install: false },
    ],
    is_ext_shared_channel: false,
  });
}

export const FORM = 'application/x-www-form-urlencoded';

/** Interactivity (block_actions, view_submission, shortcuts) is a form post with one `payload` JSON field. */
export function interactivityBody(payload: Record<string, unknown>): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export function slashCommandBody(fields: Record<string, string>): string {
  return new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: 'T0001',
    team_domain: 'example',
    channel_id: 'C0GENERAL',
    channel_name: 'general',
    user_id: 'U0ALICE',
    user_name: 'alice',
    command: '/it',
    text: '',
    api_app_id: 'A0001',
    response_url: 'https://hooks.slack.com/commands/T0001/1/abc',
    trigger_id: `trig.${randomUUID()}`,
    ...fields,
  }).toString();
}

let tsSeq = 0;
/** A fresh Slack message ts (`seconds.micros`). */
export function slackTs(): string {
  tsSeq += 1;
  return `${Math.floor(Date.now() / 1000)}.${String(100000 + tsSeq).padStart(6, '0')}`;
}
