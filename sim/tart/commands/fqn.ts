// tart fqn <name> (hidden): the digest form of a cached remote name, or a local name as given.
import type { ParsedArgs } from '../args.ts';
import { type TartCommand, VM_NAME_HELP } from '../command.ts';
import { TartRuntimeError } from '../errors.ts';
import type { TartIo } from '../io.ts';
import { formatRemoteName, linkedDigest, parseRemoteName } from '../oci-cache.ts';

export const fqn: TartCommand = {
  spec: {
    name: 'fqn',
    abstract: 'Get a fully-qualified VM name',
    positionals: [{ name: 'name', help: VM_NAME_HELP }],
    options: [],
  },
  async run(args: ParsedArgs, io: TartIo): Promise<number> {
    const name = args.positionals[0]!;
    const remote = parseRemoteName(name);
    if (!remote) {
      io.out(name);
      return 0;
    }
    const digest = linkedDigest(remote);
    if (!digest) {
      throw new TartRuntimeError(`OCI storage error: ${name} is not a digest and doesn't point to a digest`);
    }
    io.out(formatRemoteName({ ...remote, reference: { kind: 'digest', value: digest } }));
    return 0;
  },
};
