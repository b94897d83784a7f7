import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '../../src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const imports = (file: string): string[] =>
  [
    ...readFileSync(file, 'utf8').matchAll(
      /(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g,
    ),
  ].map((m) => m[1] ?? m[2] ?? '');

const all = files(SRC).map((f) => ({ file: relative(SRC, f), imports: imports(f) }));
const under = (prefix: string) => all.filter((f) => f.file.startsWith(prefix));

describe('architecture rules (DESIGN §3)', () => {
  it('finds the source files it checks', () => {
    expect(under('itsm/').length).toBeGreaterThan(5);
    expect(under('chat/').length).toBeGreaterThan(3);
  });

  it('keeps the domain core pure: itsm/ and nlu/ import no chat, adapter, storage or platform code', () => {
    const offenders = [...under('itsm/'), ...under('nlu/')].flatMap((f) =>
      f.imports
        .filter(
          (i) =>
            /(^|\/)(chat|adapters|db)\//.test(i) ||
            /^(@slack|botbuilder|botframework|kysely|better-sqlite3|pg$|express)/.test(i),
        )
        .map((i) => `${f.file} imports ${i}`),
    );
    expect(offenders).toEqual([]);
  });

  it('keeps the conversation engine platform- and SQL-free', () => {
    const offenders = under('chat/').flatMap((f) =>
      f.imports
        .filter(
          (i) =>
            /(^|\/)(adapters|db)\//.test(i) ||
            /^(@slack|botbuilder|botframework|kysely|better-sqlite3|pg$|express)/.test(i),
        )
        .map((i) => `${f.file} imports ${i}`),
    );
    expect(offenders).toEqual([]);
  });

  it('keeps each chat SDK inside its adapter folder', () => {
    const slack = all.filter(
      (f) => f.imports.some((i) => i.startsWith('@slack/')) && !f.file.startsWith('adapters/slack/'),
    );
    const teams = all.filter(
      (f) =>
        f.imports.some((i) => /^(botbuilder|botframework)/.test(i)) && !f.file.startsWith('adapters/teams/'),
    );
    expect(slack.map((f) => f.file)).toEqual([]);
    expect(teams.map((f) => f.file)).toEqual([]);
  });

  it('reads the environment only in config.ts (and the CLI entry points that pass it in)', () => {
    const readers = all
      .filter((f) => /process\.env\b/.test(readFileSync(join(SRC, f.file), 'utf8')))
      .map((f) => f.file);
    expect(
      readers.filter((f) => f !== 'config.ts' && !f.startsWith('cli/') && !f.endsWith('-cli.ts')),
    ).toEqual([]);
  });
});
