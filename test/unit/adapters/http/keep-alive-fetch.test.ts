/**
 * The node:http fetch the platform clients use: it must behave as fetch does for what they send
 * (status, headers, JSON and binary bodies, form bodies, redirects refused, abort and timeout) and
 * hand everything else to the global fetch.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeFetch } from '../../../../src/adapters/http/keep-alive-fetch.js';

describe('createNodeFetch', () => {
  let server: http.Server;
  let base = '';
  const seen: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: string }> = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => {
        body += String(d);
      });
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        if (req.url === '/redirect') {
          res.writeHead(302, { location: 'http://example.invalid/' }).end();
        } else if (req.url === '/slow') {
          setTimeout(() => res.end('late'), 2_000);
        } else if (req.url === '/empty') {
          res.writeHead(204).end();
        } else if (req.url === '/limited') {
          res.writeHead(429, { 'retry-after': '7', 'set-cookie': ['a=1', 'b=2'] }).end('slow down');
        } else {
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ ok: true, echo: body }));
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const f = createNodeFetch(() => {
    throw new Error('fallback used');
  });

  it('posts a form body with its headers and reads a JSON answer', async () => {
    const res = await f(`${base}/api/chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Bearer xoxb-1' },
      body: new URLSearchParams({ channel: 'D1', text: 'héllo & bye' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ ok: true, echo: 'channel=D1&text=h%C3%A9llo+%26+bye' });
    const req = seen.at(-1);
    expect(req).toMatchObject({ method: 'POST', url: '/api/chat.postMessage' });
    expect(req?.headers.authorization).toBe('Bearer xoxb-1');
    expect(req?.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });

  it('keeps status, repeated headers and text of an error answer, and returns no body for 204', async () => {
    const limited = await f(`${base}/limited`, { method: 'POST', body: 'x' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.headers.get('set-cookie')).toBe('a=1, b=2');
    expect(await limited.text()).toBe('slow down');
    const empty = await f(`${base}/empty`, { method: 'POST', body: Buffer.from('x') });
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
  });

  it('refuses a redirect when told to, as fetch does', async () => {
    await expect(f(`${base}/redirect`, { method: 'POST', body: '', redirect: 'error' })).rejects.toThrow(
      /redirect/,
    );
  });

  it('gives up when the signal aborts (a client timeout) and when nothing listens', async () => {
    await expect(
      f(`${base}/slow`, { method: 'POST', body: '', signal: AbortSignal.timeout(100) }),
    ).rejects.toThrow();
    await expect(f('http://127.0.0.1:1/nothing', { method: 'POST', body: '' })).rejects.toThrow(
      /fetch failed/,
    );
  });

  it('hands bodies it does not send itself (multipart) to the global fetch', async () => {
    const calls: unknown[] = [];
    const withFallback = createNodeFetch((async (...args: unknown[]) => {
      calls.push(args);
      return new Response('from fallback');
    }) as typeof fetch);
    const form = new FormData();
    form.set('file', new Blob(['data']), 'log.txt');
    const res = await withFallback(`${base}/upload`, { method: 'POST', body: form });
    expect(await res.text()).toBe('from fallback');
    expect(calls).toHaveLength(1);
  });
});
