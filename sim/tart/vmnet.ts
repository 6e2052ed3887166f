// The sim's shared NAT network: 127.64.0.0/16 on loopback stands for vmnet's 192.168.64.0/24, so
// each VM gets its own address and every guest can listen on the same SSH port.
import { normalizeMac } from './vm-config.ts';

const PREFIX = '127.64';
// Host numbers 1..65534 of the /16; .0.0 and .255.255 stay unused like network and broadcast.
const HOSTS = 65_534;

/** The address a MAC is offered first: stable, so a VM keeps its IP across runs. */
export function hostNumberForMac(mac: string): number {
  const octets = normalizeMac(mac)
    .split(':')
    .map((o) => Number.parseInt(o, 16));
  const value = ((octets[3]! << 16) | (octets[4]! << 8) | octets[5]!) >>> 0;
  return (value % HOSTS) + 1;
}

export function addressOf(hostNumber: number): string {
  const n = ((((hostNumber - 1) % HOSTS) + HOSTS) % HOSTS) + 1;
  return `${PREFIX}.${n >> 8}.${n & 0xff}`;
}

/** Candidate addresses for a MAC, first choice first; the caller skips those in use. */
export function* candidateAddresses(mac: string, count = 64): Generator<string> {
  const first = hostNumberForMac(mac);
  for (let i = 0; i < count; i++) yield addressOf(first + i);
}
