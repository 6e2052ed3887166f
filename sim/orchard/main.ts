// `sysext-lab sim orchard`: the simulated Orchard controller in the foreground until Ctrl-C, with
// its workers' simulated Macs under --dir. Prints the variables that point `--backend orchard` at it.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseQuirkList } from '../quirks.ts';
import { SimOrchardController } from './controller.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export const simOrchardUsage = `Usage: sysext-lab sim orchard [--workers N] [--port P] [--seed N] [--quirk NAME=P ...] [--time-scale X] [--dir DIR] [--no-auth]

Serves Orchard's REST API on 127.0.0.1 over N simulated workers, each a simulated Mac (2 macOS VM
slots, its own fake tart), until Ctrl-C, which stops its VMs. Point --backend orchard at it with the
variables it prints.
  --workers N       Simulated workers (default 1)
  --port P          Port on 127.0.0.1 (default 6120, Orchard's; 0 picks a free one)
  --seed N          Seeds the simulated Macs' quirks (default 1)
  --quirk NAME=P    A fault model of the simulated Macs (sim/README.md), repeatable
  --time-scale X    Multiplies the modelled delays (default SXL_SIM_TIME_SCALE, else 0.1)
  --dir DIR         Where the workers keep their VMs (default .sim/orchard, emptied at start)
  --no-auth         Run without a service account (as \`orchard dev\`)
`;

/** Runs the controller until SIGINT/SIGTERM; returns the exit code (2 for bad flags). */
export async function simOrchardMain(args: string[]): Promise<number> {
  let values: ReturnType<typeof parse>;
  try {
    values = parse(args);
  } catch (error) {
    process.stderr.write(`sysext-lab sim orchard: ${(error as Error).message}\n${simOrchardUsage}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(simOrchardUsage);
    return 0;
  }
  const problems: string[] = [];
  const workers = Number(values.workers);
  if (!(Number.isInteger(workers) && workers >= 1 && workers <= 64)) {
    problems.push(`--workers must be a whole number from 1 to 64, got "${values.workers}"`);
  }
  const port = Number(values.port);
  if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    problems.push(`--port must be a port number, got "${values.port}"`);
  }
  const seed = Number(values.seed);
  if (!(Number.isInteger(seed) && seed >= 0))
    problems.push(`--seed must be a whole number >= 0, got "${values.seed}"`);
  const timeScale = Number(values['time-scale'] ?? process.env.SXL_SIM_TIME_SCALE ?? '0.1');
  if (!(timeScale >= 0 && Number.isFinite(timeScale))) {
    problems.push(`--time-scale must be a number >= 0, got "${values['time-scale']}"`);
  }
  let quirks: Record<string, number> = {};
  try {
    quirks = parseQuirkList((values.quirk ?? []).join(','));
  } catch (error) {
    problems.push(`--quirk: ${(error as Error).message}`);
  }
  if (problems.length > 0) {
    process.stderr.write(`sysext-lab sim orchard: ${problems.join('; ')}\n`);
    return 2;
  }
  const dir = values.dir ?? join(repoRoot, '.sim', 'orchard');
  // A previous controller's VMs belonged to it: its workers' Macs start empty, as after a reboot.
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const controller = new SimOrchardController({
    workers,
    dir,
    port,
    seed,
    quirks,
    timeScale,
    ...(values['no-auth'] ? { serviceAccount: false as const } : {}),
  });
  let url: string;
  try {
    url = await controller.listen();
  } catch (error) {
    process.stderr.write(
      `sysext-lab sim orchard: cannot listen on 127.0.0.1:${port}: ${(error as Error).message}\n`,
    );
    await controller.close();
    return 3;
  }
  const account = controller.serviceAccount;
  const samples = join(repoRoot, 'sim', 'builds', 'out');
  process.stdout.write(
    [
      `Simulated Orchard controller at ${url} with ${workers} worker(s) of 2 macOS VM slots (seed ${seed}${
        Object.keys(quirks).length
          ? `, quirks ${Object.entries(quirks)
              .map(([n, p]) => `${n}=${p}`)
              .join(',')}`
          : ''
      }, time scale ${timeScale}).`,
      'In another shell:',
      `  export ORCHARD_URL=${url}`,
      ...(account
        ? [
            `  export ORCHARD_SERVICE_ACCOUNT_NAME=${account.name}`,
            `  export ORCHARD_SERVICE_ACCOUNT_TOKEN=${account.token}`,
          ]
        : []),
      `  npx sysext-lab run upgrade-xpc --backend orchard --from "${join(samples, 'SXL Sample 1.0.pkg')}" --to "${join(samples, 'SXL Sample 1.1.pkg')}"`,
      'Ctrl-C stops the controller and its VMs.',
      '',
    ].join('\n'),
  );
  // `on`, not `once`: Ctrl-C reaches this process from the terminal and again from the parent
  // `sysext-lab sim`, and a second signal must not kill it before its VMs are stopped.
  await new Promise<void>((resolve) => {
    process.on('SIGINT', () => resolve());
    process.on('SIGTERM', () => resolve());
  });
  process.stdout.write('Stopping the simulated Orchard controller and its VMs...\n');
  await controller.close();
  return 0;
}

function parse(args: string[]) {
  return parseArgs({
    args,
    options: {
      workers: { type: 'string', default: '1' },
      port: { type: 'string', default: '6120' },
      seed: { type: 'string', default: '1' },
      quirk: { type: 'string', multiple: true },
      'time-scale': { type: 'string' },
      dir: { type: 'string' },
      'no-auth': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }).values;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await simOrchardMain(process.argv.slice(2));
}
