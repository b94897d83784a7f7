/**
 * The NLU used when the trained models cannot be loaded: it understands nothing, so every
 * message is handed to a person (the safe failure for a service desk), and it says so.
 */
import type { Nlu } from './types.js';
import { OUT_OF_SCOPE } from './types.js';

export function handoffOnlyNlu(reason: string): Nlu {
  return {
    intents: {
      name: `handoff-only (${reason})`,
      async classify() {
        return {
          intent: OUT_OF_SCOPE,
          confidence: 0,
          outOfScope: false,
          alternatives: [],
          explanation: { terms: [], nearest: [] },
        };
      },
    },
    triage: {
      async predict() {
        return {
          category: 'other',
          group: null,
          confidence: 0,
          impact: 'medium',
          urgency: 'medium',
          priorityReasons: [`no triage model (${reason}): default impact and urgency`],
          explanation: { terms: [], nearest: [] },
        };
      },
    },
    knowledge: {
      async search() {
        return [];
      },
      async answer() {
        return null;
      },
    },
  };
}
