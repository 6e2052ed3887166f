#!/usr/bin/env node
// One command of the simulated Mac's own shell: `sim-host <command> [args...]` prints what the
// command prints on macOS and exits with its code (sim/host/host-shell.ts).
import { loadEntry } from './sim-bundle.mjs';

process.stdout.on('error', () => {});
process.stderr.on('error', () => {});
const { main } = await loadEntry('host');
const { stdout, stderr, code } = main(process.argv.slice(2));
process.stdout.write(stdout);
process.stderr.write(stderr);
process.exitCode = code;
