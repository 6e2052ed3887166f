// The host key generator: ssh2's own generator writes about 1 ed25519 key in 270 that its parser
// rejects, and a disk or test sshd given such a key cannot start. 3000 keys hold such a key with
// a probability above 0.9999, so without the generator's check this test fails.
import test from 'ava';
import ssh2 from 'ssh2';
import { generateHostKeyPair } from '../../../sim/guest/ssh/host-key.ts';

test('every generated host key parses, as sshd needs it to', (t) => {
  const unparsable: string[] = [];
  for (let i = 0; i < 3000; i += 1) {
    const pair = generateHostKeyPair();
    if (ssh2.utils.parseKey(pair.private) instanceof Error) unparsable.push(pair.private);
    if (ssh2.utils.parseKey(pair.public) instanceof Error) unparsable.push(pair.public);
  }
  t.deepEqual(unparsable, []);
});
