/** Every scripted scenario, in order. Add a file and list it here. */
import type { Scenario } from '../script.js';
import s01 from './01-pending-question-new-problem.js';
import s02 from './02-form-interrupted.js';
import s03 from './03-new-problem-while-agent-owns.js';
import s04 from './04-handoff-chooses-ticket.js';
import s05 from './05-small-talk-never-hands-off.js';
import s06 from './06-bot-instructions-work.js';
import s07 from './07-works-now-after-hint.js';
import s08 from './08-new-hire-slots.js';
import s09 from './09-laptop-natural-answers.js';
import s10 from './10-software-other.js';
import s11 from './11-security-compromise.js';
import s12 from './12-office-outage.js';
import s13 from './13-rambling-message.js';
import s14 from './14-knowledge-readable.js';
import s15 from './15-plain-refusals.js';
import s16 from './16-change-from-chat.js';
import s17 from './17-rfc-form-blackout.js';
import s18 from './18-form-commands.js';
import s19 from './19-knowledge-not-helpful.js';
import s20 from './20-frustration-joins-ticket.js';
import s21 from './21-form-resumes-after-question.js';
import s22 from './22-agent-resolves-then-rating.js';
import s23 from './23-works-now-which-ticket.js';
import s24 from './24-cancel-asks-first.js';
import s25 from './25-agent-edits-ticket.js';
import s26 from './26-agent-queue.js';
import s27 from './27-typed-command-during-handoff.js';
import s30 from './30-standard-change-catalogue.js';
import s31 from './31-improvement-register.js';
import s32 from './32-another-kind-of-fault.js';
import s33 from './33-progress-question.js';
import s34 from './34-own-words-during-handoff.js';
import s35 from './35-new-hire-told-naturally.js';
import s36 from './36-answer-for-another-field.js';
import s37 from './37-article-half-helped.js';
import s38 from './38-agent-resolves-by-typing.js';
import s39 from './39-sure-fault-unsure-kind.js';
import s40 from './40-poor-rating-asks-why.js';
import s41 from './41-poor-rating-then-new-problem.js';
import s42 from './42-works-now-open-beside-resolved.js';
import s43 from './43-no-stale-question-after-handback.js';
import s44 from './44-progress-questions-during-handoff.js';
import s45 from './45-form-corrections-and-asides.js';
import s46 from './46-phishing-click-and-thanks.js';
import s47 from './47-accessory-request-and-progress.js';
import s48 from './48-problem-back-again.js';
import s49 from './49-make-it-urgent.js';
import s50 from './50-who-has-my-ticket.js';
import s51 from './51-thanks-during-handoff.js';

export const SCENARIOS: Scenario[] = [
  s01,
  s02,
  s03,
  s04,
  s05,
  s06,
  s07,
  s08,
  s09,
  s10,
  s11,
  s12,
  s13,
  s14,
  s15,
  s16,
  s17,
  s18,
  s19,
  s20,
  s21,
  s22,
  s23,
  s24,
  s25,
  s26,
  s27,
  s30,
  s31,
  s32,
  s33,
  s34,
  s35,
  s36,
  s37,
  s38,
  s39,
  s40,
  s41,
  s42,
  s43,
  s44,
  s45,
  s46,
  s47,
  s48,
  s49,
  s50,
  s51,
];
