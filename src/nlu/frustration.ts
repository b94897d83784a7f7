/**
 * Clear frustration with the help itself (not with the broken thing: "my laptop is broken" is
 * negative but calm). Lexicon sentiment from `natural` plus phrases people use when they give up on a bot.
 */
import { sentimentOf, tokenizeWords } from './text/natural.js';

const GIVING_UP =
  /\b(useless|ridiculous|pointless|waste of (my )?time|fed up|sick of|wtf|what the hell|are you kidding|not helping|not helpful|doesn'?t help|stupid bot|dumb bot|worst|unacceptable|this is a joke|i give up|so annoying|furious|angry)\b/i;
const AT_THE_HELP = /\b(you|this bot|the bot|bot|nobody|no one|still|again|third time|every time|always)\b/i;

export interface FrustrationSignal {
  frustrated: boolean;
  score: number;
  reason: string | null;
}

/** Frustration shows in the first lines; longer text is cut so one message cannot stall the turn. */
const FRUSTRATION_MAX_CHARS = 4000;

export function frustrationOf(input: string): FrustrationSignal {
  const text = input.length > FRUSTRATION_MAX_CHARS ? input.slice(0, FRUSTRATION_MAX_CHARS) : input;
  const tokens = tokenizeWords(text.toLowerCase());
  const score = sentimentOf(tokens);
  const phrase = GIVING_UP.exec(text);
  if (phrase) return { frustrated: true, score, reason: `said "${phrase[0]}"` };
  const shouting =
    text.length >= 12 && text === text.toUpperCase() && /[A-Z]{4,}/.test(text) && /!{2,}/.test(text);
  if (shouting) return { frustrated: true, score, reason: 'shouting' };
  if (score <= -0.5 && tokens.length >= 4 && AT_THE_HELP.test(text))
    return { frustrated: true, score, reason: `negative sentiment ${score.toFixed(2)} about the help` };
  return { frustrated: false, score, reason: null };
}
