/**
 * A local stand-in for the Bot Framework token service: OpenID metadata, a JWKS and an OAuth token
 * endpoint on 127.0.0.1, signing RS256 tokens with a key generated per run (node:crypto only).
 */
import {
  createHash,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomUUID,
  sign,
  verify,
} from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeTokenIssuer {
  /** e.g. http://127.0.0.1:1234 */
  url: string;
  issuer: string;
  metadataUrl: string;
  /** Login URL the bot fetches its own tokens from (`…/oauth2/v2.0/token` is appended). */
  loginUrl: string;
  scope: string;
  /** Tokens the issuer handed to the bot through the client-credentials grant. */
  issuedToBot: string[];
  /** The server's configuration for this issuer: the app's credentials and the four TEAMS_* endpoints. */
  env(): Record<string, string>;
  /** An `Authorization` header value as the Bot Framework channel would send it. */
  channelAuthHeader(opts: {
    appId: string;
    serviceUrl: string;
    expiresInS?: number;
    issuer?: string;
    signWith?: 'issuer' | 'stranger';
    /** Leaves the `exp` claim out (a token that never expires, which the bot must refuse). */
    omitExp?: boolean;
  }): string;
  /** Checks a bearer token the bot sent to the connector. */
  verifyBotToken(authorization: string | null | undefined): boolean;
  close(): Promise<void>;
}

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

function signJwt(claims: Record<string, unknown>, key: KeyObject, kid: string): string {
  const head = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }));
  const body = b64url(JSON.stringify(claims));
  const sig = sign('RSA-SHA256', Buffer.from(`${head}.${body}`), key);
  return `${head}.${body}.${b64url(sig)}`;
}

export async function startFakeTokenIssuer(opts: {
  appId: string;
  appPassword: string;
}): Promise<FakeTokenIssuer> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const jwk = publicKey.export({ format: 'jwk' });
  const kid = createHash('sha256').update(String(jwk.n)).digest('hex').slice(0, 16);
  const issuedToBot: string[] = [];
  let base = '';

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      const json = (status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.method === 'GET' && path === '/v1/.well-known/openidconfiguration') {
        return json(200, {
          issuer: `${base}/issuer`,
          jwks_uri: `${base}/keys`,
          id_token_signing_alg_values_supported: ['RS256'],
          token_endpoint_auth_methods_supported: ['private_key_jwt'],
        });
      }
      if (req.method === 'GET' && path === '/keys') {
        return json(200, {
          keys: [
            {
              kty: 'RSA',
              use: 'sig',
              alg: 'RS256',
              kid,
              n: jwk.n,
              e: jwk.e,
              endorsements: ['msteams', 'emulator', 'webchat'],
            },
          ],
        });
      }
      if (req.method === 'POST' && path.endsWith('/oauth2/v2.0/token')) {
        const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
        if (
          form.get('grant_type') !== 'client_credentials' ||
          form.get('client_id') !== opts.appId ||
          form.get('client_secret') !== opts.appPassword
        ) {
          return json(401, { error: 'invalid_client' });
        }
        const scope = (form.get('scope') ?? '').replace(/\/\.default$/, '');
        const nowS = Math.floor(Date.now() / 1000);
        const token = signJwt(
          { iss: `${base}/issuer`, aud: scope, appid: opts.appId, iat: nowS, nbf: nowS, exp: nowS + 3600 },
          privateKey,
          kid,
        );
        issuedToBot.push(token);
        return json(200, { token_type: 'Bearer', expires_in: 3600, access_token: token });
      }
      json(404, { error: 'not found' });
    });
  });
  // Like Azure's front ends (and unlike Node's 5 s default): a slow turn must not meet a reset socket.
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = `${base}/issuer`;

  return {
    url: base,
    issuer,
    metadataUrl: `${base}/v1/.well-known/openidconfiguration`,
    loginUrl: `${base}/botframework.com`,
    scope: `${base}/connector`,
    issuedToBot,
    env: () => ({
      MICROSOFT_APP_ID: opts.appId,
      MICROSOFT_APP_PASSWORD: opts.appPassword,
      TEAMS_OPENID_METADATA_URL: `${base}/v1/.well-known/openidconfiguration`,
      TEAMS_TOKEN_ISSUER: issuer,
      TEAMS_OAUTH_SCOPE: `${base}/connector`,
      TEAMS_LOGIN_URL: `${base}/botframework.com`,
    }),
    channelAuthHeader({
      appId,
      serviceUrl,
      expiresInS = 600,
      issuer: iss = issuer,
      signWith = 'issuer',
      omitExp = false,
    }) {
      const nowS = Math.floor(Date.now() / 1000);
      const claims = {
        iss,
        aud: appId,
        serviceurl: serviceUrl,
        nbf: nowS - 5,
        iat: nowS - 5,
        ...(omitExp ? {} : { exp: nowS + expiresInS }),
        jti: randomUUID(),
      };
      return `Bearer ${signJwt(claims, signWith === 'issuer' ? privateKey : stranger, kid)}`;
    },
    verifyBotToken(authorization) {
      const m = /^Bearer (.+)\.(.+)\.(.+)$/.exec(authorization ?? '');
      if (!m?.[1] || !m[2] || !m[3]) return false;
      const ok = verify(
        'RSA-SHA256',
        Buffer.from(`${m[1]}.${m[2]}`),
        createPublicKey(publicKey.export({ format: 'pem', type: 'spki' })),
        Buffer.from(m[3], 'base64url'),
      );
      if (!ok) return false;
      const claims = JSON.parse(Buffer.from(m[2], 'base64url').toString('utf8')) as {
        iss?: unknown;
        exp?: unknown;
      };
      return claims.iss === issuer && typeof claims.exp === 'number' && claims.exp > Date.now() / 1000;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
