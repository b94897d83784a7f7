/**
 * The operator's view of a port that cannot be listened on: one line naming PORT or HOST and what
 * to do, instead of a raw EADDRINUSE stack. Kept apart from the app so `chatdesk serve` can probe
 * the port before it spends seconds loading models.
 */
import { createServer } from 'node:net';
import type { Config } from './config.js';
import { AppError } from './errors.js';

/** Fails at once, with listenError's line, when HOST:PORT cannot be listened on right now. */
export async function probePort(config: Config): Promise<void> {
  if (config.PORT === 0) return;
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (e) => reject(listenError(e, config)));
    probe.listen(config.PORT, config.HOST, () => probe.close(() => resolve()));
  });
}

export function listenError(e: unknown, config: Config): unknown {
  const code = (e as { code?: unknown } | null)?.code;
  const where = `${config.HOST}:${config.PORT}`;
  if (code === 'EADDRINUSE')
    return new AppError(
      'config_invalid',
      `port ${config.PORT} on ${config.HOST} is already in use (EADDRINUSE), perhaps by another chatdesk. Stop that process or set PORT to a free port, e.g. PORT=${config.PORT === 65535 ? 3979 : config.PORT + 1} npm start.`,
      { field: 'PORT', cause: e },
    );
  if (code === 'EACCES')
    return new AppError(
      'config_invalid',
      `not allowed to listen on ${where} (EACCES): ports below 1024 need privileges. Set PORT to 1024 or above and put a reverse proxy in front.`,
      { field: 'PORT', cause: e },
    );
  if (code === 'EADDRNOTAVAIL')
    return new AppError(
      'config_invalid',
      `cannot listen on ${where} (EADDRNOTAVAIL): HOST is not an address of this machine. Use 127.0.0.1, 0.0.0.0 or one of its addresses.`,
      { field: 'HOST', cause: e },
    );
  return e;
}
