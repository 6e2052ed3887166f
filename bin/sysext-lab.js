#!/usr/bin/env node
// The installed package runs its compiled JavaScript (dist/, built by `npm run build` at pack time):
// no TypeScript loader at run time, and a fast start. A checkout (harness/ sources beside, no need
// to build after every edit) runs the TypeScript through tsx, a dev dependency; SXL_DIST=1 runs a
// checkout's dist/ instead (what the package test and the start-up bench measure).
import { existsSync } from 'node:fs';

const fromSource = process.env.SXL_DIST !== '1' && existsSync(new URL('../harness/cli.ts', import.meta.url));
let main;
if (fromSource) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../harness/cli.ts'));
} else {
  ({ main } = await import('../dist/cli.js'));
}
process.exitCode = await main(process.argv.slice(2));
