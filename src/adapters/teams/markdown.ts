/**
 * Teams renders message text as Markdown plus a subset of HTML, and Adaptive Card TextBlocks as
 * Markdown: `[Verify your account](https://evil)` written by a requester would reach an agent as a
 * disguised link, `<a href=…>` as a link too. Slack shows such text inert (its links are `<url|label>`
 * and we escape `&<>` there), so Teams gets the same: tags and entities shown as typed, and a link's
 * label and address both visible ("[label] (url)" is no link in Markdown). Emphasis (`**help**`)
 * stays, as it does in Slack. Linear in the text length.
 */

/** Breaks `[label](url)` and `![alt](url)` into text that shows both parts. */
function defangLinks(text: string): string {
  return text.split('](').join('] (');
}

/** Teams refuses messages above about 28 KB; longer text is cut before it is escaped. */
const TEAMS_TEXT_MAX = 40_000;
const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

const capped = (text: string) => (text.length > TEAMS_TEXT_MAX ? text.slice(0, TEAMS_TEXT_MAX) : text);

/** Message text (`textFormat: markdown`): no HTML, no disguised links. */
export function escapeTeamsMarkdown(text: string): string {
  return defangLinks(capped(text).replace(/[&<>]/g, (c) => ENTITY[c] ?? c));
}

/** Adaptive Card TextBlock text (Markdown only; HTML is shown as typed there anyway). */
export function escapeCardText(text: string): string {
  return defangLinks(capped(text));
}
