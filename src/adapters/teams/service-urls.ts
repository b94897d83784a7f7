/**
 * Which Bot Connector endpoints the bot may talk to. An activity's `serviceUrl` decides where our
 * replies (carrying the bot's access token) go, so a forged or misrouted URL must never receive one.
 */

/** Hosts Microsoft runs the Bot Connector on (public cloud, GCC, GCC High, DoD, China). */
const MICROSOFT_HOST_SUFFIXES = [
  'smba.trafficmanager.net',
  '.botframework.com',
  '.botframework.azure.us',
  'smba.infra.gcc.teams.microsoft.com',
  'smba.infra.gov.teams.microsoft.us',
  'smba.infra.dod.teams.microsoft.us',
  '.teams.microsoftonline.cn',
];

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export interface ServiceUrlPolicy {
  /** Extra prefixes from `TEAMS_ALLOWED_SERVICE_URLS` (an operator's own proxy, a test connector). */
  extraPrefixes: readonly string[];
  /** Anonymous development mode: the Bot Framework Emulator and local fakes live on loopback. */
  allowLoopback: boolean;
  /** Emulator mode (no tokens): loopback connectors only, so a forged activity cannot aim the bot elsewhere. */
  loopbackOnly?: boolean;
}

export function isAllowedServiceUrl(serviceUrl: string, policy: ServiceUrlPolicy): boolean {
  let url: URL;
  try {
    url = new URL(serviceUrl);
  } catch {
    return false;
  }
  if (url.username !== '' || url.password !== '') return false;
  const host = url.hostname.toLowerCase();
  if (policy.loopbackOnly)
    return LOOPBACK_HOSTS.has(host) && (url.protocol === 'http:' || url.protocol === 'https:');
  if (url.protocol === 'https:' && (url.port === '' || url.port === '443')) {
    for (const suffix of MICROSOFT_HOST_SUFFIXES) {
      if (suffix.startsWith('.') ? host.endsWith(suffix) : host === suffix) return true;
    }
  }
  if (
    policy.allowLoopback &&
    LOOPBACK_HOSTS.has(host) &&
    (url.protocol === 'http:' || url.protocol === 'https:')
  )
    return true;
  return policy.extraPrefixes.some((prefix) => matchesPrefix(url, prefix));
}

/** Origin must be identical and the path must continue at a segment boundary: no `example.com.evil` tricks. */
function matchesPrefix(url: URL, prefix: string): boolean {
  let allowed: URL;
  try {
    allowed = new URL(prefix);
  } catch {
    return false;
  }
  if (allowed.origin.toLowerCase() !== url.origin.toLowerCase()) return false;
  const base = allowed.pathname.endsWith('/') ? allowed.pathname : `${allowed.pathname}/`;
  const path = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
  return path.startsWith(base);
}
