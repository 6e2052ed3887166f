// tart set <name> [--cpu N] [--memory MB] [--display WxH] [--random-mac] ...: rewrites config.json
// only (and resizes the disk for --disk-size); a running VM sees the changes at its next run.
import { copyFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { flag, intOption, optionValue, type ParsedArgs } from '../args.ts';
import { type TartCommand, VM_NAME_HELP } from '../command.ts';
import { TartGenericError, TartRuntimeError, TartValidationError } from '../errors.ts';
import { GB, sizeDisk } from '../image-builder.ts';
import type { TartIo } from '../io.ts';
import { MIB, randomEcid, randomMac, readVmConfig, type VmDisplay, writeVmConfig } from '../vm-config.ts';
import { openLocalVm } from '../vm-state.ts';

function parseDisplay(text: string): VmDisplay | undefined {
  const match = /^(\d+)x(\d+)(pt|px)?$/.exec(text);
  if (!match) return undefined;
  const display: VmDisplay = { width: Number(match[1]), height: Number(match[2]) };
  if (match[3]) display.unit = match[3];
  return display;
}

export const set: TartCommand = {
  spec: {
    name: 'set',
    abstract: "Modify VM's configuration",
    positionals: [{ name: 'name', help: VM_NAME_HELP }],
    options: [
      { long: 'cpu', value: 'cpu', help: 'Number of VM CPUs', integer: { min: 0, max: 65_535 } },
      {
        long: 'memory',
        value: 'memory',
        help: 'VM memory size in megabytes',
        integer: { min: 0, max: 2 ** 53 },
      },
      { long: 'display', value: 'display', help: 'VM display resolution in a format of WIDTHxHEIGHT[pt|px]' },
      {
        long: 'display-refit',
        inversion: true,
        help: "Whether to automatically reconfigure the VM's display",
      },
      { long: 'random-mac', help: 'Generate a new random MAC address for the VM.' },
      { long: 'random-serial', help: 'Generate a new random serial number for the macOS VM.' },
      { long: 'disk', value: 'disk', help: "Replace the VM's disk with the specified disk image" },
      {
        long: 'disk-size',
        value: 'disk-size',
        help: 'Resize the VMs disk to the specified size in GB',
        integer: { min: 0, max: 65_535 },
      },
    ],
  },
  async run(args: ParsedArgs, _io: TartIo): Promise<number> {
    const name = args.positionals[0]!;
    const displayText = optionValue(args, 'display');
    const display = displayText === undefined ? undefined : parseDisplay(displayText);
    if (displayText !== undefined && !display) {
      throw new TartValidationError(`The value '${displayText}' is invalid for '--display <display>'`);
    }
    const dir = openLocalVm(name);
    const config = readVmConfig(dir);
    const cpu = intOption(args, 'cpu');
    if (cpu !== undefined) {
      if (cpu < config.cpuCountMin) {
        throw new TartGenericError(
          `LessThanMinimalResourcesError: VM should have ${config.cpuCountMin} CPU cores at minimum (requested ${cpu})`,
        );
      }
      config.cpuCount = cpu;
    }
    const memoryMb = intOption(args, 'memory');
    if (memoryMb !== undefined) {
      const bytes = memoryMb * MIB;
      if (bytes < config.memorySizeMin) {
        // Reconstructed: the memory variant of the CPU message above, in bytes as VMConfig keeps them.
        throw new TartGenericError(
          `LessThanMinimalResourcesError: VM should have ${config.memorySizeMin} bytes of memory at minimum (requested ${bytes})`,
        );
      }
      config.memorySize = bytes;
    }
    if (display) config.display = display;
    if (args.flags.has('display-refit')) config.displayRefit = flag(args, 'display-refit');
    if (flag(args, 'random-mac')) config.macAddress = randomMac();
    if (flag(args, 'random-serial')) config.platform.ecid = randomEcid();
    writeVmConfig(dir, config);
    const diskPath = join(dir, 'disk.img');
    const disk = optionValue(args, 'disk');
    if (disk !== undefined) copyFileSync(disk, diskPath);
    const diskSize = intOption(args, 'disk-size');
    if (diskSize !== undefined) {
      const currentGb = Math.floor(statSync(diskPath).size / GB);
      if (diskSize < currentGb) {
        // Reconstructed units: both sizes in GB, as the option takes them.
        throw new TartRuntimeError(
          `new disk size of ${diskSize}GB should be larger than the current disk size of ${currentGb}GB`,
        );
      }
      sizeDisk(diskPath, diskSize);
    }
    return 0;
  },
};
