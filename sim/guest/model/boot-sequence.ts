// What happens at every boot of the model: a new boot session (count, UUID), sysextd's pending
// work, fresh launchd jobs, and a few boot lines in the unified log.
import type { Machine } from '../machine.ts';
import { newBootUuid } from '../state.ts';
import { startGuiSession } from './gui-session.ts';
import { applyImageQuirks } from './image-quirks.ts';
import { configurationsAtBoot } from './network-configurations.ts';
import { appendPmsetLog } from './power-events.ts';
import { sysextdBoot } from './sysextd.ts';

export async function bootMachine(machine: Machine): Promise<void> {
  await machine.mutate(async (state) => {
    // What the image is (its SIP state, TCC rows, Command Line Tools) is rolled once per clone.
    if (state.bootCount === 0) applyImageQuirks(machine, state);
    state.bootCount += 1;
    state.bootUuid = newBootUuid();
    state.bootTime = machine.now().getTime();
    state.nextPid = 400;
    // [RECONSTRUCTED] boot lines: the real kernel and launchd print many; these mark the session.
    await machine.emit(
      {
        process: 'kernel',
        pid: 0,
        subsystem: '',
        category: '',
        messageType: 'Default',
        eventMessage: `Darwin Kernel boot (${state.macos.productName} ${state.macos.productVersion} ${state.macos.buildVersion}) boot #${state.bootCount}`,
        processImagePath: '/kernel',
      },
      {
        process: 'launchd',
        pid: 1,
        subsystem: 'com.apple.xpc.launchd',
        category: 'default',
        messageType: 'Default',
        eventMessage: `system boot, boot-uuid ${state.bootUuid}`,
        processImagePath: '/sbin/launchd',
      },
    );
    await sysextdBoot(machine, state);
    await configurationsAtBoot(machine, state);
    // No app survives a boot, and the console user logs in only a few seconds after sshd answers.
    startGuiSession(machine, state);
    appendPmsetLog(state, machine.now(), 'Start', 'powerd process is started');
  });
}
