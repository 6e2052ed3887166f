// The simulated host's /var/db/dhcpd_leases, in bootpd's format, which `tart ip` reads by MAC.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { acquireWithin } from './run-lock.ts';
import { simHostDir } from './storage.ts';
import { normalizeMac } from './vm-config.ts';

export interface DhcpLease {
  name: string;
  ipAddress: string;
  /** Normalised MAC (two lower-case digits per octet). */
  hwAddress: string;
  /** Expiry, seconds since the epoch. */
  lease: number;
}

/** macOS's default lease time, the cause of the "stale IP" pain point (tart FAQ). */
export const LEASE_SECONDS = 86_400;

export function leasesPath(): string {
  return join(simHostDir(), 'dhcpd_leases');
}

/** bootpd writes octets without leading zeros (`1,6e:2:a:...`). */
function bootpdMac(mac: string): string {
  return normalizeMac(mac)
    .split(':')
    .map((octet) => octet.replace(/^0(?=.)/, ''))
    .join(':');
}

export function parseLeases(text: string): DhcpLease[] {
  const leases: DhcpLease[] = [];
  for (const block of text.split('}')) {
    const fields = new Map<string, string>();
    for (const line of block.split('\n')) {
      const match = /^\s*([a-z_]+)=(.*)$/.exec(line);
      if (match) fields.set(match[1]!, match[2]!.trim());
    }
    const ip = fields.get('ip_address');
    const hw = fields.get('hw_address');
    if (!ip || !hw) continue;
    leases.push({
      name: fields.get('name') ?? '',
      ipAddress: ip,
      hwAddress: normalizeMac(hw.replace(/^\d+,/, '')),
      lease: Number.parseInt(fields.get('lease') ?? '0', 16),
    });
  }
  return leases;
}

export function formatLeases(leases: readonly DhcpLease[]): string {
  return leases
    .map((l) => {
      const mac = bootpdMac(l.hwAddress);
      return `{\n\tname=${l.name}\n\tip_address=${l.ipAddress}\n\thw_address=1,${mac}\n\tidentifier=1,${mac}\n\tlease=0x${l.lease.toString(16)}\n}\n`;
    })
    .join('');
}

export function readLeases(): DhcpLease[] {
  try {
    return parseLeases(readFileSync(leasesPath(), 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

export function findLease(mac: string): DhcpLease | undefined {
  const wanted = normalizeMac(mac);
  return readLeases().find((l) => l.hwAddress === wanted);
}

/**
 * Records a lease like bootpd does: one entry per MAC, the newest first. Any other entry with the
 * same address is dropped as well, since bootpd hands an address to one client at a time.
 */
export async function recordLease(name: string, mac: string, ipAddress: string): Promise<void> {
  mkdirSync(simHostDir(), { recursive: true });
  const lock = await acquireWithin(`${leasesPath()}.lock`, 10_000);
  try {
    const hwAddress = normalizeMac(mac);
    const others = readLeases().filter((l) => l.hwAddress !== hwAddress && l.ipAddress !== ipAddress);
    const lease = Math.floor(Date.now() / 1000) + LEASE_SECONDS;
    const tmp = `${leasesPath()}.${process.pid}.tmp`;
    writeFileSync(tmp, formatLeases([{ name, ipAddress, hwAddress, lease }, ...others]));
    renameSync(tmp, leasesPath());
  } finally {
    lock.release();
  }
}
