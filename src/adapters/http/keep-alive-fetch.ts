/**
 * A `fetch` for the platform clients over node:http/https with keep-alive connections. Node's own
 * fetch (undici, web streams) costs about three times the CPU per small JSON call, and the Slack Web
 * API client makes one or two such calls for every message the desk answers. Requests it does not
 * cover (streamed or multipart bodies) go to the global fetch.
 */
import http from 'node:http';
import https from 'node:https';

type Fetch = typeof globalThis.fetch;

const agents = {
  'http:': new http.Agent({ keepAlive: true }),
  'https:': new https.Agent({ keepAlive: true }),
};

function bodyOf(body: RequestInit['body']): string | Uint8Array | null | undefined {
  if (body === undefined || body === null) return null;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  if (body instanceof URLSearchParams) return body.toString();
  return undefined; // not ours to send
}

function headersOf(h: RequestInit['headers'], body: string | Uint8Array | null): Record<string, string> {
  const out: Record<string, string> = {};
  new Headers(h).forEach((v, k) => {
    out[k] = v;
  });
  if (typeof body === 'string' && out['content-type'] === undefined)
    out['content-type'] = 'text/plain;charset=UTF-8';
  return out;
}

export function createNodeFetch(fallback: Fetch = globalThis.fetch): Fetch {
  return (async (input: string | URL | Request, init: RequestInit = {}) => {
    const body = bodyOf(init.body);
    const url = typeof input === 'string' ? new URL(input) : input instanceof URL ? input : null;
    if (url === null || body === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:'))
      return fallback(input, init);
    const signal = init.signal ?? null;
    signal?.throwIfAborted();
    return new Promise<Response>((resolve, reject) => {
      const req = (url.protocol === 'https:' ? https : http).request(
        url,
        {
          method: init.method ?? 'GET',
          headers: headersOf(init.headers, body),
          agent: agents[url.protocol as 'http:' | 'https:'],
        },
        (res) => {
          const status = res.statusCode ?? 0;
          if (status >= 300 && status < 400 && init.redirect === 'error') {
            res.resume();
            reject(new TypeError(`fetch failed: redirect to ${res.headers.location ?? '?'} refused`));
            return;
          }
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const headers = new Headers();
            for (const [k, v] of Object.entries(res.headers)) {
              if (Array.isArray(v)) for (const x of v) headers.append(k, x);
              else if (v !== undefined) headers.set(k, v);
            }
            // Responses without a body (204, 304) must not be given one.
            const payload = status === 204 || status === 304 ? null : Buffer.concat(chunks);
            resolve(new Response(payload, { status, statusText: res.statusMessage ?? '', headers }));
          });
        },
      );
      req.on('error', (e) => reject(new TypeError('fetch failed', { cause: e })));
      if (signal) {
        const abort = () =>
          req.destroy(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
        signal.addEventListener('abort', abort, { once: true });
        req.on('close', () => signal.removeEventListener('abort', abort));
      }
      req.end(body ?? undefined);
    });
  }) as Fetch;
}
