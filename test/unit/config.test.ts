import { describe, expect, it } from 'vitest';
import { loadConfig, secretsOf, teamsMode } from '../../src/config.js';
import { configTableMarkdown } from '../../src/config-table.js';
import { AppError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';

describe('configuration', () => {
  it('has working defaults', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3978);
    expect(c.DATABASE_URL).toBe('sqlite:var/chatdesk.sqlite');
    expect(c.DATA_DIR).toBe('data');
    expect(c.MODELS_DIR).toBe('models');
  });

  it('names every bad variable and how to fix it', () => {
    try {
      loadConfig({ PORT: '99999', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://db' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      const msg = (e as AppError).message;
      expect(msg).toMatch(/PORT \(got "99999"\)/);
      expect(msg).toMatch(/LOG_LEVEL/);
      expect(msg).toMatch(/DATABASE_URL .*sqlite:<path>/);
    }
  });

  it('hides secrets in its error messages', () => {
    expect(() => loadConfig({ API_TOKEN: 'short' })).toThrow(
      /API_TOKEN \(got "\*\*\*"\): must be at least 16/,
    );
  });

  it('refuses anonymous Teams in production, off loopback or with an app id, and half-configured Slack', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', TEAMS_EMULATOR: 'true' })).toThrow(
      /TEAMS_EMULATOR: not in production/,
    );
    expect(() => loadConfig({ TEAMS_EMULATOR: 'true', HOST: '0.0.0.0' })).toThrow(
      /TEAMS_EMULATOR: only with a loopback HOST/,
    );
    expect(() => loadConfig({ TEAMS_EMULATOR: 'true', MICROSOFT_APP_ID: 'app' })).toThrow(
      /TEAMS_EMULATOR: not together/,
    );
    expect(teamsMode(loadConfig({ NODE_ENV: 'production' }))).toBe('off');
    expect(teamsMode(loadConfig({}))).toBe('off');
    expect(teamsMode(loadConfig({ TEAMS_EMULATOR: 'true' }))).toBe('emulator');
    expect(() => loadConfig({ NODE_ENV: 'production', TEAMS_ENABLED: 'false' })).not.toThrow();
    expect(() => loadConfig({ SLACK_SIGNING_SECRET: 'abc' })).toThrow(/set both/);
  });

  it('accepts the test-only turn delay under NODE_ENV=test and refuses it anywhere else', () => {
    expect(loadConfig({ NODE_ENV: 'test', TEST_TURN_DELAY_MS: '5000' }).TEST_TURN_DELAY_MS).toBe(5000);
    expect(() => loadConfig({ TEST_TURN_DELAY_MS: '5000' })).toThrow(/TEST_TURN_DELAY_MS: only for tests/);
    expect(() => loadConfig({ NODE_ENV: 'test', TEST_TURN_DELAY_MS: 'soon' })).toThrow(/TEST_TURN_DELAY_MS/);
  });

  it('checks where the NLU runs and which transformer model directory it loads', () => {
    expect(loadConfig({}).NLU_THREAD).toBe('worker');
    expect(() => loadConfig({ NLU_THREAD: 'gpu' })).toThrow(/NLU_THREAD/);
    expect(loadConfig({ NLU_TRANSFORMER_MODEL: 'Xenova/all-MiniLM-L6-v2' }).NLU_TRANSFORMER_MODEL).toBe(
      'Xenova/all-MiniLM-L6-v2',
    );
    expect(() => loadConfig({ NLU_TRANSFORMER_MODEL: '../../etc/passwd' })).toThrow(
      /NLU_TRANSFORMER_MODEL \(got "..\/..\/etc\/passwd"\): a directory under MODELS_DIR/,
    );
  });

  it('generates the README table from the schema descriptions', () => {
    const table = configTableMarkdown();
    expect(table).toMatch(/\| `PORT` \| `3978` \| HTTP port/);
    expect(table.split('\n').length).toBeGreaterThan(15);
  });

  it('keeps secrets out of log lines', () => {
    const lines: string[] = [];
    const config = loadConfig({
      API_TOKEN: 'super-secret-token-123456',
      SLACK_SIGNING_SECRET: 'sig-secret-999',
      SLACK_BOT_TOKEN: 'xoxb-bot-token-1',
    });
    const log = createLogger({ level: 'info', secrets: secretsOf(config), write: (l) => lines.push(l) });
    log.info('request', {
      header: 'Bearer super-secret-token-123456',
      nested: { token: 'xoxb-bot-token-1' },
      error: new Error('bad sig-secret-999'),
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/super-secret|xoxb-bot-token-1|sig-secret-999/);
    expect(lines[0]).toContain('[redacted]');
  });
});
