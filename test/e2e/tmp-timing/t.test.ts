import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'vitest';
import { createApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import { silentLogger } from '../../../src/log.js';
it('times', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'x-'));
  let t = Date.now();
  const app = await createApp(loadConfig({ NODE_ENV: 'test', DATABASE_URL: `sqlite:${join(dir, 'd.sqlite')}`, PORT: '0', LOG_LEVEL: 'silent' }), { log: silentLogger });
  console.log('create', Date.now() - t); t = Date.now();
  await app.listen();
  console.log('listen', Date.now() - t); t = Date.now();
  await app.close();
  console.log('close', Date.now() - t);
}, 120000);
