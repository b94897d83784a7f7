/**
 * Who is writing. Known identities answer from the database; others are looked up on the platform
 * (email, name) and linked to the person with that email. When the platform cannot answer (its API is
 * down) a turn goes on with a provisional person known by platform user id, completed from the profile
 * later (on their next turn, or by complete()): a look-up failure never fails a turn.
 */
import { isValidTimeZone } from '../itsm/calendar.js';
import type { DirectoryStore } from '../itsm/ports.js';
import type { Person } from '../itsm/types.js';
import type { Logger } from '../log.js';
import type { ChatPort, ConversationRef, Platform, PlatformUser } from './message.js';
import type { ChatStore, IdentityDetails, KnownPerson } from './store.js';

type Profile =
  | { kind: 'found'; email: string; displayName: string | null; details: IdentityDetails }
  | { kind: 'unknown' }
  | { kind: 'unavailable'; error: unknown };

export interface IdentityResolver {
  /**
   * The person behind a platform user, provisional when the platform cannot say; null when nobody.
   * `known`: what the store already answered for the user (personFor), read by the caller.
   */
  resolve(user: PlatformUser, where: ConversationRef, known?: KnownPerson | null): Promise<Person | null>;
  /** Reads the profiles of identities taken on trust during an outage; returns how many were completed. */
  complete(): Promise<number>;
}

export function createIdentityResolver(d: {
  store: ChatStore;
  directory: DirectoryStore;
  port: (platform: Platform) => ChatPort | undefined;
  log: Logger;
  now: () => string;
}): IdentityResolver {
  /** The one place the platform is asked who someone is. */
  async function lookUp(user: PlatformUser, where: ConversationRef | null): Promise<Profile> {
    // The platform's time zone, tenant and directory object id travel with the identity (a new person
    // gets their own zone instead of UTC; Teams proactive messages need tenant and object id).
    const details: IdentityDetails = {
      timeZone: user.timeZone ?? null,
      tenantId: user.platform === 'teams' ? (where?.workspaceId ?? null) : null,
      aadObjectId: user.aadObjectId ?? null,
    };
    if (user.email)
      return { kind: 'found', email: user.email, displayName: user.displayName ?? null, details };
    const port = d.port(user.platform);
    if (!port || !where) return { kind: 'unknown' };
    try {
      const profile = await port.lookupUser(user.platformUserId, where);
      if (!profile?.email) return { kind: 'unknown' };
      const timeZone = profile.timeZone ?? details.timeZone;
      return {
        kind: 'found',
        email: profile.email,
        displayName: user.displayName ?? profile.displayName,
        details: {
          timeZone: timeZone && isValidTimeZone(timeZone) ? timeZone : null,
          tenantId: profile.tenantId ?? details.tenantId,
          aadObjectId: profile.aadObjectId ?? details.aadObjectId,
        },
      };
    } catch (error) {
      return { kind: 'unavailable', error };
    }
  }

  const link = (
    user: PlatformUser,
    p: { email: string; displayName: string | null; details: IdentityDetails },
  ) =>
    d.store.linkIdentity(
      user,
      p.email,
      p.displayName ?? p.email.split('@')[0] ?? p.email,
      d.now(),
      p.details,
    );

  return {
    async resolve(user, where, read) {
      const known = read === undefined ? await d.store.personFor(user) : read;
      if (known && !known.identityPending) return known;
      if (user.platform === 'local' || user.platform === 'web') {
        // Local chat identifies people by email; only people in the directory may use it.
        return d.directory.personByEmail(user.platformUserId);
      }
      const profile = await lookUp(user, where);
      if (profile.kind === 'found') return link(user, profile);
      if (profile.kind === 'unknown') return known;
      d.log.warn('identity look-up failed; going on with a provisional person', {
        platform: user.platform,
        user: user.platformUserId,
        error: profile.error,
      });
      if (known) return known;
      const name = user.displayName ?? `${user.platform} user ${user.platformUserId}`;
      return d.store.provisionalPerson(user, name, d.now());
    },

    async complete() {
      let completed = 0;
      for (const { user, where } of await d.store.pendingIdentities(50)) {
        const profile = await lookUp(user, where);
        if (profile.kind !== 'found') continue;
        try {
          await link(user, profile);
          completed++;
        } catch (e) {
          d.log.warn('could not complete an identity', {
            platform: user.platform,
            user: user.platformUserId,
            error: e,
          });
        }
      }
      if (completed > 0) d.log.info('completed identities taken on trust during an outage', { completed });
      return completed;
    },
  };
}
