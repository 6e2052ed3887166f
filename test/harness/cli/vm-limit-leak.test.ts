// Issue 12, item 5: the sim's vm-limit-leak quirk belongs to the run that rolled it. A run with it
// ends in the VM-limit error once two slots leaked; the next run on the same simulated host, with
// every quirk off, passes.
import test from 'ava';
import { runCli, sxlVms } from '../../helpers/cli-run.ts';
import { makeSimEnv } from '../../helpers/sim-env.ts';

test('a run that leaked VM slots does not make the next run fail with the VM limit', async (t) => {
  const sim = makeSimEnv();
  const leaky = await runCli(sim, [
    'run',
    'upgrade-xpc',
    '--repeat',
    '3',
    '--quirk',
    'vm-limit-leak=1',
    '--artifacts',
    sim.artifacts,
  ]);
  t.is(leaky.code, 3, leaky.stdout + leaky.stderr);
  t.regex(leaky.stdout, /\[3\/3\] ERROR .*number of VMs exceeds the system limit/);
  const next = await runCli(sim, ['run', 'upgrade-xpc', '--artifacts', sim.artifacts]);
  t.is(next.code, 0, next.stdout + next.stderr);
  t.deepEqual(await sxlVms(sim), []);
});
