// A run's raw host failures become the advice doctor gives: tart's VM-limit and keychain texts and
// an EHOSTUNREACH under an SSH wait, however deep in the cause chain.
import test from 'ava';
import { recogniseHostFailure } from '../../../harness/doctor/host-advice.ts';
import { HostCommandError, HostPreconditionError, WaitTimeoutError } from '../../../harness/errors.ts';

test('an SSH wait that timed out on EHOSTUNREACH is the Local Network refusal', (t) => {
  const socket = Object.assign(new Error('connect EHOSTUNREACH 192.168.64.5:22'), { code: 'EHOSTUNREACH' });
  const timeout = new WaitTimeoutError('SSH on 192.168.64.5:22', 'sxl-x-1', 180_000, socket.message, {
    cause: socket,
  });
  const known = recogniseHostFailure(timeout);
  t.true(known instanceof HostPreconditionError);
  t.is(known?.precondition, 'guest-local-network');
  t.regex(
    known?.message ?? '',
    /^This process may not reach the VMs \(Local Network privacy\): .*Terminal.*\(Timed out .*EHOSTUNREACH 192\.168\.64\.5:22\)$/,
  );
});

test("tart's keychain and VM-limit texts are recognised, other failures are left alone", (t) => {
  const keychain = new HostCommandError(
    'tart run sxl-x-1 --no-graphics',
    1,
    'SecKeyCreateRandomKey_ios failed',
    0,
  );
  t.is(recogniseHostFailure(keychain)?.precondition, 'host-keychain');
  const limit = new HostCommandError(
    'tart run sxl-x-2 --no-graphics',
    1,
    'The number of VMs exceeds the system limit (other running VMs: a, b)',
    0,
  );
  const known = recogniseHostFailure(limit);
  t.is(known?.precondition, 'host-vm-limit');
  t.true(known?.stopsRun);
  t.regex(
    known?.message ?? '',
    /\(The number of VMs exceeds the system limit \(other running VMs: a, b\)\)$/,
  );
  t.is(
    recogniseHostFailure(new HostCommandError('tart run x', 1, 'Error Domain=VZErrorDomain Code=1', 0)),
    undefined,
  );
  t.is(recogniseHostFailure(new Error('connect ECONNREFUSED 192.168.64.5:22')), undefined);
});
