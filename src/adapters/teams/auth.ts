/**
 * Bot Framework authentication: which tokens we accept on `/api/messages` and how the bot gets its
 * own tokens for the Bot Connector. Microsoft's public cloud unless all four TEAMS_* endpoint
 * variables are set (sovereign clouds, or the local token issuer of the test suite).
 */
import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type ConfigurationBotFrameworkAuthenticationOptions,
  ConfigurationServiceClientCredentialFactory,
} from 'botbuilder';
import type { ConnectorClient } from 'botframework-connector';
import type { Config } from '../../config.js';
import { AppError } from '../../errors.js';

const PUBLIC_CLOUD = {
  oauthScope: 'https://api.botframework.com',
  tokenIssuer: 'https://api.botframework.com',
  openIdMetadataUrl: 'https://login.botframework.com/v1/.well-known/openidconfiguration',
  loginUrl: 'https://login.microsoftonline.com/botframework.com',
} as const;

/**
 * CloudAdapter.process authenticates and answers in one go; we authenticate first ourselves so the
 * service-URL allow-list sits between authentication and the turn, then run the turn through here.
 */
export class ChatdeskCloudAdapter extends CloudAdapter {
  runTurn(...args: Parameters<CloudAdapter['processActivityDirect']>) {
    const [auth, activity, logic] = args;
    return typeof auth === 'string'
      ? this.processActivity(auth, activity, logic)
      : this.processActivity(auth, activity, logic);
  }

  /**
   * A Bot Connector client for proactive calls to one service URL, as continueConversationAsync
   * builds for each call; built once per URL by the port, since building one (credentials, HTTP
   * pipeline) costs more CPU than the call it makes.
   */
  connectorClient(appId: string, serviceUrl: string): Promise<ConnectorClient> {
    return this.botFrameworkAuthentication
      .createConnectorFactory(this.createClaimsIdentity(appId))
      .create(serviceUrl, undefined);
  }
}

interface BotAuth {
  adapter: ChatdeskCloudAdapter;
  auth: ConfigurationBotFrameworkAuthentication;
  /** True when no app id is configured: tokens are neither required nor sent. */
  anonymous: boolean;
  appId: string;
  oauthScope: string;
}

type TeamsAuthConfig = Pick<
  Config,
  | 'NODE_ENV'
  | 'TEAMS_EMULATOR'
  | 'MICROSOFT_APP_ID'
  | 'MICROSOFT_APP_PASSWORD'
  | 'MICROSOFT_APP_TENANT_ID'
  | 'MICROSOFT_APP_TYPE'
  | 'TEAMS_OPENID_METADATA_URL'
  | 'TEAMS_TOKEN_ISSUER'
  | 'TEAMS_OAUTH_SCOPE'
  | 'TEAMS_LOGIN_URL'
>;

const ENDPOINT_KEYS = [
  'TEAMS_OPENID_METADATA_URL',
  'TEAMS_TOKEN_ISSUER',
  'TEAMS_OAUTH_SCOPE',
  'TEAMS_LOGIN_URL',
] as const;

export function createBotAuth(config: TeamsAuthConfig): BotAuth {
  const appId = config.MICROSOFT_APP_ID ?? '';
  const anonymous = appId === '';
  if (anonymous && (config.NODE_ENV === 'production' || !config.TEAMS_EMULATOR)) {
    // loadConfig and app.ts refuse this already; repeated here because the adapter must never run open by accident.
    throw new AppError(
      'config_invalid',
      'MICROSOFT_APP_ID is required: Teams without Bot Framework tokens needs TEAMS_EMULATOR=true and is for development only.',
      {
        field: 'MICROSOFT_APP_ID',
      },
    );
  }
  if (!anonymous && config.MICROSOFT_APP_TYPE !== 'UserAssignedMSI' && !config.MICROSOFT_APP_PASSWORD) {
    throw new AppError(
      'config_invalid',
      'MICROSOFT_APP_PASSWORD is required with MICROSOFT_APP_ID (the bot needs it to post to Teams).',
      {
        field: 'MICROSOFT_APP_PASSWORD',
      },
    );
  }
  if (config.MICROSOFT_APP_TYPE === 'SingleTenant' && !config.MICROSOFT_APP_TENANT_ID) {
    throw new AppError(
      'config_invalid',
      'MICROSOFT_APP_TENANT_ID is required when MICROSOFT_APP_TYPE is SingleTenant.',
      { field: 'MICROSOFT_APP_TENANT_ID' },
    );
  }
  const set = ENDPOINT_KEYS.filter((k) => config[k] !== undefined);
  if (set.length > 0 && set.length < ENDPOINT_KEYS.length) {
    const missing = ENDPOINT_KEYS.filter((k) => config[k] === undefined);
    throw new AppError(
      'config_invalid',
      `Set ${ENDPOINT_KEYS.join(', ')} together (missing: ${missing.join(', ')}); a partial set would mix clouds.`,
      { field: missing[0] ?? '' },
    );
  }
  const custom = set.length === ENDPOINT_KEYS.length;
  const options: ConfigurationBotFrameworkAuthenticationOptions = {
    MicrosoftAppId: appId || undefined,
    MicrosoftAppTenantId: config.MICROSOFT_APP_TENANT_ID,
    ...(custom
      ? {
          ToBotFromChannelOpenIdMetadataUrl: config.TEAMS_OPENID_METADATA_URL,
          // Emulator tokens are recognised by Microsoft's issuers only; point it at the same keys anyway.
          ToBotFromEmulatorOpenIdMetadataUrl: config.TEAMS_OPENID_METADATA_URL,
          ToBotFromChannelTokenIssuer: config.TEAMS_TOKEN_ISSUER,
          ToChannelFromBotOAuthScope: config.TEAMS_OAUTH_SCOPE,
          ToChannelFromBotLoginUrl: config.TEAMS_LOGIN_URL,
          OAuthUrl: PUBLIC_CLOUD.oauthScope,
          ValidateAuthority: true,
        }
      : {}),
  };
  const credentials = new ChatdeskCredentialFactory({
    MicrosoftAppId: appId || undefined,
    MicrosoftAppPassword: config.MICROSOFT_APP_PASSWORD,
    MicrosoftAppType: config.MICROSOFT_APP_TYPE,
    MicrosoftAppTenantId: config.MICROSOFT_APP_TENANT_ID,
  });
  const auth = new ConfigurationBotFrameworkAuthentication(options, credentials);
  return {
    adapter: new ChatdeskCloudAdapter(auth),
    auth,
    anonymous,
    appId,
    oauthScope: custom ? (config.TEAMS_OAUTH_SCOPE ?? PUBLIC_CLOUD.oauthScope) : PUBLIC_CLOUD.oauthScope,
  };
}

