/**
 * The Teams app package: manifest with the operator's ids filled in, the two icons, zipped.
 * Dependency-free on purpose (node:zlib only), so packaging works on an offline build machine.
 */
import { deflateRawSync, deflateSync } from 'node:zlib';
import { AppError } from '../../errors.js';

const PLACEHOLDER_ID = '00000000-0000-0000-0000-000000000000';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Json = Record<string, unknown>;

/** Fills the bot id (= Microsoft app id) into the template; the app id doubles as the Teams app id. */
export function buildManifest(
  template: Json,
  opts: { appId?: string | null; domain?: string | null; version?: string | null },
): Json {
  const m = structuredClone(template);
  const appId = opts.appId ?? null;
  if (appId !== null) {
    if (!GUID.test(appId))
      throw new AppError(
        'config_invalid',
        `MICROSOFT_APP_ID must be the bot's app id (a GUID) to build the Teams package, got "${appId}".`,
        { field: 'MICROSOFT_APP_ID' },
      );
    m.id = appId;
    for (const key of ['bots', 'composeExtensions'] as const) {
      const list = m[key];
      if (Array.isArray(list)) for (const entry of list as Json[]) entry.botId = appId;
    }
  }
  if (opts.domain) {
    const domains = Array.isArray(m.validDomains) ? (m.validDomains as string[]) : [];
    if (!domains.includes(opts.domain)) m.validDomains = [...domains, opts.domain];
  }
  if (opts.version) m.version = opts.version;
  return m;
}

export function usesPlaceholderId(manifest: Json): boolean {
  return manifest.id === PLACEHOLDER_ID;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of buf) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A minimal ZIP (deflate, no directories): what Teams' app upload accepts. */
export function zipFiles(
  files: Array<{ name: string; data: Buffer }>,
  mtime = new Date(Date.UTC(2025, 0, 1)),
): Buffer {
  const dosTime =
    ((mtime.getUTCHours() << 11) | (mtime.getUTCMinutes() << 5) | Math.floor(mtime.getUTCSeconds() / 2)) &
    0xffff;
  const dosDate =
    (((mtime.getUTCFullYear() - 1980) << 9) | ((mtime.getUTCMonth() + 1) << 5) | mtime.getUTCDate()) & 0xffff;
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const f of files) {
    const name = Buffer.from(f.name, 'utf8');
    const compressed = deflateRawSync(f.data);
    const crc = crc32(f.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8);
    local.writeUInt16LE(dosTime, 10);
    local.writeUInt16LE(dosDate, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(f.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(dosTime, 12);
    central.writeUInt16LE(dosDate, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(f.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, compressed);
    centrals.push(central, name);
    offset += local.length + name.length + compressed.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** Encodes an RGBA image as PNG. */
function encodePng(
  width: number,
  height: number,
  pixel: (x: number, y: number) => [number, number, number, number],
): Buffer {
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const [r, g, b, a] = pixel(x, y);
      const o = y * (width * 4 + 1) + 1 + x * 4;
      raw[o] = r;
      raw[o + 1] = g;
      raw[o + 2] = b;
      raw[o + 3] = a;
    }
  }
  const chunk = (type: string, data: Buffer): Buffer => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export function pngInfo(buf: Buffer): { width: number; height: number; colorType: number } | null {
  if (buf.length < 33 || buf.readUInt32BE(0) !== 0x89504e47 || buf.toString('ascii', 12, 16) !== 'IHDR')
    return null;
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20), colorType: buf[25] ?? -1 };
}

/**
 * A ticket glyph: a rounded rectangle with a notch on each side and a dashed tear line. `color` is
 * white on the accent colour (192×192); `outline` is white on transparent (32×32), as Teams asks.
 */
export function chatdeskIcons(): { color: Buffer; outline: Buffer } {
  const ticket = (x: number, y: number, size: number): boolean => {
    const u = (x + 0.5) / size;
    const v = (y + 0.5) / size;
    const inRect = u > 0.16 && u < 0.84 && v > 0.3 && v < 0.7;
    const notch = Math.hypot(u - 0.16, v - 0.5) < 0.08 || Math.hypot(u - 0.84, v - 0.5) < 0.08;
    const tear = Math.abs(u - 0.62) < 0.02 && Math.floor(v * 20) % 2 === 0;
    return inRect && !notch && !tear;
  };
  const color = encodePng(192, 192, (x, y) =>
    ticket(x, y, 192) ? [255, 255, 255, 255] : [0x1f, 0x5a, 0xa6, 255],
  );
  const outline = encodePng(32, 32, (x, y) => (ticket(x, y, 32) ? [255, 255, 255, 255] : [0, 0, 0, 0]));
  return { color, outline };
}
