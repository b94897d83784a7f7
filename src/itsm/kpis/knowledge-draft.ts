/**
 * Closing a knowledge gap: turns a resolved ticket into a draft knowledge article in the same
 * Markdown-with-front-matter format as data/knowledge/*.md, for an agent to review and save (the chat
 * command "draft article INC…" calls this; admins move the file into data/knowledge/ to publish it).
 * Internal notes are left out: they may hold things requesters must not see.
 */
import { AppError } from '../../errors.js';
import type { Comment, Ticket } from '../types.js';

interface KnowledgeDraft {
  /** File name stem, e.g. `draft-inc0000042-vpn-drops-every-hour`. */
  id: string;
  title: string;
  tags: string[];
  category: string | null;
  /** The whole file: front matter + body. */
  markdown: string;
}

const STOP = new Set([
  'the',
  'a',
  'an',
  'my',
  'is',
  'on',
  'in',
  'to',
  'and',
  'or',
  'of',
  'for',
  'not',
  'it',
  'with',
  'i',
  'cannot',
  "can't",
  'does',
  "doesn't",
  'every',
  'after',
]);

export function draftArticleFromTicket(
  ticket: Ticket,
  comments: readonly Comment[],
  opts: { resolution?: string | null } = {},
): KnowledgeDraft {
  if (ticket.state !== 'resolved' && ticket.state !== 'closed') {
    throw new AppError(
      'illegal_transition',
      `${ticket.number} is ${ticket.state}: only a resolved or closed ticket can become a knowledge article.`,
    );
  }
  const slug = ticket.title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 50);
  const words = ticket.title.toLowerCase().match(/[a-z0-9][a-z0-9-]+/g) ?? [];
  const tags = [
    ...new Set([...(ticket.category ? [ticket.category] : []), ...words.filter((w) => !STOP.has(w))]),
  ].slice(0, 8);
  const publicNotes = comments
    .filter((c) => !c.internal && c.authorId !== ticket.requesterId)
    .map((c) => c.body.trim());
  const steps = opts.resolution?.trim() ? [opts.resolution.trim()] : publicNotes.slice(-3);
  const body = [
    `**Symptom**: ${ticket.description.trim().split('\n')[0] ?? ticket.title}`,
    '',
    '**What fixed it**',
    ...(steps.length > 0
      ? steps.map((s, i) => `${i + 1}. ${s.replace(/\n+/g, ' ')}`)
      : ['1. (describe the fix)']),
    '',
    `_Draft from ${ticket.number}; review before publishing._`,
  ].join('\n');
  const title = ticket.title.replace(/\s+/g, ' ').trim();
  return {
    id: `draft-${ticket.number.toLowerCase()}${slug ? `-${slug}` : ''}`,
    title,
    tags,
    category: ticket.category,
    markdown: `---\ntitle: ${title.replace(/\n/g, ' ')}\ntags: ${tags.join(', ')}\n${ticket.category ? `category: ${ticket.category}\n` : ''}---\n${body}\n`,
  };
}
