#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, resolved from this package, so `npx sysext-lab` works from any cwd.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../harness/cli.ts');
process.exitCode = await main(process.argv.slice(2));
