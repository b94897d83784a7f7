/** The chat ports registered by the adapters, by platform: where replies and notices can go. */
import type { ChatPort, Platform } from './message.js';

export interface PortRegistry {
  register(port: ChatPort): void;
  get(platform: Platform): ChatPort | undefined;
  has(platform: Platform): boolean;
  platforms(): Platform[];
}

export function createPortRegistry(): PortRegistry {
  const ports = new Map<Platform, ChatPort>();
  return {
    register: (port) => void ports.set(port.platform, port),
    get: (platform) => ports.get(platform),
    has: (platform) => ports.has(platform),
    platforms: () => [...ports.keys()],
  };
}
