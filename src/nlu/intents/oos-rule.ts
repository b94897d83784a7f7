/**
 * The out-of-scope decision: a text is handed over when a blend of its calibrated top probability
 * and its similarity to the nearest training example of that intent falls below a threshold.
 * Confidence alone misses fluent off-topic questions that resemble no example; similarity alone
 * misses ambiguous in-domain ones. Blend weight and threshold are chosen on held-out data.
 */
export interface OosRule {
  /** Weight of the probability; the similarity gets 1 - alpha. */
  alpha: number;
  threshold: number;
}

export interface HeldOutScore {
  prob: number;
  similarity: number;
  /** Gold label is out of scope. */
  gold: 'oos' | 'in';
  /** The classifier's intent (before the rule) is the gold one; false for OOS gold. */
  correct: boolean;
  /** The classifier's argmax was the out-of-scope class itself. */
  predictedOos: boolean;
}

export const oosScore = (rule: OosRule, prob: number, similarity: number): number =>
  rule.alpha * prob + (1 - rule.alpha) * similarity;

/**
 * With a recall target: the rule with the best held-out in-scope accuracy whose OOS recall reaches
 * the target (handing over too often annoys people; too rarely, the bot answers nonsense).
 * Without one, or when no rule reaches it: maximises in-scope accuracy + OOS recall.
 * Without OOS examples it rejects at most 2 % of the correctly classified in-scope texts.
 */
export function fitOosRule(scores: readonly HeldOutScore[], recallTarget: number | null): OosRule {
  const inScope = scores.filter((s) => s.gold === 'in');
  const oos = scores.filter((s) => s.gold === 'oos');
  if (inScope.length === 0) return { alpha: 1, threshold: 0 };
  if (oos.length === 0) {
    const correct = inScope
      .filter((s) => s.correct && !s.predictedOos)
      .map((s) => s.prob)
      .sort((a, b) => a - b);
    return { alpha: 1, threshold: correct[Math.floor(correct.length * 0.02)] ?? 0 };
  }
  let best: OosRule = { alpha: 1, threshold: 0 };
  let bestJ = -Infinity;
  let bestTarget: OosRule | null = null;
  let bestTargetAcc = -Infinity;
  for (let a = 0; a <= 10; a++) {
    const alpha = a / 10;
    const rule = { alpha, threshold: 0 };
    const values = scores.map((s) => oosScore(rule, s.prob, s.similarity)).sort((x, y) => x - y);
    const candidates = new Set<number>([0]);
    const step = Math.max(1, Math.floor(values.length / 400));
    for (let i = 0; i < values.length; i += step) candidates.add(values[i] as number);
    for (const threshold of candidates) {
      let acc = 0;
      let rec = 0;
      for (const s of inScope)
        if (s.correct && !s.predictedOos && oosScore({ alpha, threshold }, s.prob, s.similarity) >= threshold)
          acc++;
      for (const s of oos)
        if (s.predictedOos || oosScore({ alpha, threshold }, s.prob, s.similarity) < threshold) rec++;
      const j = acc / inScope.length + rec / oos.length;
      if (j > bestJ + 1e-9) {
        bestJ = j;
        best = { alpha, threshold };
      }
      if (recallTarget !== null && rec / oos.length >= recallTarget && acc > bestTargetAcc) {
        bestTargetAcc = acc;
        bestTarget = { alpha, threshold };
      }
    }
  }
  return bestTarget ?? best;
}
