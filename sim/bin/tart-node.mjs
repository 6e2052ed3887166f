#!/usr/bin/env node
// One tart invocation in a Node process of its own: what the thin `tart` client falls back to
// (`tart exec`, which streams bytes both ways, or SXL_SIM_TART_DAEMON=0), and what it amounts to.
import { loadEntry } from './sim-bundle.mjs';

// A reader that goes away (`tart list | head`) must not turn into a crash report.
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});
const { main } = await loadEntry('tart');
const code = await main(process.argv.slice(2));
// `tart run` leaves sockets and timers of the powered-off guest behind; tart exits right here.
process.exit(code);