type Credentials = Awaited<ReturnType<ConfigurationServiceClientCredentialFactory['createCredentials']>>;
type WebResource = Parameters<Credentials['signRequest']>[0];

/**
 * MSAL (behind the SDK's credentials) only accepts https authorities. A login URL on plain-http
 * loopback exists only for a local token issuer (tests, offline development), so for exactly that
 * case we run the OAuth client-credentials grant ourselves; everything else goes through the SDK.
 */
class ChatdeskCredentialFactory extends ConfigurationServiceClientCredentialFactory {
  readonly #password: string;
  constructor(
    opts: ConstructorParameters<typeof ConfigurationServiceClientCredentialFactory>[0] & {
      MicrosoftAppPassword?: string;
    },
  ) {
    super(opts);
    this.#password = opts?.MicrosoftAppPassword ?? '';
  }

  override async createCredentials(
    appId: string,
    audience: string,
    loginEndpoint: string,
    validateAuthority: boolean,
  ): Promise<Credentials> {
    if (appId && isLoopbackHttp(loginEndpoint) && !(await this.isAuthenticationDisabled())) {
      return new ClientCredentialsGrant(appId, this.#password, loginEndpoint, audience);
    }
    return super.createCredentials(appId, audience, loginEndpoint, validateAuthority);
  }
}

function isLoopbackHttp(url: string): boolean {
  try {
    const u = new URL(url);
    return (
      u.protocol === 'http:' &&
      (u.hostname === '127.0.0.1' || u.hostname === 'localhost' || u.hostname === '[::1]')
    );
  } catch {
    return false;
  }
}

/** Connector clients (and so credentials) are created per call; tokens must outlive them, as in the SDK. */
const grantTokens = new Map<string, { value: string; expiresAt: number }>();

class ClientCredentialsGrant implements Credentials {
  constructor(
    private readonly appId: string,
    private readonly password: string,
    private readonly loginUrl: string,
    private readonly audience: string,
  ) {}

  async signRequest(webResource: WebResource): Promise<WebResource> {
    webResource.headers.set('Authorization', `Bearer ${await this.token()}`);
    return webResource;
  }

  private async token(): Promise<string> {
    const key = `${this.loginUrl}|${this.appId}|${this.audience}`;
    const cached = grantTokens.get(key);
    if (cached && cached.expiresAt > Date.now() + 60_000) return cached.value;
    const res = await fetch(`${this.loginUrl.replace(/\/$/, '')}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: this.appId,
        client_secret: this.password,
        scope: `${this.audience.replace(/\/$/, '')}/.default`,
      }),
    });
    if (!res.ok) throw new Error(`token endpoint answered ${res.status}`);
    const body = (await res.json()) as { access_token?: unknown; expires_in?: unknown };
    if (typeof body.access_token !== 'string') throw new Error('token endpoint returned no access_token');
    const ttl = typeof body.expires_in === 'number' ? body.expires_in : 3600;
    grantTokens.set(key, { value: body.access_token, expiresAt: Date.now() + ttl * 1000 });
    return body.access_token;
  }
}
