/**
 * Remembers Bot Framework tokens that passed verification, until they expire (at most five
 * minutes). The Bot Framework sends the same token with every activity for about an hour, and
 * verifying it (RS256 signature, key rebuilt from the JWKS, claims) costs more CPU than storing the
 * message it carries. The cache key holds the activity's service URL and channel as well as the
 * token, because verification checks both against the token's claims. Failures are never cached.
 */
interface TokenCacheOptions {
  maxEntries?: number;
  maxAgeMs?: number;
  now?: () => number;
}

interface Entry<T> {
  value: T;
  until: number;
}

/** The `exp` claim of a JWT in ms, read without verifying (only called on a token just verified). */
function expiryOf(authHeader: string): number | null {
  const payload = authHeader.replace(/^Bearer\s+/i, '').split('.')[1];
  if (!payload) return null;
  try {
    const exp = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp * 1000 : null;
  } catch {
    return null;
  }
}

export function cachedVerification<A extends { serviceUrl?: string; channelId?: string }, T>(
  verify: (activity: A, authHeader: string) => Promise<T>,
  opts: TokenCacheOptions = {},
): (activity: A, authHeader: string) => Promise<T> {
  const maxEntries = opts.maxEntries ?? 1000;
  const maxAgeMs = opts.maxAgeMs ?? 5 * 60_000;
  const now = opts.now ?? Date.now;
  const cache = new Map<string, Entry<T>>();
  return async (activity, authHeader) => {
    // No token (anonymous local testing) is not worth remembering.
    if (authHeader === '') return verify(activity, authHeader);
    const key = `${activity.serviceUrl ?? ''}\u0000${activity.channelId ?? ''}\u0000${authHeader}`;
    const t = now();
    const hit = cache.get(key);
    if (hit && hit.until > t) return hit.value;
    if (hit) cache.delete(key);
    const value = await verify(activity, authHeader);
    const exp = expiryOf(authHeader);
    if (exp !== null && exp > t) {
      if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
      cache.set(key, { value, until: Math.min(exp, t + maxAgeMs) });
    }
    return value;
  };
}
