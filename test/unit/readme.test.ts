import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withCliUsage, withConfigTable } from '../../scripts/update-readme.js';

const ROOT = join(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes. */
function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  let fence = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fence = !fence;
    const m = fence ? null : /^#{1,6} (.+)$/.exec(line);
    if (m?.[1])
      out.add(
        m[1]
          .toLowerCase()
          .replace(/[^\p{L}\p{N} _-]/gu, '')
          .replace(/ /g, '-'),
      );
  }
  return out;
}

describe('README', () => {
  const readme = read('README.md');
  it('shows the two set-up commands and the test command', () => {
    for (const c of ['npm install', 'npm start', 'npm test']) expect(readme).toContain(c);
  });
  it('has the command list, and docs/configuration.md the configuration table, generated from their sources (run `npm run docs`)', () => {
    expect(withCliUsage(readme)).toBe(readme);
    const config = read('docs/configuration.md');
    expect(config).toContain('| `DATABASE_URL` |');
    expect(withConfigTable(config)).toBe(config);
  });
  it('stays a guide an admin reads top to bottom: under 400 lines, about this repository only', () => {
    expect(readme.split('\n').length).toBeLessThan(400);
    expect(readme).not.toMatch(/DESIGN(\.md)?\s*§|\.\.\/shared/);
  });
  it('links to headings that exist, in itself and in the docs it points into', () => {
    const targets: Record<string, Set<string>> = {
      '': anchors(readme),
      'docs/architecture.md': anchors(read('docs/architecture.md')),
      'docs/benchmarks.md': anchors(read('docs/benchmarks.md')),
    };
    const links = [...readme.matchAll(/\]\(((?:docs\/[a-z-]+\.md)?)#([^)]+)\)/g)];
    expect(links.length).toBeGreaterThan(5);
    for (const [, file = '', anchor = ''] of links) {
      expect(targets[file]?.has(anchor), `${file}#${anchor}`).toBe(true);
    }
  });
});
