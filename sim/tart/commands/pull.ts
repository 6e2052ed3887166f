// tart pull <remote-name>: fetches an image from the sim registry (the manifests in vm-images/).
import { chmodSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { findImageByRef, type ImageManifest, loadImageManifests } from '../../images.ts';
import type { ParsedArgs } from '../args.ts';
import type { TartCommand } from '../command.ts';
import { TartRuntimeError } from '../errors.ts';
import { buildImage } from '../image-builder.ts';
import type { TartIo } from '../io.ts';
import {
  cacheDirFor,
  formatRemoteName,
  isCached,
  linkTag,
  manifestDigest,
  parseRemoteName,
  type RemoteName,
} from '../oci-cache.ts';
import { tmpDir } from '../storage.ts';
import {
  currentProcess,
  killedByNow,
  ProcessKilledError,
  type TartProcess,
  watchProcess,
} from '../tart-process.ts';

function findManifest(remote: RemoteName): ImageManifest | undefined {
  if (remote.reference.kind === 'tag') return findImageByRef(formatRemoteName(remote));
  const repository = `${remote.host}/${remote.namespace}`;
  const digest = remote.reference.value;
  return loadImageManifests().find(
    (m) => manifestDigest(m) === digest && m.refs.some((ref) => ref.startsWith(`${repository}:`)),
  );
}

/**
 * Pulls `remote` into the OCI cache unless it is there already, printing tart's pull lines, and
 * returns the folder of the cached image.
 */
export async function pullRemote(
  remote: RemoteName,
  io: TartIo,
  proc: TartProcess = currentProcess,
): Promise<string> {
  const name = formatRemoteName(remote);
  io.out(`pulling ${name}...`);
  const manifest = findManifest(remote);
  if (!manifest) {
    // Reconstructed: the wording of tart's RegistryError for the 404 a registry gives an unknown name.
    throw new TartRuntimeError(
      `received unexpected HTTP status code 404 while retrieving manifest: {"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}`,
    );
  }
  const digest = manifestDigest(manifest);
  const byDigest: RemoteName = { ...remote, reference: { kind: 'digest', value: digest } };
  if (isCached(byDigest)) {
    if (remote.reference.kind === 'tag') linkTag(remote, digest);
    io.out(`${digest} image is already cached and linked!`);
    return cacheDirFor(byDigest);
  }
  io.out('pulling manifest...');
  const staging = mkdtempSync(join(tmpDir(), 'pull-'));
  // mkdtemp makes 0700 folders; tart's are ordinary 0755 ones.
  chmodSync(staging, 0o755);
  try {
    io.out(`pulling disk (${manifest.compressedDiskGb.toFixed(1)} GB compressed)...`);
    const watch = watchProcess(proc);
    try {
      await buildImage(staging, manifest);
      // Killed while downloading: the temporary copy goes with the process (below), nothing is cached.
      if (await killedByNow(watch)) throw new ProcessKilledError();
    } finally {
      watch.dispose();
    }
    // Reconstructed: without a terminal tart's progress shows as one line per step.
    for (let percent = 0; percent <= 100; percent += 10) io.out(`${percent}%`);
    io.out('pulling NVRAM...');
    const target = cacheDirFor(byDigest);
    mkdirSync(dirname(target), { recursive: true });
    try {
      renameSync(staging, target);
    } catch (error) {
      // A concurrent pull of the same image won the race; its copy is as good as ours.
      if (!isCached(byDigest)) throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  if (remote.reference.kind === 'tag') linkTag(remote, digest);
  return cacheDirFor(byDigest);
}

export const pull: TartCommand = {
  spec: {
    name: 'pull',
    abstract: 'Pull a VM from a registry',
    positionals: [{ name: 'remote-name', help: 'remote VM name' }],
    options: [
      { long: 'insecure', help: 'connect to the OCI registry via insecure HTTP protocol' },
      {
        long: 'concurrency',
        value: 'concurrency',
        help: 'network concurrency to use when pulling a remote VM from the OCI-compatible registry',
        integer: { min: 1, max: 2 ** 32 - 1 },
      },
      { long: 'deduplicate', help: 'deduplicate the disk with the cached images' },
    ],
  },
  async run(args: ParsedArgs, io: TartIo, proc: TartProcess): Promise<number> {
    const name = args.positionals[0]!;
    const remote = parseRemoteName(name);
    if (!remote) {
      io.out(`"${name}" is a local image, nothing to pull here!`);
      return 0;
    }
    await pullRemote(remote, io, proc);
    return 0;
  },
};
