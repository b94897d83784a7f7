/** The scripted conversations over Teams: activities with real tokens into the adapter, replies read from the fake Bot Connector; one desk for all. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { report, runScenario, type SuiteRun, startSuite } from './runner.js';
import { SCENARIOS } from './scenarios/index.js';

let suite: SuiteRun;
beforeAll(async () => {
  suite = await startSuite('teams');
}, 120_000);
afterAll(async () => {
  await suite?.desk.close();
});

describe('scripted conversations: Teams', () => {
  for (const s of SCENARIOS)
    it.concurrent(`${s.id}: ${s.title}`, async () => {
      const who = suite.personas.get(s.id);
      if (!who) throw new Error(`no requester for ${s.id}`);
      const results = await runScenario(suite.desk, suite.channel, s, who);
      expect(report(results)).toBe('');
    });
});
