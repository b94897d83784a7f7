#!/usr/bin/env node
// Runs the TypeScript sources through tsx so a fresh clone needs no build step; `npm run build`
// produces dist/ for deployments that prefer plain JavaScript (`node dist/cli/main.js`).
process.env.DOTENV_CONFIG_QUIET ??= 'true';
const { register } = await import('tsx/esm/api');
register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
