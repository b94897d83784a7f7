/**
 * USE-lite's sentencepiece-style tokenizer, ported from tfjs-models (`@energetic-ai/embeddings`,
 * Apache-2.0) so the ONNX encoder needs neither tfjs nor its quadratic-time prefix search (it copies
 * the rest of the text at every position, which stalls on a pasted log). Ids must equal theirs
 * exactly, including their quirks: no lowercasing, ties go to the later (shorter) piece, an unknown
 * character becomes id 0 and runs of them merge into one.
 */

type Vocabulary = Array<[string, number]>;

/** Ids below this (padding, <s>, </s>, extra ids) never come out of the tokenizer. */
const RESERVED_IDS = 6;
const SEPARATOR = '\u2581';

interface TrieNode {
  children: Map<string, TrieNode>;
  /** Vocabulary id and score of the piece ending here, when one does. */
  piece?: { id: number; score: number; length: number };
}

export interface UseTokenizer {
  /** Token ids of `text`; with `maxTokens`, only the first ones (and only the text they need is read). */
  encode(text: string, maxTokens?: number): number[];
}

export function createUseTokenizer(vocabulary: Vocabulary): UseTokenizer {
  const root: TrieNode = { children: new Map() };
  let longestPiece = 1;
  // When no piece has the word separator after its first symbol, every path through the lattice
  // splits at each separator, so the ids before one do not depend on the text after it.
  let separatorSplits = true;
  for (let id = RESERVED_IDS; id < vocabulary.length; id++) {
    const [word, score] = vocabulary[id] as [string, number];
    const symbols = Array.from(word);
    longestPiece = Math.max(longestPiece, symbols.length);
    if (symbols.indexOf(SEPARATOR, 1) > 0) separatorSplits = false;
    let n = root;
    for (const s of symbols) {
      let next = n.children.get(s);
      if (next === undefined) {
        next = { children: new Map() };
        n.children.set(s, next);
      }
      n = next;
    }
    // A duplicated piece keeps the last id, as in the original.
    if (symbols.length > 0) n.piece = { id, score, length: symbols.length };
  }

  type Piece = { id: number; score: number; length: number };

  /** Viterbi over the lattice of pieces, then the original's backtrack and merge of unknowns. */
  const segment = (symbols: string[]): number[] => {
    const n = symbols.length;
    // best[end]: score of the best path to `end`; 0 means "not reached yet" (as in the original,
    // which also lets any later path replace a score of exactly 0). words[end]: its last piece.
    const best = new Float64Array(n + 1);
    const words = new Int32Array(n + 1);
    // Pieces ending at each position, pushed in ascending start order (the original's visiting order).
    const ending: Piece[][] = Array.from({ length: n + 1 }, () => []);
    for (let i = 0; i < n; i++) {
      let node = root.children.get(symbols[i] as string);
      let matched = false;
      for (let j = i; j < n && node !== undefined; j++) {
        if (node.piece !== undefined) {
          matched = true;
          ending[i + node.piece.length]?.push(node.piece);
        }
        node = node.children.get(symbols[j + 1] as string);
      }
      if (!matched) ending[i + 1]?.push({ id: 0, score: 0, length: 1 });
    }
    for (let end = 1; end <= n; end++) {
      for (const p of ending[end] as Piece[]) {
        const score = p.score + (best[end - p.length] as number);
        if (best[end] === 0 || score >= (best[end] as number)) {
          best[end] = score;
          words[end] = p.id;
        }
      }
    }
    const reversed: number[] = [];
    // The original steps back by the vocabulary entry's UTF-16 length; kept for identical ids.
    for (let at = n; at > 0; at -= (vocabulary[words[at] as number] as [string, number])[0].length) {
      reversed.push(words[at] as number);
    }
    const ids: number[] = [];
    let previousUnknown = false;
    for (const id of reversed) {
      if (!(previousUnknown && id === 0)) ids.push(id);
      previousUnknown = id === 0;
    }
    return ids.reverse();
  };

  return {
    encode(text, maxTokens = Number.POSITIVE_INFINITY) {
      const normalized = text.normalize('NFKC');
      const input = normalized.length > 0 ? SEPARATOR + normalized.replace(/ /g, SEPARATOR) : normalized;
      const symbols = Array.from(input);
      // A piece spans at most `longestPiece` symbols, so this many symbols hold at least maxTokens
      // pieces; cutting at the next separator leaves them unchanged. Merged unknowns can make fewer
      // tokens than pieces: then the whole text is needed after all.
      const enough = maxTokens * longestPiece;
      const cut = separatorSplits && symbols.length > enough ? symbols.indexOf(SEPARATOR, enough) : -1;
      let ids = cut > 0 ? segment(symbols.slice(0, cut)) : [];
      if (ids.length < maxTokens) ids = segment(symbols);
      return ids.length > maxTokens ? ids.slice(0, maxTokens) : ids;
    },
  };
}
