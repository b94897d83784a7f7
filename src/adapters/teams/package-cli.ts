/**
 * `npm run package:teams [-- --out file.zip] [--domain host] [--icons]`: writes the Teams app
 * package from manifest/teams/. The bot id comes from MICROSOFT_APP_ID (environment).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { buildManifest, chatdeskIcons, pngInfo, usesPlaceholderId, zipFiles } from './package.js';

const MANIFEST_DIR = resolve(import.meta.dirname, '../../../manifest/teams');

function arg(name: string): string | null {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? null) : null;
}

async function main(): Promise<number> {
  if (process.argv.includes('--icons')) {
    const icons = chatdeskIcons();
    await writeFile(join(MANIFEST_DIR, 'color.png'), icons.color);
    await writeFile(join(MANIFEST_DIR, 'outline.png'), icons.outline);
    process.stdout.write(`wrote ${join(MANIFEST_DIR, 'color.png')} and outline.png\n`);
    return 0;
  }
  const template = JSON.parse(await readFile(join(MANIFEST_DIR, 'manifest.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  const manifest = buildManifest(template, {
    appId: process.env.MICROSOFT_APP_ID || null,
    domain: arg('--domain'),
  });
  if (usesPlaceholderId(manifest))
    process.stderr.write(
      'warning: MICROSOFT_APP_ID is not set; the package carries the placeholder bot id and Teams will not reach your bot.\n',
    );
  try {
    // Schema check when the dev dependency is present (it is not in production installs).
    const { AppManifestUtils } = await import('@microsoft/app-manifest');
    const errors = await AppManifestUtils.validateAgainstSchema(manifest as never);
    if (errors.length > 0) {
      process.stderr.write(`manifest does not match its schema:\n  ${errors.join('\n  ')}\n`);
      return 1;
    }
  } catch (err) {
    process.stderr.write(
      `warning: manifest schema not checked (${err instanceof Error ? err.message : String(err)})\n`,
    );
  }
  const color = await readFile(join(MANIFEST_DIR, 'color.png'));
  const outline = await readFile(join(MANIFEST_DIR, 'outline.png'));
  const c = pngInfo(color);
  const o = pngInfo(outline);
  if (c?.width !== 192 || c.height !== 192 || o?.width !== 32 || o.height !== 32) {
    process.stderr.write(
      'icons must be color.png 192×192 and outline.png 32×32 (run with --icons to regenerate)\n',
    );
    return 1;
  }
  const out = resolve(arg('--out') ?? 'dist/chatdesk-teams.zip');
  await mkdir(dirname(out), { recursive: true });
  await writeFile(
    out,
    zipFiles([
      { name: 'manifest.json', data: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`) },
      { name: 'color.png', data: color },
      { name: 'outline.png', data: outline },
    ]),
  );
  process.stdout.write(`wrote ${out}\n`);
  return 0;
}

process.exitCode = await main();
