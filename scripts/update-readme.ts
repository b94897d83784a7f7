/**
 * Rewrites the generated parts of the documentation from their sources: the configuration table in
 * docs/configuration.md (from the zod schema in src/config.ts) and the command list in README.md (from
 * src/cli/registry.ts). `npm run docs`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { topLevelUsage } from '../src/cli/registry.js';
import { configTableMarkdown } from '../src/config-table.js';

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

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  const readme = new URL('../README.md', import.meta.url);
  writeFileSync(readme, withCliUsage(readFileSync(readme, 'utf8')));
  const config = new URL('../docs/configuration.md', import.meta.url);
  writeFileSync(config, withConfigTable(readFileSync(config, 'utf8')));
}
