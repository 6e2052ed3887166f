// `sysext-lab reap`: delete the VMs (sxl-*) of runs that died, finish those runs' files, keep the
// VMs of live runs and those kept with --keep-vm (unless --all). Exit 0, 2 on bad flags, 3 when the
// backend cannot list or delete.
import { parseArgs } from 'node:util';
import { createBackend } from '../backends/registry.ts';
import { reapVms } from '../reap.ts';
import { exitCodes } from '../report/run-summary.ts';
import { runDefaults } from '../run-options.ts';

export const reapUsage = `Usage: sysext-lab reap [--backend KIND] [--all]

Deletes the VMs (sxl-<run-id>-<n>) of runs whose harness is gone, and finishes such runs' files
(junit.xml, run.json, summary.json record the run as interrupted; the run marker is removed).
  --backend KIND   The backend whose VMs to reap (default ${runDefaults.backend})
  --all            Also the VMs of runs still alive and those kept with --keep-vm
Exit codes: 0 done, 2 usage error, 3 a VM could not be listed or deleted.
`;

export async function reapCli(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      backend: { type: 'string', default: runDefaults.backend },
      all: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(reapUsage);
    return 0;
  }
  const profile = createBackend(values.backend);
  let reaped: Awaited<ReturnType<typeof reapVms>>;
  try {
    reaped = await reapVms(profile.vms, { all: values.all });
  } catch (error) {
    // No tart on this host, or it failed: one line, not a stack trace.
    process.stderr.write(
      `sysext-lab: reap could not list the VMs of backend ${values.backend}: ${firstLine(error)}\n`,
    );
    return exitCodes.infrastructure;
  }
  for (const name of reaped.deleted) process.stdout.write(`deleted ${name}\n`);
  for (const name of reaped.keptOnPurpose)
    process.stdout.write(`kept ${name} (kept with --keep-vm; reap --all deletes it)\n`);
  for (const runDir of reaped.finished)
    process.stdout.write(`finished ${runDir} (recorded as interrupted)\n`);
  for (const problem of reaped.problems) process.stderr.write(`${problem}\n`);
  process.stdout.write(
    `reaped ${reaped.deleted.length} VM(s), kept ${reaped.kept.length} of live runs and ${reaped.keptOnPurpose.length} kept with --keep-vm, finished ${reaped.finished.length} dead run(s)\n`,
  );
  return reaped.problems.length > 0 ? exitCodes.infrastructure : 0;
}

function firstLine(error: unknown): string {
  return ((error as Error)?.message ?? String(error)).split('\n')[0] ?? '';
}
