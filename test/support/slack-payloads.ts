/**
 * Slack interactivity payloads as Slack sends them (before `interactivityBody` form-encodes them), in
 * the spirit of Bolt's test helpers: one place that knows the shape, tests say only what differs.
 */
import { slackTs } from './slack-signing.js';

export interface ButtonLike {
  action_id?: string | undefined;
  value?: string | undefined;
}

/** A click on a message button (`block_actions`); `threadTs` when the message is a thread's root with replies. */
export function blockActions(o: {
  user: string;
  channel: string;
  ts: string;
  button: ButtonLike;
  triggerId?: string;
  threadTs?: string;
  team?: string;
}): Record<string, unknown> {
  const team = o.team ?? 'T0001';
  const thread = o.threadTs ? { thread_ts: o.threadTs } : {};
  return {
    type: 'block_actions',
    trigger_id: o.triggerId ?? `trig.${o.user}.${o.ts}`,
    user: { id: o.user, team_id: team },
    team: { id: team },
    channel: { id: o.channel },
    container: { type: 'message', message_ts: o.ts, channel_id: o.channel, is_ephemeral: false, ...thread },
    message: { ts: o.ts, ...thread },
    actions: [
      {
        type: 'button',
        action_id: o.button.action_id,
        value: o.button.value,
        block_id: 'x',
        action_ts: slackTs(),
      },
    ],
  };
}

/** A modal's submit (`view_submission`) with the state values Slack collected from its inputs. */
export function viewSubmission(o: {
  user: string;
  view: {
    id: string;
    hash: string;
    callbackId?: string;
    privateMetadata: string;
    blocks: unknown;
    values: Record<string, unknown>;
  };
  team?: string;
}): Record<string, unknown> {
  const team = o.team ?? 'T0001';
  return {
    type: 'view_submission',
    user: { id: o.user, team_id: team },
    team: { id: team },
    view: {
      id: o.view.id,
      hash: o.view.hash,
      callback_id: o.view.callbackId ?? 'cd_modal',
      private_metadata: o.view.privateMetadata,
      blocks: o.view.blocks,
      state: { values: o.view.values },
    },
  };
}
