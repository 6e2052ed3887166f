// config.json of a VM, with the fields of tart's VMConfig.swift, and the MAC addresses in it.
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageManifest } from '../images.ts';

export interface VmDisplay {
  width: number;
  height: number;
  /** `pt` or `px` when `tart set --display WxHpt` named a unit. */
  unit?: string;
}

export interface VmConfig {
  version: number;
  os: 'darwin' | 'linux';
  arch: 'arm64' | 'amd64';
  platform: { ecid: string; hardwareModel: string };
  cpuCountMin: number;
  cpuCount: number;
  memorySizeMin: number;
  /** Bytes, as tart stores it (`tart set --memory` takes MiB). */
  memorySize: number;
  macAddress: string;
  display: VmDisplay;
  displayRefit?: boolean;
  diskFormat: 'raw' | 'asif';
}

export const MIB = 1024 * 1024;

/** A random locally administered unicast MAC, as VZMACAddress.randomLocallyAdministered() makes. */
export function randomMac(): string {
  const bytes = randomBytes(6);
  bytes[0] = (bytes[0]! & 0xfc) | 0x02;
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** Lower-case, two digits per octet: bootpd drops leading zeros, config.json keeps them. */
export function normalizeMac(mac: string): string {
  return mac
    .split(':')
    .map((octet) => octet.toLowerCase().padStart(2, '0'))
    .join(':');
}

/** A fresh VZMacMachineIdentifier stand-in: real tart stores its data representation in base64. */
export function randomEcid(): string {
  return randomBytes(16).toString('base64');
}

export function newVmConfig(manifest: ImageManifest): VmConfig {
  return {
    version: 1,
    os: 'darwin',
    arch: 'arm64',
    platform: {
      ecid: randomEcid(),
      hardwareModel: Buffer.from(manifest.hardwareModel).toString('base64'),
    },
    cpuCountMin: 4,
    cpuCount: manifest.cpuCount,
    memorySizeMin: 4096 * MIB,
    memorySize: manifest.memoryMb * MIB,
    macAddress: randomMac(),
    display: { width: 1024, height: 768 },
    diskFormat: 'raw',
  };
}

export function configPath(vmDir: string): string {
  return join(vmDir, 'config.json');
}

export function readVmConfig(vmDir: string): VmConfig {
  return JSON.parse(readFileSync(configPath(vmDir), 'utf8')) as VmConfig;
}

/** Writes through a temporary file so that a concurrent reader never sees half a config. */
export function writeVmConfig(vmDir: string, config: VmConfig): void {
  const tmp = `${configPath(vmDir)}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(config)}\n`);
  renameSync(tmp, configPath(vmDir));
}
