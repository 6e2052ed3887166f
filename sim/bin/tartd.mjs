#!/usr/bin/env node
// The sim daemon's executable: `tartd.mjs start <port-file>` makes sure a daemon serves the port
// file and returns once it answers; `tartd.mjs serve <port-file>` is the daemon (sim/tart/daemon.ts).
import { bundleTime, loadEntry, newestSource } from './sim-bundle.mjs';

const [mode, portFile] = process.argv.slice(2);
if ((mode !== 'start' && mode !== 'serve') || !portFile) {
  process.stderr.write('usage: tartd.mjs start|serve <port-file>\n');
  process.exit(64);
}
const daemon = await loadEntry('tartd');
if (mode === 'start') {
  process.exitCode = await daemon.startDaemon(portFile);
} else {
  // A bug in one simulated guest must not pass silently: say what, then end like a crashed host.
  process.on('uncaughtException', (error) => {
    process.stderr.write(`tart (sim daemon) ${new Date().toISOString()}: ${error.stack ?? String(error)}\n`);
    process.exit(70);
  });
  const loadedAt = bundleTime();
  // A daemon that outlives an edit of sim/ retires, so that no call runs yesterday's code.
  process.exitCode = await daemon.serveDaemon(portFile, { isStale: () => newestSource() > loadedAt });
  // Powered-off guests may leave timers behind; the daemon's work is done.
  process.exit();
}
