/** Reply → plain text for the console: the text, the ticket card as a few lines, numbered choices. */
import type { Choice, Reply } from '../../chat/message.js';
import { STATE_LABEL } from '../../chat/render.js';

export function replyToText(reply: Reply): string {
  const lines = [reply.text];
  const c = reply.card;
  if (c && !reply.text.includes(c.title)) lines.push(`  [${c.number}] ${c.title}`);
  if (c) {
    const who = [c.group, c.assignee].filter(Boolean).join(' / ');
    lines.push(
      `  ${c.number} · ${c.priority} · ${STATE_LABEL[c.state]}${who ? ` · ${who}` : ''}${c.eta ? ` · ${c.eta}` : ''}`,
    );
  }
  if (reply.choices && reply.choices.length > 0) lines.push(formatChoices(reply.choices));
  return lines.join('\n');
}

export function formatChoices(choices: Choice[]): string {
  return choices.map((ch, i) => `  (${i + 1}) ${ch.label}`).join('\n');
}
