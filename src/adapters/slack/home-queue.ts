/**
 * The agent queue at the top of a member of staff's App Home: three sections (my open tickets, my
 * groups' unassigned queue, breaching soon), one section block per ticket with its button as the
 * accessory (Claim, or Open for the viewer's own). The buttons carry the same action ids as the typed
 * `queue` reply, so a click from the App Home is the same action as one in the DM.
 */
import type { types as SlackTypes } from '@slack/bolt';
import type { QueueView } from '../../chat/adapter-api.js';
import { ACTION_PREFIX, escapeMrkdwn, truncate } from './render.js';

type KnownBlock = SlackTypes.KnownBlock;

/** Rows shown per section; the App Home holds 100 blocks, and the requester's own tickets follow. */
const HOME_ROWS_PER_SECTION = 8;

export function queueHomeBlocks(view: QueueView): KnownBlock[] {
  const blocks: KnownBlock[] = [{ type: 'header', text: { type: 'plain_text', text: 'Your queue' } }];
  let index = 0;
  for (const section of view.sections) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `*${escapeMrkdwn(section.title)}* (${section.rows.length})` },
    });
    if (section.rows.length === 0)
      blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: escapeMrkdwn(section.empty) }] });
    for (const row of section.rows.slice(0, HOME_ROWS_PER_SECTION)) {
      const c = row.choice;
      const button: SlackTypes.Button = {
        type: 'button',
        text: { type: 'plain_text', text: truncate(c.label, 75), emoji: true },
        action_id: `${ACTION_PREFIX}${c.actionId}:${index++}`,
        value: JSON.stringify(c.value),
      };
      if (c.style) button.style = c.style;
      blocks.push({
        type: 'section',
        block_id: `queue:${section.title.length}:${index}`,
        text: { type: 'mrkdwn', text: truncate(escapeMrkdwn(row.text), 3000) },
        accessory: button,
      });
    }
    const more = section.rows.length - HOME_ROWS_PER_SECTION;
    if (more > 0)
      blocks.push({
        type: 'context',
        elements: [{ type: 'mrkdwn', text: `…and ${more} more: type \`queue\` to me for the full list.` }],
      });
  }
  blocks.push({ type: 'divider' });
  return blocks;
}
