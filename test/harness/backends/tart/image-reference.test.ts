// --image names are checked against tart's reference grammar before any clone.
import test from 'ava';
import { imageNameProblem } from '../../../../harness/backends/tart/image-reference.ts';

const digest = `sha256:${'0123456789abcdef'.repeat(4)}`;

for (const good of [
  'ghcr.io/cirruslabs/macos-sequoia-base:latest',
  'ghcr.io/cirruslabs/macos-sequoia-base',
  `ghcr.io/cirruslabs/macos-sequoia-base@${digest}`,
  'registry.local:5000/team/golden/sonoma_xcode:15.4-b2',
  'gallery.ecr.aws/cirruslabs/macos:v1',
  'sequoia-golden',
  'golden.v2_x',
]) {
  test(`accepts ${good}`, (t) => {
    t.is(imageNameProblem(good), undefined);
  });
}

for (const [bad, problem] of [
  ['-x', /begins with "-"/],
  ['--help', /begins with "-"/],
  ['foo bar', /local VM name is letters/],
  ['macos-sequoia-base:latest', /needs its registry host/],
  ['ghcr.io/a b:1', /not a well-formed OCI reference/],
  ['ghcr.io/cirruslabs/macos:', /not a well-formed OCI reference/],
  ['ghcr.io/cirruslabs/macos@sha256:abc', /not a well-formed OCI reference/],
  ['ghcr.io//macos', /not a well-formed OCI reference/],
  ['/Users/me/vm', /not a well-formed OCI reference/],
  ['', /local VM name/],
] as const) {
  test(`rejects "${bad}"`, (t) => {
    t.regex(imageNameProblem(bad) ?? 'accepted', problem);
  });
}
