// Is an --image name one that tart can clone? tart reads a name as a remote (OCI) name when it parses
// by its grammar (`tart:Sources/tart/OCI/Reference/Reference.g4`, `RemoteName.swift`):
//   host(:port)?/namespace(:tag | @sha256:digest)?
// and as a local VM (a folder under TART_HOME/vms) otherwise. A name with "/" that does not parse is
// neither: tart would look for a local VM of that name and answer "does not exist" after a clone
// attempt. Names that begin with "-" would be read as options by the command line.

// host_component: name ('-' name)*; host: host_component ('.' host_component)*
const HOST = String.raw`[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*(?:\.[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*)*`;
// namespace_component: (name separator?)+, written so that it matches in linear time
const NAMESPACE_COMPONENT = '[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*[._-]?';
const TAG = '[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*';
// The grammar takes any "@name:name"; RemoteName accepts only "@sha256:"; registries want 64 hex digits.
const DIGEST = 'sha256:[a-f0-9]{64}';
const REMOTE = new RegExp(
  `^${HOST}(?::[0-9]+)?/${NAMESPACE_COMPONENT}(?:/${NAMESPACE_COMPONENT})*(?::${TAG}|@${DIGEST})?$`,
);
// Reconstructed: tart takes any folder name as a local VM; we accept the names tart's own docs and
// `tart clone` examples use, so that spaces, quotes and shell characters are caught here.
const LOCAL = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Why `name` is not a remote or local image name tart can clone, or undefined when it is one. */
export function imageNameProblem(name: string): string | undefined {
  if (name.startsWith('-')) return 'it begins with "-", which tart would read as an option';
  if (name.includes('/')) {
    if (REMOTE.test(name)) return undefined;
    return 'it is not a well-formed OCI reference (host[:port]/namespace[:tag] or host/namespace@sha256:<64 hex digits>)';
  }
  if (LOCAL.test(name)) return undefined;
  if (name.includes(':')) {
    return 'a remote image needs its registry host (e.g. ghcr.io/cirruslabs/macos-sequoia-base:latest), and a local VM name has no ":"';
  }
  return 'a local VM name is letters, digits, ".", "_" and "-", starting with a letter or digit';
}
