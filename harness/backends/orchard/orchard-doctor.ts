// `sysext-lab doctor --backend orchard`: the fleet in place of the host checks. The Macs that run
// the VMs are Orchard's workers, not this machine, so only what the API shows is checked: the
// controller answers, the service account is accepted, a worker has a free slot. The throwaway VM's
// guest checks follow in run-doctor.ts, as on any backend.
import { check, type DoctorCheck } from '../../doctor/doctor-check.ts';
import { OrchardApiError } from '../../errors.ts';
import type { BackendDescription, WaitOptions } from '../vm-backend.ts';
import { freeSlotsIn, type OrchardBackend } from './orchard-backend.ts';

const apiRef = 'Orchard api/openapi.yaml; tart-cli.md §6';

export async function orchardFleetChecks(
  vms: OrchardBackend,
  described: BackendDescription | Error,
  options: WaitOptions = {},
): Promise<DoctorCheck[]> {
  const { api } = vms;
  // `describe` asked the controller's info; its error carries what the controller answered.
  const failure =
    described instanceof Error ? ((described.cause as Error | undefined) ?? described) : undefined;
  // Any HTTP answer (a 401 too) is a controller; no answer is a wrong address or one that is down.
  if (failure && !(failure instanceof OrchardApiError)) {
    return [
      check(
        'fleet-controller',
        'fail',
        `the Orchard controller at ${api.base} does not answer: ${failure.message}`,
        apiRef,
        'Check ORCHARD_URL (the controller listens on port 6120 by default) and that this machine reaches it.',
      ),
    ];
  }
  const version = described instanceof Error ? 'its version unread' : described.toolVersion;
  const checks = [check('fleet-controller', 'ok', `${api.base} answers (${version})`, apiRef)];
  // The harness reads VMs and workers, creates VMs and forwards to them: the reads are proven
  // here (the same answers give the free slots), creation and port-forward by the guest checks' VM.
  // An info request the controller refused already says the credentials do not hold.
  const lists =
    failure ??
    (await Promise.all([api.listWorkers(options), api.listVms(options)]).catch((error: Error) => error));
  if (lists instanceof Error) {
    checks.push(
      check(
        'fleet-credentials',
        'fail',
        lists.message,
        'Orchard pkg/resource/v1/service_account_role.go',
        'Set ORCHARD_SERVICE_ACCOUNT_NAME and ORCHARD_SERVICE_ACCOUNT_TOKEN to an account with the compute:read, compute:write and compute:connect roles.',
      ),
    );
    return checks;
  }
  const account = api.authorization ? 'the service account is accepted' : 'no account given, none asked';
  checks.push(check('fleet-credentials', 'ok', `${account} (GET /v1/workers, /v1/vms)`, apiRef));
  const [workers, fleetVms] = lists;
  const free = freeSlotsIn(workers, fleetVms);
  checks.push(
    free > 0
      ? check('fleet-slots', 'ok', `${free} free VM slot(s) on ${workers.length} worker(s)`, apiRef)
      : check(
          'fleet-slots',
          workers.length === 0 ? 'fail' : 'warn',
          workers.length === 0
            ? 'the controller has no worker'
            : `no free VM slot on ${workers.length} worker(s): a VM waits pending until one frees`,
          'tart-cli.md §6: each worker offers org.cirruslabs.tart-vms = 2',
          workers.length === 0
            ? 'Start `orchard worker run` on a Mac and point it at this controller.'
            : 'Wait for running VMs to end, resume paused workers, or add workers.',
        ),
  );
  return checks;
}
