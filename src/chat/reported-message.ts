/**
 * "Create ticket" on someone else's message (Slack message shortcut, Teams message action). The
 * person who submits the form is the one acting: they are the requester, and the ticket says so.
 * The message's author is recorded as the person the report is about, and their words are kept
 * exactly as written, marked as a quotation, so nobody can put words in someone else's mouth and
 * nobody opens a ticket in another person's name. (SECURITY.md, "Acting for someone else".)
 */

/** Longest quotation kept; the description holds 20,000 characters in all. */
const QUOTE_MAX = 8000;

export function reportedMessageText(opts: {
  /** What the submitter wrote in the dialog. */
  submitterText: string;
  /** The author as people know them (a display name or a platform mention). */
  author: string;
  /** The original message, verbatim; null when the platform would not give it back. */
  original: string | null;
}): string {
  const header = `Reported about a message by ${opts.author}`;
  if (opts.original === null)
    return `${opts.submitterText.trim()}\n\n${header} (the message could not be read).`;
  const original =
    opts.original.length > QUOTE_MAX ? `${opts.original.slice(0, QUOTE_MAX)} [quotation cut]` : opts.original;
  const quoted = original
    .split('\n')
    .map((l) => `> ${l}`)
    .join('\n');
  return `${opts.submitterText.trim()}\n\n${header}, quoted as written:\n${quoted}`;
}
