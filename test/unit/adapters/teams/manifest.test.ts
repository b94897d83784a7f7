import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { inflateRawSync, inflateSync } from 'node:zlib';
import { AppManifestUtils } from '@microsoft/app-manifest';
import { describe, expect, it } from 'vitest';
import {
  buildManifest,
  chatdeskIcons,
  crc32,
  pngInfo,
  zipFiles,
} from '../../../../src/adapters/teams/package.js';
import { CREATE_TICKET_COMMAND } from '../../../../src/adapters/teams/turn.js';

const dir = join(import.meta.dirname, '../../../../manifest/teams');
const template = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
// The schema shipped inside the package: no network (the other validator downloads it).
const pkgDir = dirname(createRequire(import.meta.url).resolve('@microsoft/app-manifest/package.json'));
const schema = JSON.parse(
  readFileSync(join(pkgDir, 'build/json-schemas/teams/v1.17/MicrosoftTeams.schema.json'), 'utf8'),
);

describe('teams manifest', () => {
  it('validates against the v1.17 schema, as committed and with a real app id filled in', async () => {
    expect(template.manifestVersion).toBe('1.17');
    expect(await AppManifestUtils.validateAgainstSchema(template as never, schema)).toEqual([]);
    const built = buildManifest(template, {
      appId: '11111111-2222-3333-4444-555555555555',
      domain: 'desk.example.com',
    });
    expect(await AppManifestUtils.validateAgainstSchema(built as never, schema)).toEqual([]);
    expect(built).toMatchObject({
      id: '11111111-2222-3333-4444-555555555555',
      bots: [{ botId: '11111111-2222-3333-4444-555555555555' }],
      composeExtensions: [{ botId: '11111111-2222-3333-4444-555555555555' }],
    });
    expect(built.validDomains).toContain('desk.example.com');
  });

  it('reports schema violations (the check is real)', async () => {
    const broken = { ...template, bots: [{ botId: 'not-a-guid', scopes: ['everywhere'] }] };
    expect((await AppManifestUtils.validateAgainstSchema(broken as never, schema)).length).toBeGreaterThan(0);
    expect(() => buildManifest(template, { appId: 'nope' })).toThrow(/GUID/);
  });

  it('offers the bot in every scope and the Create ticket message action the adapter handles', () => {
    const bots = template.bots as Array<{
      scopes: string[];
      commandLists: Array<{ commands: Array<{ title: string }> }>;
    }>;
    expect(bots[0]?.scopes.sort()).toEqual(['groupChat', 'personal', 'team']);
    expect(bots[0]?.commandLists[0]?.commands.map((c) => c.title)).toContain('help');
    const ext = template.composeExtensions as Array<{ commands: Array<Record<string, unknown>> }>;
    expect(ext[0]?.commands[0]).toMatchObject({
      id: CREATE_TICKET_COMMAND,
      type: 'action',
      context: ['message'],
      fetchTask: true,
    });
  });

  it('ships color.png 192×192 and a transparent outline.png 32×32, as generated', () => {
    const color = readFileSync(join(dir, 'color.png'));
    const outline = readFileSync(join(dir, 'outline.png'));
    expect(pngInfo(color)).toMatchObject({ width: 192, height: 192 });
    expect(pngInfo(outline)).toMatchObject({ width: 32, height: 32, colorType: 6 });
    const icons = chatdeskIcons();
    expect(color.equals(icons.color)).toBe(true);
    expect(outline.equals(icons.outline)).toBe(true);
    // IDAT starts at byte 33 + 8; first pixel of the first row is a corner: fully transparent.
    const idatLen = outline.readUInt32BE(33);
    const raw = inflateSync(outline.subarray(41, 41 + idatLen));
    expect(raw[4]).toBe(0);
    expect([...raw].some((b, i) => i % 4 === 0 && b === 255)).toBe(true);
  });

  it('zips files readable by a standard reader', () => {
    const files = [
      { name: 'manifest.json', data: Buffer.from('{"a":1}') },
      { name: 'color.png', data: chatdeskIcons().color },
    ];
    const zip = zipFiles(files);
    const eocd = zip.length - 22;
    expect(zip.readUInt32LE(eocd)).toBe(0x06054b50);
    expect(zip.readUInt16LE(eocd + 10)).toBe(2);
    let off = zip.readUInt32LE(eocd + 16);
    for (const f of files) {
      expect(zip.readUInt32LE(off)).toBe(0x02014b50);
      const size = zip.readUInt32LE(off + 20);
      const nameLen = zip.readUInt16LE(off + 28);
      const local = zip.readUInt32LE(off + 42);
      expect(zip.toString('utf8', off + 46, off + 46 + nameLen)).toBe(f.name);
      const dataStart = local + 30 + zip.readUInt16LE(local + 26);
      const data = inflateRawSync(zip.subarray(dataStart, dataStart + size));
      expect(data.equals(f.data)).toBe(true);
      expect(crc32(data)).toBe(zip.readUInt32LE(off + 16));
      off += 46 + nameLen;
    }
  });
});
