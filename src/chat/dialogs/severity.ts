/**
 * Severity rules on top of the triage model's impact and urgency: a handful of situations that must
 * never come out as routine, each with the reason the requester is shown.
 *
 * - Security compromise: credentials typed after a phishing link, malware, someone else in the
 *   account. Impact at least medium, urgency high (P2); ransomware or a breach affects more than one
 *   person (P1). Category security, so routing sends it to the security team.
 * - Many people without a service: "the whole office", "nobody on floor 2 can work", "the AP team is
 *   blocked". Impact high; urgency high when they cannot work.
 *
 * The rules only ever raise what triage found. They also tell whether the message already says who
 * is affected, so the bot does not ask.
 */
import type { Level } from '../../itsm/types.js';
import type { TriagePrediction } from '../../nlu/types.js';

export interface Severity {
  impact: Level;
  urgency: Level;
  /** Set when a rule knows the category better than the model (security). */
  category: string | null;
  /** Why, in the requester's words ("you typed your password after clicking a phishing link"). */
  reasons: string[];
  /** The message says who is affected (many people, or just the requester). */
  scopeKnown: boolean;
  /** Rule names, for the ticket's audit trail. */
  rules: string[];
}

const RANK: Record<Level, number> = { low: 1, medium: 2, high: 3 };
const max = (a: Level, b: Level): Level => (RANK[a] >= RANK[b] ? a : b);

const PHISHING =
  /\b(phish\w*|suspicious (?:link|e-?mail|site|page|attachment)|fake (?:login|page|site|e-?mail)|scam\w*)\b/i;
const CLICKED = /\b(click\w*|open\w*|follow\w*|visit\w*)\b/i;
const TYPED_SECRET =
  /\b(typed|entered|gave|put in|filled in|submitted|used|shared|logged in with)\b[^.!?]{0,40}\b(password|passcode|credentials|login|pin|mfa|code|bank details|card)\b/i;
const MALWARE =
  /\b(malware|virus|trojan|spyware|keylogger|infected|ransomware|ransom|files? (?:are|got|were|have been) encrypted|encrypted my files)\b/i;
const RANSOM = /\b(ransomware|ransom|encrypted)\b/i;
const TAKEOVER =
  /\b(account|mailbox|e-?mail|laptop|computer) (?:was |has been |got |is |been )?(hacked|compromised|taken over|breached)\b|\bsomeone (?:else )?(?:logged|signed) in(?:to)? (?:to )?my\b|\b(?:e-?mails?|messages) (?:that |which )?i (?:didn'?t|did not|never) send\b|\bunknown (?:login|sign-?in)s?\b|\bdata (?:breach|leak)\b/i;

const MANY =
  /\b(?:whole|entire|all of the|the full) (?:[\w-]+ )?(?:office|floor|building|site|company|team|department|branch|call cent(?:er|re)|wing|shop|store|warehouse|plant|lab)\b|\b(?:every(?:one|body)|all (?:users|staff|colleagues|of us|of them)|nobody|no one|none of us|the (?:whole |entire )?\w+ team|several (?:people|users|colleagues)|many (?:people|users|colleagues)|multiple (?:people|users|colleagues)|\d{2,} (?:people|users|colleagues))\b/i;
const OUTAGE =
  /\b(down|outage|not working|isn'?t working|doesn'?t work|can'?t|cannot|unable|blocked|offline|no (?:internet|network|wifi|access|connection)|fail\w*|error|broken|stopped)\b/i;
const CANNOT_WORK =
  /\b(?:can'?t|cannot|unable to|could not|couldn'?t) (?:work|do (?:any|our)|log ?in|connect|access|print|post|ship|sell)\b|\b(?:nobody|no one|none of us)\b(?:\W+\w+){0,5}?\W+(?:can|could) (?:work|connect|log ?in|print|access)\b|\bblocked\b|\bcompletely down\b|!{3,}/i;
const JUST_ME = /\b(just me|only me|only my|no one else|nobody else)\b/i;

/** Raises triage's impact/urgency where the rules apply, with the reasons to show. */
export function assessSeverity(text: string, triage: TriagePrediction): Severity {
  let impact = triage.impact;
  let urgency = triage.urgency;
  let category: string | null = null;
  const reasons: string[] = [];
  const rules: string[] = [];

  const phished = PHISHING.test(text) && (TYPED_SECRET.test(text) || CLICKED.test(text));
  if (phished && TYPED_SECRET.test(text)) {
    impact = max(impact, 'medium');
    urgency = 'high';
    category = 'security';
    reasons.push('you entered your credentials after a phishing link, so your account may be compromised');
    rules.push('security:credentials-phished');
  } else if (phished) {
    // A click alone can install malware or lead on to a fake sign-in page: the security team looks
    // at once (the phishing article promises an urgent incident for it), as for typed credentials.
    impact = max(impact, 'medium');
    urgency = 'high';
    category = 'security';
    reasons.push('you opened a phishing link, which can install malware or lead to a fake sign-in page');
    rules.push('security:phishing-clicked');
  }
  if (MALWARE.test(text)) {
    impact = max(impact, RANSOM.test(text) ? 'high' : 'medium');
    urgency = 'high';
    category = 'security';
    reasons.push(
      RANSOM.test(text)
        ? 'ransomware can spread to other devices'
        : 'a possible infection must be contained fast',
    );
    rules.push('security:malware');
  }
  if (TAKEOVER.test(text)) {
    impact = max(impact, /data (?:breach|leak)/i.test(text) ? 'high' : 'medium');
    urgency = 'high';
    category = 'security';
    reasons.push('someone else may be using the account');
    rules.push('security:account-takeover');
  }

  const many = MANY.test(text) && !JUST_ME.test(text);
  if (many && (OUTAGE.test(text) || CANNOT_WORK.test(text))) {
    impact = 'high';
    reasons.push('many people are affected');
    rules.push('outage:many-people');
    if (CANNOT_WORK.test(text)) {
      urgency = 'high';
      reasons.push('they cannot work');
    } else urgency = max(urgency, 'medium');
  } else if (CANNOT_WORK.test(text) && urgency !== 'high' && !/\bcan still work\b/i.test(text)) {
    urgency = 'high';
    reasons.push('you cannot work');
    rules.push('urgency:cannot-work');
  }

  const cueScope = triage.priorityReasons.some((r) => /→ impact (high|medium)/.test(r));
  return {
    impact,
    urgency,
    category,
    reasons,
    // For a compromise, who else is affected is for the security team to find out, not a question.
    scopeKnown: many || JUST_ME.test(text) || cueScope || category === 'security',
    rules,
  };
}

/** The cue phrases triage matched ("'whole team' → impact high" → "whole team"), for the reply. */
export function cuePhrases(triage: TriagePrediction): string[] {
  return triage.priorityReasons
    .map((r) => /^'([^']+)' → (?:impact|urgency) (?:high|medium)/.exec(r)?.[1])
    .filter((p): p is string => p !== undefined);
}
