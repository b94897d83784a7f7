/**
 * Answering from the knowledge base: the article itself (its content, and its link when it has one),
 * then "Did this solve it?". Yes closes the question as deflected; no tries the next best article
 * once, then opens a ticket (or, for a how-to question nobody could answer, hands it to a person).
 */
import type { KnowledgeHit } from '../../nlu/types.js';
import type { DialogModule } from './dialog.js';
import { frame, popTop, push } from './stack.js';
import { openAndTell, say, step } from './steps.js';
import { handOffNew } from './to-person.js';
import type { Effect, Frame, NewTicket, Question, Step, Turn } from './types.js';
import { contentStems, titleFrom, wordCount } from './words.js';

/** A second article is offered only when it is at least this likely to answer the question. */
const SECOND_ARTICLE_MIN_CONFIDENCE = 0.35;

const HELPFUL: Question = { key: 'helpful', expects: 'yes_no', prompt: 'Did this solve it?' };

function offer(
  turn: Turn,
  hit: KnowledgeHit,
  query: string,
  intent: string,
  unhelpful: number,
  lead: string,
): Step {
  const article = turn.facts.articles.get(hit.articleId);
  if (!article) return step([]);
  return step([
    {
      do: 'kb_record',
      articleId: hit.articleId,
      query,
      intent,
      confidence: hit.confidence,
      next: (answerId) => {
        const f: Frame = frame('knowledge', turn.facts.now, {
          slots: { articleId: hit.articleId, query, intent, unhelpful, answerId },
          question: HELPFUL,
        });
        const link = article.url ? ` (${article.url})` : '';
        return step(
          [
            say(`${lead} "${article.title}"${link}. Did this solve it?`, {
              article: { id: hit.articleId, ...article },
              choices: [
                {
                  label: 'Yes, solved',
                  actionId: 'kb.helpful',
                  value: { article: hit.articleId },
                  style: 'primary',
                },
                {
                  label: unhelpful > 0 ? 'No, get me a person' : 'No, open a ticket',
                  actionId: 'kb.not_helpful',
                  value: { article: hit.articleId },
                },
              ],
            }),
          ],
          push(turn.stack, f),
        );
      },
    },
  ]);
}

/** Password resets and unlocks the article could not solve become requests for the desk. */
function openAccessRequest(turn: Turn, text: string, intent: string, confidence: number | null): Step {
  const input: NewTicket = {
    kind: intent === 'password_reset' || intent === 'account_locked' ? 'service_request' : 'incident',
    title: titleFrom(text),
    description: text,
    impact: 'low',
    urgency: intent === 'account_locked' ? 'high' : 'medium',
    category: 'access',
    decisions: { intent, confidence },
  };
  return openAndTell(input, text, [], {
    v: 2,
    frames: turn.stack.frames.filter((f) => f.suspended === true),
  });
}

/** A question the knowledge base may answer ("how do I…", "forgot my password"). */
export function answerFromKnowledge(turn: Turn, intent: string): Step {
  const text = turn.text;
  return step([
    {
      do: 'kb_answer',
      query: text,
      next: (hit) => {
        if (hit && turn.facts.articles.has(hit.articleId))
          return offer(turn, hit, text, intent, 0, 'This article should help:');
        if (intent === 'how_to')
          return handOffNew(text, 'no knowledge article answers the question', {
            confidence: turn.nlu.prediction.confidence,
            tried: ['searched the knowledge base: nothing confident'],
          });
        return openAccessRequest(turn, text, intent, turn.nlu.prediction.confidence);
      },
    },
  ]);
}

/** "Yes, solved." */
export function helpful(turn: Turn, f: Frame | null): Step {
  const effects: Effect[] = [];
  if (typeof f?.slots.answerId === 'number')
    effects.push({ do: 'kb_outcome', answerId: f.slots.answerId, outcome: 'accepted' });
  effects.push(say('Great, glad that solved it! Write any time you need something else.'));
  return step(effects, f ? popTop(turn.stack) : turn.stack);
}

/** "No": the next article once, then a ticket or a person. */
export function notHelpful(turn: Turn, f: Frame, reply = ''): Step {
  const query = String(f.slots.query ?? turn.text);
  // What the person added ("no, it asks for a driver I don't have") goes onto the ticket with their
  // question; a bare "no, that didn't help" adds nothing. The next search stays on the question.
  const detail = contentStems(reply).filter((w) => !NEGATION_STEMS.has(w)).length >= 2 ? reply : '';
  const ticketText = [query, detail].filter(Boolean).join('\n');
  const intent = String(f.slots.intent ?? 'how_to');
  const articleId = String(f.slots.articleId ?? '');
  const unhelpful = Number(f.slots.unhelpful ?? 0) + 1;
  const title = turn.facts.articles.get(articleId)?.title ?? articleId;
  const rest: Turn = { ...turn, text: query, stack: popTop(turn.stack) };
  const effects: Effect[] = [];
  if (typeof f.slots.answerId === 'number')
    effects.push({ do: 'kb_outcome', answerId: f.slots.answerId, outcome: 'rejected' });
  if (unhelpful >= 2) {
    effects.push(
      ...handOffNew(ticketText, 'two unhelpful knowledge answers in a row', {
        tried: [`suggested articles that did not help (last: ${title})`],
      }).effects,
    );
    return step(effects, { v: 2, frames: [] });
  }
  effects.push({
    do: 'kb_search',
    query,
    k: 3,
    next: (hits) => {
      const next = hits.find(
        (h) => h.articleId !== articleId && h.confidence >= SECOND_ARTICLE_MIN_CONFIDENCE,
      );
      if (next && turn.facts.articles.has(next.articleId))
        return offer(rest, next, ticketText, intent, unhelpful, 'Sorry about that. Maybe this one:');
      if (intent === 'how_to')
        return handOffNew(ticketText, 'knowledge answer did not help', { tried: [`suggested "${title}"`] });
      return openAccessRequest(
        rest,
        `${ticketText}\n\n(The article "${title}" did not solve it.)`,
        intent,
        null,
      );
    },
  });
  return step(effects, rest.stack);
}

export const knowledgeDialog: DialogModule = {
  resumable: false,
  context: (f, facts) =>
    `${String(f.slots.query ?? '')} ${facts.articles.get(String(f.slots.articleId))?.title ?? ''}`,
  label: () => 'the article',
  answer(turn, f, answer) {
    if (answer.kind === 'yes') return helpful(turn, f);
    if (answer.kind === 'no') return notHelpful(turn, f, turn.text.trim());
    return step([], popTop(turn.stack));
  },
  unclear(turn, f, kit) {
    // "kind of, but it asks for a driver I don't have": not a new request (decide.ts ruled that out)
    // and more than a word or two that is not small talk, so the article did not fully solve it.
    if (wordCount(turn.text) >= 4 && turn.nlu.prediction.action !== 'small_talk')
      return notHelpful(turn, f, turn.text.trim());
    return kit.route({ ...turn, stack: popTop(turn.stack) });
  },
};

/** Stems of "no, that didn't help / work / fix it": a refusal, not a detail. */
const NEGATION_STEMS = new Set(['help', 'work', 'fix', 'solv', 'solve', 'didn', 'realli', 'still', 'nope']);
