// `sysext-lab sim ...`: starts a simulated service in the foreground. `sim orchard` is the
// simulated Orchard controller (sim/orchard). The harness never imports sim/: it runs the sim's
// entry in a Node process of its own, with the terminal, and passes Ctrl-C on to it.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const simUsage = `Usage: sysext-lab sim orchard [--workers N] [--port P] [--seed N] [--quirk NAME=P ...] [--time-scale X]

  orchard   A simulated Orchard controller on 127.0.0.1 over N simulated Macs, for --backend orchard
            (sysext-lab sim orchard --help for its options)
`;

const entries: Record<string, string> = {
  orchard: fileURLToPath(new URL('../../sim/orchard/main.ts', import.meta.url)),
};

export async function simCli(args: string[]): Promise<number> {
  const [service, ...rest] = args;
  if (service === undefined || service === '--help' || service === '-h') {
    process.stdout.write(simUsage);
    return service === undefined ? 2 : 0;
  }
  const entry = entries[service];
  if (!entry) {
    process.stderr.write(`sysext-lab sim: unknown service "${service}": expected orchard\n`);
    return 2;
  }
  // tsx by its own path, so that the entry loads from any working directory.
  const tsx = import.meta.resolve('tsx');
  const child = spawn(process.execPath, ['--import', tsx, entry, ...rest], { stdio: 'inherit' });
  // The terminal's Ctrl-C reaches the child too; a SIGTERM to us is passed on.
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  try {
    return await new Promise<number>((resolve) => {
      child.once('error', (error) => {
        process.stderr.write(`sysext-lab sim: cannot start ${service}: ${error.message}\n`);
        resolve(3);
      });
      child.once('exit', (code, signal) => resolve(code ?? (signal ? 130 : 3)));
    });
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}
