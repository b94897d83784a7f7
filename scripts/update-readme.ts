/** Rewrites the generated parts of README.md (the configuration table) from their sources. */
import { readFileSync, writeFileSync } from 'node:fs';
import { configTableMarkdown } from '../src/config.js';

export function withConfigTable(readme: string): string {
  return readme.replace(/<!-- config:start -->[\s\S]*?<!-- config:end -->/, `<!-- config:start -->\n${configTableMarkdown()}\n<!-- config:end -->`);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  const path = new URL('../README.md', import.meta.url);
  writeFileSync(path, withConfigTable(readFileSync(path, 'utf8')));
}
