/**
 * Rewrites the generated parts of README.md from their sources: the configuration table (from the
 * zod schema in src/config.ts) and the command list (from src/cli/registry.ts). `npm run docs`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { topLevelUsage } from '../src/cli/registry.js';
import { configTableMarkdown } from '../src/config.js';

const block = (readme: string, name: string, body: string): string =>
  readme.replace(
    new RegExp(`<!-- ${name}:start -->[\\s\\S]*?<!-- ${name}:end -->`),
    `<!-- ${name}:start -->\n${body}\n<!-- ${name}:end -->`,
  );

export function withConfigTable(readme: string): string {
  return block(readme, 'config', configTableMarkdown());
}

export function withCliUsage(readme: string): string {
  return block(readme, 'cli', `\`\`\`\n${topLevelUsage()}\n\`\`\``);
}

export const withGeneratedParts = (readme: string): string => withCliUsage(withConfigTable(readme));

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  const path = new URL('../README.md', import.meta.url);
  writeFileSync(path, withGeneratedParts(readFileSync(path, 'utf8')));
}
