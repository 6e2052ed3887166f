// tart get <name> [--format text|json]: one VM's settings; `Size` is a "%.3f" string here.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { optionValue, type ParsedArgs } from '../args.ts';
import { type TartCommand, VM_NAME_HELP } from '../command.ts';
import { type JsonRecord, renderTable, swiftJsonObject } from '../format.ts';
import { GB } from '../image-builder.ts';
import type { TartIo } from '../io.ts';
import { allocatedSizeBytes } from '../storage.ts';
import { MIB, readVmConfig } from '../vm-config.ts';
import { openLocalVm, vmState } from '../vm-state.ts';

export const FORMATS = ['text', 'json'] as const;

export const get: TartCommand = {
  spec: {
    name: 'get',
    abstract: "Get a VM's configuration",
    positionals: [{ name: 'name', help: VM_NAME_HELP }],
    options: [{ long: 'format', value: 'format', help: 'Output format: text or json', choices: FORMATS }],
  },
  async run(args: ParsedArgs, io: TartIo): Promise<number> {
    const dir = openLocalVm(args.positionals[0]!);
    const config = readVmConfig(dir);
    const state = vmState(dir);
    const { width, height, unit } = config.display;
    const info: JsonRecord = {
      OS: config.os,
      CPU: config.cpuCount,
      Memory: Math.floor(config.memorySize / MIB),
      Disk: Math.floor(statSync(join(dir, 'disk.img')).size / GB),
      DiskFormat: config.diskFormat,
      Size: (allocatedSizeBytes(dir) / GB).toFixed(3),
      Display: `${width}x${height}${unit ?? ''}`,
      Running: state === 'running',
      State: state,
    };
    if (optionValue(args, 'format') === 'json') {
      io.out(swiftJsonObject(info));
      return 0;
    }
    const header = ['OS', 'CPU', 'Memory', 'Disk', 'DiskFormat', 'Size', 'Display', 'State'];
    io.out(renderTable(header, [header.map((key) => String(info[key]))]));
    return 0;
  },
};
