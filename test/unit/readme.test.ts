import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withConfigTable } from '../../scripts/update-readme.js';

describe('README', () => {
  const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
  it('shows the two set-up commands and the test command', () => {
    for (const c of ['npm install', 'npm start', 'npm test']) expect(readme).toContain(c);
  });
  it('has the configuration table generated from the schema (run `npm run docs` after changing src/config.ts)', () => {
    expect(withConfigTable(readme)).toBe(readme);
  });
});
