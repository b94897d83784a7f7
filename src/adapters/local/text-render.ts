/**
 * Reply → plain text for the console and the web chat: the text, the knowledge article (its content
 * and link) without markdown syntax, the ticket card as a line, numbered choices.
 */
import type { Choice, Reply } from '../../chat/message.js';
import { STATE_LABEL } from '../../chat/render.js';

/** Longer replies are cut before rendering; no bot reply is near this. */
const MARKDOWN_MAX_CHARS = 100_000;

/**
 * Markdown as people read it in plain text: emphasis markers and heading hashes dropped, links as
 * "label (url)", bullets as •. Every pattern is linear in the text length: no class can run past the
 * delimiter that would end it (`[^[\]\n]` stops at the next `[`), so `[` × 100,000 is one pass.
 */
export function markdownToPlain(input: string): string {
  const md = input.length > MARKDOWN_MAX_CHARS ? input.slice(0, MARKDOWN_MAX_CHARS) : input;
  return md
    .replace(/^[ \t]{0,3}#{1,6}[ \t]+/gm, '')
    .replace(/^([ \t]*)[-*+][ \t]+/gm, '$1• ')
    .replace(/\[([^[\]\n]+)\]\(([^()\s]+)\)/g, '$1 ($2)')
    .replace(/(\*\*|__)(?=\S)([^*_\n]+?)(?<=\S)\1/g, '$2')
    .replace(/(^|[\s(])[*_](?=\S)([^*_\n]+?)(?<=\S)[*_](?=[\s).,:;!?]|$)/gm, '$1$2')
    .replace(/`([^`\n]+)`/g, '$1');
}

export function replyToText(reply: Reply): string {
  const lines = [markdownToPlain(reply.text)];
  const a = reply.article;
  if (a) {
    lines.push('', `${a.title}${a.url ? ` (${a.url})` : ''}`, markdownToPlain(a.body).trim(), '');
  }
  const c = reply.card;
  if (c && !reply.text.includes(c.title)) lines.push(`  [${c.number}] ${c.title}`);
  if (c) {
    const who = [c.group, c.assignee].filter(Boolean).join(' / ');
    lines.push(
      `  ${c.number} · ${c.priority} · ${STATE_LABEL[c.state]}${who ? ` · ${who}` : ''}${c.eta ? ` · ${c.eta}` : ''}`,
    );
  }
  const choices = [...(c?.actions ?? []), ...(reply.choices ?? [])];
  if (choices.length > 0) lines.push(formatChoices(choices));
  return lines.join('\n');
}

function formatChoices(choices: Choice[]): string {
  return choices.map((ch, i) => `  (${i + 1}) ${ch.label}`).join('\n');
}
