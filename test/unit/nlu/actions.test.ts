import { describe, expect, it } from 'vitest';
import { actionsFor, decideTwoStep } from '../../../src/nlu/intents/actions.js';
import type { IntentAction } from '../../../src/nlu/types.js';

describe('two-step decision', () => {
  const labels = ['add_info', 'incident_network', 'incident_software', 'out_of_scope', 'custom'];
  const actions = actionsFor(
    labels,
    new Map<string, IntentAction>([
      ['add_info', 'ticket_operation'],
      ['incident_network', 'incident'],
      ['incident_software', 'incident'],
    ]),
  );

  it('gives out_of_scope its own action and unnamed intents "other"', () => {
    expect(actions).toEqual(['ticket_operation', 'incident', 'incident', 'out_of_scope', 'other']);
  });

  it('picks the action with the most mass, then its best intent, even when another intent is the argmax', () => {
    // add_info is the single most probable intent, but the two incidents together outweigh it.
    const d = decideTwoStep([0.4, 0.3, 0.25, 0.05, 0], actions);
    expect(labels[d.top]).toBe('incident_network');
    expect(d.actionMass).toBeCloseTo(0.55, 6);
  });

  it('is the plain argmax when no two intents share an action', () => {
    const none = actionsFor(labels, new Map());
    for (const probs of [
      [0.3, 0.25, 0.2, 0.15, 0.1],
      [0.1, 0.2, 0.2, 0.45, 0.05],
      [0.05, 0.3, 0.3, 0.05, 0.31],
    ]) {
      const argmax = probs.indexOf(Math.max(...probs));
      expect(decideTwoStep(probs, none).top).toBe(argmax);
    }
  });
});
