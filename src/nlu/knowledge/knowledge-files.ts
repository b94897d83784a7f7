/**
 * Loader of `data/knowledge/<id>.md`: front matter (title, tags, category, optional url and
 * questions) between `---` lines, then a markdown body.
 */
import { basename, join } from 'node:path';
import { z } from 'zod';
import { AppError, formatIssues } from '../../errors.js';
import { listFiles, readText } from '../data/read-files.js';

const frontMatterSchema = z.object({
  title: z.string().trim().min(1, 'title must not be empty'),
  tags: z.string().optional(),
  category: z.string().trim().min(1).optional(),
  url: z.string().trim().min(1).optional(),
  /** Example questions the article answers, separated by "|": they are matched like the title. */
  questions: z.string().optional(),
});

export interface KnowledgeArticle {
  id: string;
  title: string;
  tags: string[];
  category: string | null;
  url: string | null;
  questions: string[];
  body: string;
}

export function parseArticle(id: string, file: string, text: string): KnowledgeArticle {
  const m = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(text);
  if (m === null) {
    throw new AppError(
      'data_invalid',
      `${file}: the article must start with front matter between "---" lines (title, tags, category).`,
      {
        details: { file },
      },
    );
  }
  const fields: Record<string, string> = {};
  (m[1] as string).split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '' || line.trim().startsWith('#')) return;
    const kv = /^([A-Za-z_]+):\s*(.*)$/.exec(line);
    if (kv === null) {
      throw new AppError('data_invalid', `${file} front matter line ${i + 2}: expected "key: value".`, {
        details: { file, line: i + 2 },
      });
    }
    fields[(kv[1] as string).toLowerCase()] = (kv[2] as string).trim().replace(/^["']|["']$/g, '');
  });
  const parsed = frontMatterSchema.safeParse(fields);
  if (!parsed.success) {
    throw new AppError('data_invalid', `${file} front matter: ${formatIssues(parsed.error.issues)}`, {
      field: parsed.error.issues[0]?.path.map(String).join('.'),
      details: { file },
    });
  }
  const body = (m[2] as string).trim();
  if (body.length === 0)
    throw new AppError('data_invalid', `${file}: the article body is empty.`, { details: { file } });
  const list = (s: string | undefined, sep: string) =>
    (s ?? '')
      .split(sep)
      .map((t) => t.trim())
      .filter((t) => t.length > 0);
  return {
    id,
    title: parsed.data.title,
    tags: list(parsed.data.tags, ','),
    category: parsed.data.category ?? null,
    url: parsed.data.url ?? null,
    questions: list(parsed.data.questions, '|'),
    body,
  };
}

export async function loadKnowledgeArticles(dataDir: string): Promise<KnowledgeArticle[]> {
  const files = await listFiles(join(dataDir, 'knowledge'), '.md');
  const out: KnowledgeArticle[] = [];
  for (const file of files) out.push(parseArticle(basename(file, '.md'), file, await readText(file)));
  return out;
}
