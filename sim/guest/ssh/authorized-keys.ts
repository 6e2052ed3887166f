// sshd's public key check: the keys of the user's ~/.ssh/authorized_keys (sshd_config's default
// AuthorizedKeysFile), one per line, `[options] type base64 [comment]`; options are not modelled.
import ssh2, { type ParsedKey, type PublicKeyAuthContext } from 'ssh2';
import type { GuestFs } from '../guest-fs.ts';

const KEY_TYPE = /^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|sk-\S+@openssh\.com)$/;

async function authorizedKeys(fs: GuestFs): Promise<ParsedKey[]> {
  const text = await fs.readFile(`${fs.user.home}/.ssh/authorized_keys`).catch(() => undefined);
  if (!text) return [];
  const keys: ParsedKey[] = [];
  for (const raw of text.toString('utf8').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    // A line may start with options (`from="..." ssh-ed25519 AAAA...`): the key starts at its type.
    const words = line.split(/\s+/);
    const at = words.findIndex((w) => KEY_TYPE.test(w));
    if (at < 0) continue;
    const parsed = ssh2.utils.parseKey(words.slice(at, at + 2).join(' '));
    const key = Array.isArray(parsed) ? parsed[0] : parsed;
    if (key && !(key instanceof Error)) keys.push(key);
  }
  return keys;
}

/**
 * Whether `ctx` (a publickey attempt) may log in: its key is listed and, when the client sent a
 * signature, the signature verifies. A query without signature is answered "key OK" as sshd does.
 */
export async function publicKeyAccepted(fs: GuestFs, ctx: PublicKeyAuthContext): Promise<boolean> {
  // The key blob names its type, so equal blobs are the same key (ctx.key.algo may be a signature
  // algorithm such as rsa-sha2-256 for an ssh-rsa key).
  const listed = (await authorizedKeys(fs)).find((key) => key.getPublicSSH().equals(ctx.key.data));
  if (!listed) return false;
  if (!ctx.signature || !ctx.blob) return true;
  return listed.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true;
}
