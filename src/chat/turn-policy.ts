/**
 * What a turn is refused or moved for before any dialog sees it: an unknown or deactivated person,
 * a flood, an empty or over-long message, and personal details said in a public channel (the bot
 * follows up in a direct message). Pure: the turn acts on the answers.
 */
import type { Person } from '../itsm/types.js';
import type { ConversationRef, Incoming, IncomingMessage } from './message.js';
import type { RateVerdict } from './rate-limit.js';

const SENSITIVE =
  /\b(password|passcode|passwort|pin code|mfa code|one[- ]time code|social security|ssn|salary|payslip|bank account|iban|credit card|medical|diagnos|home address|personal data)\b/i;

/** Why the desk cannot take turns from a person it does not know (null) or the directory deactivated. */
export function identityRefusal(incoming: Incoming, person: Person | null): string {
  if (person)
    return 'Your account is deactivated in the company directory, so the service desk cannot take requests from it. Please contact IT another way.';
  return incoming.platform === 'local' || incoming.platform === 'web'
    ? `I don't know ${incoming.user.platformUserId}. Use the email of a person in the directory (see data/seed/people.json), e.g. alice@example.com.`
    : "I couldn't find your email address in the workspace directory, so I can't open tickets for you. Please ask IT to add your email to your profile.";
}

/**
 * What to do with a message before the dialogs: `drop` it silently, `refuse` it with a reply, or go on.
 * `rate` is the rate limiter's verdict for this message.
 */
export function messageCheck(
  incoming: IncomingMessage,
  rate: RateVerdict,
  maxChars: number,
): { action: 'go' } | { action: 'drop' } | { action: 'refuse'; text: string } {
  const text = incoming.text.trim();
  if (rate === 'warn')
    return {
      action: 'refuse',
      text: "You're sending messages faster than I can handle. Please wait a minute; messages sent meanwhile are not processed.",
    };
  if (rate === 'drop') return { action: 'drop' };
  if (text.length === 0 && incoming.attachments.length === 0)
    return {
      action: 'refuse',
      text: 'Your message was empty. Tell me what is wrong or what you need, or say "help".',
    };
  if (text.length > maxChars)
    return {
      action: 'refuse',
      text: `That message is too long for me (${text.length} characters; the limit is ${maxChars}). Please summarise it in a few sentences; you can attach logs to the ticket afterwards.`,
    };
  return { action: 'go' };
}

/** Personal or account details said in a public channel: the bot follows up in a direct message. */
export function belongsInDirect(ref: ConversationRef, incoming: IncomingMessage): boolean {
  return (
    !ref.isDirect &&
    ref.isPublic === true &&
    SENSITIVE.test(incoming.text.trim()) &&
    incoming.via !== 'ticket_from_message'
  );
}

export const MOVED_TO_DIRECT_TEXT =
  "I'll follow up with you in a direct message, since this may involve personal or account details.";
