import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '../../../src/errors.js';
import { loadIntentData } from '../../../src/nlu/data/intent-files.js';
import { parseJsonl } from '../../../src/nlu/data/read-files.js';
import { loadKnowledgeArticles, parseArticle } from '../../../src/nlu/knowledge/knowledge-files.js';

const root = await mkdtemp(join(tmpdir(), 'chatdesk-data-'));
afterAll(() => rm(root, { recursive: true, force: true }));

async function dataDir(files: Record<string, string>): Promise<string> {
  const d = await mkdtemp(join(root, 'd-'));
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(d, name, '..'), { recursive: true });
    await writeFile(join(d, name), content);
  }
  return d;
}

const intent = (name: string, examples: string[]) =>
  JSON.stringify({ intent: name, description: 'x', examples });

async function failure(p: Promise<unknown>): Promise<AppError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(AppError);
  return e as AppError;
}

describe('intent files', () => {
  it('loads examples and corrections, warning about a text under two intents', async () => {
    const d = await dataDir({
      'intents/greeting.json': intent('greeting', ['hello', 'hi']),
      'intents/thanks.json': intent('thanks', ['thank you', 'hello']),
      'corrections/intents.jsonl': '{"text":"cheers","intent":"thanks"}\n{"text":"yo","intent":"nope"}\n',
    });
    const data = await loadIntentData(d);
    expect(data.intents.map((i) => i.intent)).toEqual(['greeting', 'thanks']);
    expect(data.examples).toContainEqual({ text: 'cheers', label: 'thanks' });
    expect(data.examples.filter((e) => e.text === 'hello')).toHaveLength(1);
    expect(data.warnings.some((w) => w.includes('"hello"'))).toBe(true);
    expect(data.warnings.some((w) => w.includes('nope'))).toBe(true);
  });

  it('names both files of a duplicate intent', async () => {
    const d = await dataDir({
      'intents/a.json': intent('greeting', ['hi']),
      'intents/b.json': intent('greeting', ['hello']),
    });
    const e = await failure(loadIntentData(d));
    expect(e.code).toBe('data_invalid');
    expect(e.message).toContain('a.json');
    expect(e.message).toContain('b.json');
  });

  it('names the file and field of an empty label or empty examples', async () => {
    const empty = await failure(loadIntentData(await dataDir({ 'intents/x.json': intent('', ['hi']) })));
    expect(empty.message).toContain('x.json');
    expect(empty.field).toBe('intent');
    const noEx = await failure(loadIntentData(await dataDir({ 'intents/y.json': intent('greeting', []) })));
    expect(noEx.message).toContain('y.json');
    expect(noEx.field).toBe('examples');
    const badJson = await failure(loadIntentData(await dataDir({ 'intents/z.json': '{ nope' })));
    expect(badJson.message).toContain('z.json');
  });
});

describe('JSON Lines', () => {
  it('reports the line of a bad row', () => {
    const schema = z.object({ text: z.string().min(1) });
    expect(parseJsonl('{"text":"a"}\n\n{"text":"b"}\n', 'f.jsonl', schema)).toHaveLength(2);
    expect(() => parseJsonl('{"text":"a"}\n{"text":""}\n', 'f.jsonl', schema)).toThrow(
      /f\.jsonl line 2: text/,
    );
    expect(() => parseJsonl('{"text":"a"}\n{oops\n', 'f.jsonl', schema)).toThrow(/line 2 is not valid JSON/);
  });
});

describe('knowledge articles', () => {
  it('parses front matter, tags and questions', () => {
    const a = parseArticle(
      'vpn',
      'vpn.md',
      '---\ntitle: Fix the VPN\ntags: vpn, network\ncategory: network\nquestions: vpn drops | cannot connect\n---\nRestart the client.\n',
    );
    expect(a).toMatchObject({
      id: 'vpn',
      title: 'Fix the VPN',
      tags: ['vpn', 'network'],
      category: 'network',
      questions: ['vpn drops', 'cannot connect'],
    });
    expect(a.body).toBe('Restart the client.');
  });

  it('names the file when front matter or title is missing', async () => {
    expect(() => parseArticle('x', 'x.md', 'no front matter')).toThrow(/x\.md/);
    const d = await dataDir({ 'knowledge/t.md': '---\ntags: a\n---\nbody' });
    const e = await failure(loadKnowledgeArticles(d));
    expect(e.message).toContain('t.md');
    expect(e.field).toBe('title');
  });
});
