// tart ip <name> [--wait S] [--resolver dhcp|arp|agent]: the address in the DHCP leases for the
// VM's MAC; it does not wait for the VM to run, it polls once a second for up to --wait seconds.
import { join } from 'node:path';
import { intOption, optionValue, type ParsedArgs } from '../args.ts';
import { type TartCommand, VM_NAME_HELP } from '../command.ts';
import { TartRuntimeError } from '../errors.ts';
import type { TartIo } from '../io.ts';
import { findLease } from '../leases.ts';
import { livePid, NO_IP_FILE } from '../run-lock.ts';
import { readVmConfig } from '../vm-config.ts';
import { openLocalVm, vmState } from '../vm-state.ts';

type Resolver = 'dhcp' | 'arp' | 'agent';

function resolve(dir: string, resolver: Resolver): string | undefined {
  const running = vmState(dir) === 'running';
  // Quirk no-ip: this run never got a lease, and a stale one of an earlier run does not answer.
  if (running && livePid(join(dir, NO_IP_FILE)) !== undefined) return undefined;
  // The ARP table and the guest agent only know VMs that are up; bootpd remembers stale leases too.
  if (resolver !== 'dhcp' && !running) return undefined;
  return findLease(readVmConfig(dir).macAddress)?.ipAddress;
}

export const ip: TartCommand = {
  spec: {
    name: 'ip',
    abstract: "Get VM's IP address",
    positionals: [{ name: 'name', help: VM_NAME_HELP }],
    options: [
      {
        long: 'wait',
        value: 'wait',
        help: 'Number of seconds to wait for a potential VM booting',
        integer: { min: 0, max: 65_535 },
      },
      {
        long: 'resolver',
        value: 'resolver',
        help: 'Strategy for resolving IP address: dhcp, arp or agent',
        choices: ['dhcp', 'arp', 'agent'],
      },
    ],
  },
  async run(args: ParsedArgs, io: TartIo): Promise<number> {
    const name = args.positionals[0]!;
    const waitSeconds = intOption(args, 'wait') ?? 0;
    const resolver = (optionValue(args, 'resolver') ?? 'dhcp') as Resolver;
    const dir = openLocalVm(name);
    const deadline = Date.now() + waitSeconds * 1000;
    for (;;) {
      const address = resolve(dir, resolver);
      if (address) {
        io.out(address);
        return 0;
      }
      if (Date.now() + 1000 > deadline) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    let message = 'no IP address found';
    if (vmState(dir) !== 'running') message += ', is your VM running?';
    if (resolver === 'agent')
      message += ' (also make sure that Guest agent for Tart is running inside of a VM)';
    throw new TartRuntimeError(message);
  },
};
