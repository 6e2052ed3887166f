// The harness's side of bench/compare-peers.ts as its own process (bundled first, as the package's
// compiled JavaScript is): what a user's node script pays, start-up included.
//   peer-client commands N             connect, run `true` N times, close
//   peer-client download REMOTE LOCAL  one GuestSession.download (verified with shasum unless SXL_NO_VERIFY)
// The endpoint comes from SXL_PEER_HOST, SXL_PEER_PORT, SXL_PEER_USER and SXL_PEER_KEY (a key file).
import { readFileSync } from 'node:fs';
import { GuestSession } from '../harness/ssh/guest-session.ts';

const [mode, ...args] = process.argv.slice(2);
const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`peer-client: ${name} is not set`);
  return value;
};
const guest = await GuestSession.connect(
  {
    host: env('SXL_PEER_HOST'),
    port: Number(env('SXL_PEER_PORT')),
    credentials: { username: env('SXL_PEER_USER'), privateKey: readFileSync(env('SXL_PEER_KEY')) },
  },
  { label: 'peer', timeoutMs: 20_000 },
);
try {
  if (mode === 'commands') {
    const count = Number(args[0] ?? 50);
    for (let i = 0; i < count; i += 1) await guest.exec(['true']);
  } else if (mode === 'download') {
    const [remote, local] = args;
    if (!remote || !local) throw new Error('peer-client download REMOTE LOCAL');
    await guest.download(remote, local, {
      verify: !process.env.SXL_NO_VERIFY,
      timeoutMs: 3_600_000,
      // For trying other windows: SXL_CHUNK_KIB and SXL_IN_FLIGHT.
      ...(process.env.SXL_CHUNK_KIB ? { chunkBytes: Number(process.env.SXL_CHUNK_KIB) * 1024 } : {}),
      ...(process.env.SXL_IN_FLIGHT ? { inFlight: Number(process.env.SXL_IN_FLIGHT) } : {}),
    });
  } else throw new Error(`peer-client: unknown mode ${mode}`);
} finally {
  guest.close();
}
