/** bench/nlu-probe.ts: a probe is scored by decided action and exact intent; a bad line is refused by number. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scoreProbe } from '../../../bench/nlu-probe.js';
import { AppError } from '../../../src/errors.js';
import { type IntentClassifier, OUT_OF_SCOPE } from '../../../src/nlu/types.js';

const ACTIONS: Record<string, 'incident' | 'small_talk' | 'out_of_scope'> = {
  incident_printer: 'incident',
  incident_software: 'incident',
  greeting: 'small_talk',
  out_of_scope: 'out_of_scope',
};

// Decides by a keyword, so each row's outcome is known from its text.
const classifier: IntentClassifier = {
  name: 'keywords',
  actionOf: (intent) => ACTIONS[intent] ?? 'other',
  classify: async (text) => {
    const intent = text.includes('print')
      ? 'incident_printer'
      : text.includes('hi')
        ? 'greeting'
        : OUT_OF_SCOPE;
    return {
      intent,
      confidence: 0.9,
      outOfScope: intent === OUT_OF_SCOPE,
      alternatives: [],
      explanation: { terms: [], nearest: [] },
    };
  },
};

function probeFile(lines: readonly string[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'probe-')), 'probe.jsonl');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('scoreProbe', () => {
  it('counts the right action apart from the exact intent, per class, and lists the misses', async () => {
    const file = probeFile([
      JSON.stringify({ text: 'the printer is jammed', label: 'incident_printer' }),
      JSON.stringify({ text: 'word prints garbage', label: 'incident_software' }),
      '',
      JSON.stringify({ text: 'hi there', label: 'greeting' }),
      JSON.stringify({ text: 'what is the weather', label: 'greeting' }),
    ]);
    const r = await scoreProbe(classifier, file);
    expect(r.n).toBe(4);
    expect(r.action).toBe(3 / 4);
    expect(r.intent).toBe(2 / 4);
    expect(Object.fromEntries(r.perAction)).toEqual({
      incident: { right: 2, n: 2 },
      small_talk: { right: 1, n: 2 },
    });
    expect(r.misses).toEqual([
      'incident_software -> incident_printer (0.90): word prints garbage',
      'greeting -> out_of_scope (0.90): what is the weather',
    ]);
  });

  it('refuses a line that is not JSON, lacks its text or names an intent the model does not know', async () => {
    const ok = JSON.stringify({ text: 'hi', label: 'greeting' });
    for (const [bad, why] of [
      ['{"text": "hi"', /line 2 is not valid JSON/],
      [JSON.stringify({ label: 'greeting' }), /line 2: text/],
      [
        JSON.stringify({ text: 'hi', label: 'greetings' }),
        /line 2: label: not an intent of the shipped model/,
      ],
    ] as const) {
      const failure = await scoreProbe(classifier, probeFile([ok, bad])).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(AppError);
      expect((failure as AppError).code).toBe('data_invalid');
      expect((failure as AppError).message).toMatch(why);
    }
  });
});
