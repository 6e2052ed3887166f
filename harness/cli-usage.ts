// The text of `sysext-lab --help`, from the registered backends, the run defaults and each command's
// usage line. It reaches most of the harness, so cli.ts loads it only to print it, and the package
// build renders it once into dist/cli.js (tools/build.ts): the installed --help loads none of it.
import { backendSummaries } from './backends/registry.ts';
import { bisectUsage } from './commands/bisect-command.ts';
import { compareUsage } from './commands/compare-command.ts';
import { DOCTOR_USAGE } from './commands/doctor-command.ts';
import { historyUsage } from './commands/history-command.ts';
import { mergeUsage } from './commands/merge-command.ts';
import { runDefaults } from './run-options.ts';
import { repetitionDefaults } from './stats/repetition.ts';

const backends = backendSummaries();
const backendChoice = backends.map((b) => b.kind).join('|');

/** `sysext-lab --help`. */
export function cliUsage(): string {
  return `Usage: sysext-lab <command> [options]

Commands:
  run <scenario>   Run a scenario (a built-in or project id, or a file: ./scenarios/x.ts) on fresh VMs
                   and write junit.xml, run.json, summary.json
  list             List the built-in scenarios and the project's own (./scenarios/)
  show <scenario>  A scenario's inputs, failure signature and the positive evidence a failure needs
  reap             Delete the VMs (sxl-*) left behind by runs that died
  sim orchard [--workers N] [--port P]  A simulated Orchard controller for --backend orchard (sim --help)
  init [--force] [DIR]  Write sysext-lab.config.json, an example scenario, an npm script and CI files
                   (GitHub Actions, GitLab, Jenkins) into a project (init --help)
  parse [<kind>] [FILE]  Parse macOS command output (stdin when no FILE) and print JSON (parse --help)
  doctor           Check every precondition of a run on the host and in one VM of the image
                   (ok/warn/fail with the fix; exit 1 when a check fails)
  feedback <run-dir> [--iteration N] [--out FILE]
                   Zip report.md and a failing iteration's evidence for Feedback Assistant
  ${compareUsage}
  ${bisectUsage}
  ${historyUsage}
  ${mergeUsage}

run options:
  --backend ${backendChoice.padEnd(11)}${backends.map((b) => `${b.kind}: ${b.summary}${b.kind === runDefaults.backend ? ' (default)' : ''}`).join('; ')}
  --image NAME[,NAME]  Image(s) to clone per iteration; several run as a matrix with rates per image
                       (default ${runDefaults.image})
  --repeat N           Iterations per image (default 1)
  --until-fail         Repeat until the target bug fails once (cap: --max)
  --until-confident    Repeat until the 95% evidence decides: the bug reproduced, or its rate below
                       --threshold by an exact one-sided bound (cap: --max)
  --threshold P        Rate a fix must stay below, for --until-confident (default ${repetitionDefaults.threshold})
  --max N              Cap for --until-fail / --until-confident / --compare-to (default ${repetitionDefaults.max})
  --compare-to RUN_A   Repeat until this run's rate is shown to differ from the finished RUN_A's (a
                       sequential test that keeps 5% false positives however early it stops; cap: --max),
                       then print the comparison as sysext-lab compare does
  --parallel N         Iterations on N VMs at once, output kept in iteration order (default: the
                       backend's free slots; tart and sim: 2 per host minus the VMs already running)
  --shard K/N          Run only CI shard K's iterations of N shards (every Nth, numbered as in the
                       whole run); join the shards' run directories with sysext-lab merge
  --sleep-strategy S   guest (pmset sleepnow in the guest; calls the providers' sleep()/wake()) or
                       suspend (tart suspend + resume on the host; does not) (default guest)
  --from PATH          Build installed first (.pkg, .zip or .app); sim default: the scenario's sample
  --to PATH            Upgrade build; sim default: the scenario's sample
  --input NAME=VALUE   Any other scenario input (repeatable), e.g. --input deadline-ms=20000; each is
                       checked against its declared kind (sysext-lab show <scenario>) before any VM
  --reboot-probe       upgrade-xpc: after a failure, reboot and check again
  --seed N             Seed of the sim's quirks (default: random, printed in run.json)
  --quirk NAME=P       Sim fault model with probability P (repeatable), e.g. xpc-endpoint-lost-on-upgrade=0.2
  --artifacts DIR      Where run directories go (default artifacts)
  --config FILE        Project defaults for --image, --backend, --from/--to (builds), --approval,
                       --redact-env and --artifacts (default ./sysext-lab.config.json when present;
                       a flag given wins)
  --keep-vm            Leave each iteration's VM behind for inspection
  --pull               tart pull each image first (a cached :latest is never refreshed by clone)
  --launch-command CMD Command that launches the app, the app path appended (default "open -a")
  --approval S         How a waiting extension is approved: auto (ui, then database; default), ui
                       (System Settings), database (SIP off; labelled "approval bypassed") or preapproved
  --evidence WHEN      on-failure (default), always or never: sysdiagnose, log slice, pmset log,
                       install.log and state, collected before teardown into iterations/<n>/evidence
  --sysdiagnose-timeout S  How long sysdiagnose may take (default 900)
  --registration-deadline S  How long launchd may take to register a job or endpoint, or an old
                       extension to terminate, before that counts (default 60; sim: scaled)
  --redact-env NAME    Environment variable holding a token to mask in everything written (repeatable);
                       the SSH password and TART_REGISTRY_USERNAME/PASSWORD are always masked

reap options: --backend ${backendChoice}, --all (also VMs of runs still alive)
${DOCTOR_USAGE}
Exit codes: 0 passed, 1 a check failed, 2 usage or config error, 3 infrastructure errors only, 130 interrupted.
`;
}
