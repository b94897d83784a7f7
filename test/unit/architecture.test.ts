import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
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

/** A relative import as a path under src/ (`../chat/message.js` from `adapters/slack/x.ts` → `chat/message.ts`). */
const target = (from: string, spec: string): string =>
  relative(SRC, resolve(SRC, dirname(from), spec)).replace(/\.js$/, '.ts');
const localImports = (f: { file: string; imports: string[] }): string[] =>
  f.imports.filter((i) => i.startsWith('.')).map((i) => target(f.file, i));

/** Every import cycle among src/ files, each as `a.ts -> b.ts -> a.ts` (type-only imports included). */
function cycles(sources: ReadonlyArray<{ file: string; imports: string[] }> = all): string[] {
  const graph = new Map(sources.map((f) => [f.file, localImports(f)]));
  const state = new Map<string, 'open' | 'done'>();
  const found: string[] = [];
  const visit = (node: string, path: string[]) => {
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === 'open') found.push([...path.slice(path.indexOf(next)), next].join(' -> '));
      else if (!state.has(next)) visit(next, path);
    }
    path.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node, []);
  return found;
}

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

  it('has no import cycle anywhere in src/', () => {
    const edges = all.reduce((n, f) => n + localImports(f).length, 0);
    expect(edges).toBeGreaterThan(700);
    expect(cycles()).toEqual([]);
  });

  it('the graph check finds a cycle when there is one', () => {
    // Guards the rule above against a resolver that silently resolves nothing: chat/store.ts imports
    // chat/message.ts, so message.ts importing store.ts closes a loop.
    const withLoop = all.map((f) =>
      f.file === 'chat/message.ts' ? { ...f, imports: [...f.imports, './store.js'] } : f,
    );
    expect(cycles(withLoop).some((c) => c.includes('chat/message.ts') && c.includes('chat/store.ts'))).toBe(
      true,
    );
  });

  it('lets the chat adapters (Slack, Teams) import only chat/, their own SDK and shared HTTP helpers', () => {
    const allowed =
      /^(chat\/(adapter-api|message|reported-message)\.ts|adapters\/(types|http\/.*)\.ts|http\/shared\/.*|config\.ts|errors\.ts|log\.ts)$/;
    const offenders = ['adapters/slack/', 'adapters/teams/'].flatMap((folder) =>
      under(folder).flatMap((f) =>
        localImports(f)
          .filter((t) => !t.startsWith(folder) && !allowed.test(t))
          .map((t) => `${f.file} imports ${t}`),
      ),
    );
    expect(offenders).toEqual([]);
  });

  it('keeps adapters from importing each other (shared helpers live in adapters/http and http/shared)', () => {
    const folderOf = (file: string) => file.split('/').slice(0, 2).join('/');
    const offenders = under('adapters/').flatMap((f) =>
      localImports(f)
        .filter(
          (t) =>
            t.startsWith('adapters/') &&
            folderOf(t) !== folderOf(f.file) &&
            !/^adapters\/(types\.ts|http\/)/.test(t),
        )
        .map((t) => `${f.file} imports ${t}`),
    );
    expect(offenders).toEqual([]);
  });

  it('lets nothing import app.ts but the entry points (main.ts, cli/)', () => {
    const offenders = all
      .filter((f) => localImports(f).includes('app.ts'))
      .map((f) => f.file)
      .filter((f) => f !== 'main.ts' && !f.startsWith('cli/'));
    expect(offenders).toEqual([]);
  });

  it('keeps SQL in db/: Kysely query builders and the kysely package appear nowhere else', () => {
    const offenders = all
      .filter((f) => !f.file.startsWith('db/'))
      .flatMap((f) => {
        const text = readFileSync(join(SRC, f.file), 'utf8');
        const builders = /\.(selectFrom|insertInto|updateTable|deleteFrom)\(/.test(text);
        // The composition root holds the database handle to build the stores; it builds no query.
        const kysely =
          f.file !== 'app.ts' && f.imports.some((i) => i === 'kysely' || i.startsWith('kysely/'));
        return builders || kysely ? [f.file] : [];
      });
    expect(offenders).toEqual([]);
  });

  it('keeps language understanding apart from the ITIL core: nlu/ imports nothing from itsm/', () => {
    const offenders = under('nlu/').flatMap((f) =>
      localImports(f)
        .filter((t) => t.startsWith('itsm/'))
        .map((t) => `${f.file} imports ${t}`),
    );
    expect(offenders).toEqual([]);
  });

  it('keeps modules small: no file over 500 lines, no function over 200 (migrations aside)', () => {
    const offenders: string[] = [];
    for (const { file } of all) {
      if (file.startsWith('db/migrations/')) continue;
      const text = readFileSync(join(SRC, file), 'utf8');
      const lines = text.split('\n').length;
      if (lines > 500) offenders.push(`${file}: ${lines} lines`);
      const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
      const visit = (node: ts.Node): void => {
        if (ts.isFunctionLike(node) && 'body' in node && node.body) {
          const first = source.getLineAndCharacterOfPosition(node.getStart()).line;
          const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
          if (last - first + 1 > 200)
            offenders.push(`${file}:${first + 1}: a function of ${last - first + 1} lines`);
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    expect(offenders).toEqual([]);
  });
});
