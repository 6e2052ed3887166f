// sshd's host key: generated once per guest disk and kept in the guest folder, because a real
// Mac's host key survives reboots (and `tart clone` copies it, as cloning a disk does).
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import ssh2 from 'ssh2';

export const HOST_KEY_FILE = 'ssh_host_ed25519_key';

export async function writeHostKey(guestDir: string): Promise<void> {
  const pair = generateHostKeyPair();
  await writeFile(join(guestDir, HOST_KEY_FILE), pair.private, { mode: 0o600 });
  await writeFile(join(guestDir, `${HOST_KEY_FILE}.pub`), `${pair.public}\n`);
}

/** The host key, created on first use for disks laid out before keys were kept. */
export async function readHostKey(guestDir: string): Promise<Buffer> {
  const file = join(guestDir, HOST_KEY_FILE);
  try {
    return await readFile(file);
  } catch {
    await writeHostKey(guestDir);
    return readFile(file);
  }
}

/**
 * An ed25519 key pair in OpenSSH's format, for sshd's host key (and any test sshd's).
 * ssh2's generator writes an OpenSSH private key that its own parser rejects ("Malformed OpenSSH
 * private key") for about 1 key in 270 (74 of 20000 measured: a public key with a leading zero
 * byte is written 31 bytes long); such a disk could never boot. Keep only keys that parse.
 */
export function generateHostKeyPair(): { private: string; public: string } {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519', {});
    if (!(ssh2.utils.parseKey(pair.private) instanceof Error)) return pair;
  }
  throw new Error('ssh2 generated 20 ed25519 host keys in a row that it cannot parse');
}
