/** The scripted conversations over Slack: signed events into Bolt's receiver, replies read from the fake Web API; one desk for all. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { report, runScenario, type SuiteRun, startSuite } from './runner.js';
import { SCENARIOS } from './scenarios/index.js';

let suite: SuiteRun;
beforeAll(async () => {
  suite = await startSuite('slack');
}, 120_000);
afterAll(async () => {
  await suite?.desk.close();
});

describe('scripted conversations: Slack', () => {
  for (const s of SCENARIOS)
    it.concurrent(`${s.id}: ${s.title}`, async () => {
      const who = suite.personas.get(s.id);
      if (!who) throw new Error(`no requester for ${s.id}`);
      const results = await runScenario(suite.desk, suite.channel, s, who);
      expect(report(results)).toBe('');
    });
});
