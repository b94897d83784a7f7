/**
 * `chatdesk classify` as an admin runs it: texts piped into the real binary, JSON lines out. Its
 * decisions must be the ones the server's NLU makes with the same configuration, so the test loads
 * that NLU in-process (same options helper, same models/ directory) and compares line by line.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoadedNlu, loadNlu, nluOptionsFor } from '../../src/nlu/index.js';

const BIN = join(import.meta.dirname, '../../bin/chatdesk.js');
const DATA = join(import.meta.dirname, '../../data');

function run(args: string[], env: Record<string, string>, input: string) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'classify', ...args], {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`chatdesk classify timed out\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, 90_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

describe('chatdesk classify', () => {
  const models = mkdtempSync(join(tmpdir(), 'chatdesk-classify-'));
  // Lexical features only: the same code path as the encoder, seconds to train in a test.
  const settings = { DATA_DIR: DATA, MODELS_DIR: models, NLU_EMBEDDINGS: 'none' as const };
  const env = { DATA_DIR: DATA, MODELS_DIR: models, NLU_EMBEDDINGS: 'none', LOG_LEVEL: 'warn' };
  let server: LoadedNlu;
  beforeAll(async () => {
    // What `chatdesk train` does; the server (and classify) then load this artefact.
    await loadNlu({ ...nluOptionsFor(settings), forceTrain: true, save: true });
    server = await loadNlu(nluOptionsFor(settings));
    expect(server.info.source).toBe('models');
  }, 120_000);
  afterAll(() => rmSync(models, { recursive: true, force: true }));

  it('prints, for plain lines and JSONL, the decision the server makes, with action and alternatives', async () => {
    const texts = [
      'my laptop screen is cracked',
      'how do I add a shared mailbox in outlook',
      'what is the status of INC0001234',
      'can I talk to a person please',
      'what is the capital of peru',
    ];
    const input = [
      texts[0],
      '',
      JSON.stringify({ id: 'q2', text: texts[1], label: 'how_to' }),
      ...texts.slice(2),
    ].join('\n');
    const r = await run(['--top', '2'], env, `${input}\n`);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(texts.length);
    for (const [i, line] of lines.entries()) {
      const p = await server.intents.classify(texts[i] as string);
      expect(line.text).toBe(texts[i]);
      expect(line.intent).toBe(p.intent);
      expect(line.action).toBe(p.action);
      expect(line.outOfScope).toBe(p.outOfScope);
      expect(line.confidence).toBeCloseTo(p.confidence, 4);
      expect(line.alternatives).toEqual(
        p.alternatives.slice(0, 2).map((a) => ({
          intent: a.intent,
          action: server.intents.actionOf?.(a.intent),
          confidence: Number(a.confidence.toFixed(4)),
        })),
      );
      expect(line.explanation).toBeUndefined();
    }
    // Fields of a JSONL input ride along, so a labelled set can be scored from the output alone.
    expect(lines[1]).toMatchObject({ id: 'q2', label: 'how_to' });
    // The action is the one its intent file names.
    expect(lines[0].action).toBe(server.intents.actionOf?.(lines[0].intent));
    expect(['incident', 'request', 'how_to', 'status', 'handoff', 'out_of_scope']).toContain(lines[0].action);
  }, 120_000);

  it('adds the explanation on request, reports a bad JSON line in place and exits 1', async () => {
    const r = await run(
      ['--explain'],
      env,
      'printer on floor 3 is jammed\n{"txt":"oops"}\n{not json\nthanks a lot\n',
    );
    expect(r.code).toBe(1);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(4);
    expect(lines[0].explanation.nearest.length).toBeGreaterThan(0);
    expect(lines[1]).toEqual({ line: 2, error: expect.stringMatching(/"text" string is required/) });
    expect(lines[2]).toEqual({ line: 3, error: expect.stringMatching(/not valid JSON/) });
    expect(lines[3].intent).toBe((await server.intents.classify('thanks a lot')).intent);
  }, 120_000);

  it('refuses a bad option and a data directory without intents with one line each', async () => {
    const bad = await run(['--top', '50'], env, 'hello\n');
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/--top is at most 10/);
    const missing = await run([], { ...env, DATA_DIR: join(models, 'no-such-data') }, 'hello\n');
    expect(missing.code).toBe(1);
    // An info line may say models/ does not match the data; the failure itself is one line, no stack.
    const last = missing.stderr.trim().split('\n').at(-1);
    expect(last).toMatch(/^chatdesk classify: No intent training examples/);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
    expect(missing.stdout).toBe('');
  }, 120_000);
});
