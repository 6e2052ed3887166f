// The synthetic `log stream --style ndjson` the benchmarks parse: one generator for the parse,
// memory and peer benchmarks. Every fourth entry is the provider's subsystem, the rest are Apple's,
// so a subsystem filter keeps a quarter.
export const PROVIDER_SUBSYSTEM = 'com.example.sxl.app.proxy';

export const NDJSON_HEADER = `Filtering the log data using "process == \\"${PROVIDER_SUBSYSTEM}\\""\n`;

/** The n-th entry as one ndjson line (with its line break). */
export function ndjsonEntry(n: number): string {
  const provider = n % 4 === 0;
  return `${JSON.stringify({
    timezoneName: '',
    messageType: 'Default',
    eventType: 'logEvent',
    subsystem: provider ? PROVIDER_SUBSYSTEM : 'com.apple.networkextension',
    category: provider ? 'provider' : 'NEFlowDirector',
    processImagePath: provider
      ? `/Library/SystemExtensions/6F1C0C4E-1A7B-4D0E-9A55-0E2D3C4B5A69/${PROVIDER_SUBSYSTEM}.systemextension/Contents/MacOS/${PROVIDER_SUBSYSTEM}`
      : '/usr/libexec/nesessionmanager',
    timestamp: '2026-11-28 01:02:03.456789+0000',
    eventMessage: `handleNewFlow TCP com.apple.curl remote 93.184.216.34:443 flow ${n}`,
    processID: provider ? 612 : 311,
    threadID: 4242 + (n % 7),
  })}\n`;
}

/** The log in chunks of about `chunkChars`, until about `bytes` have been produced (whole entries). */
export function* ndjsonChunks(bytes: number, chunkChars = 1 << 16): Generator<string> {
  yield NDJSON_HEADER;
  let produced = NDJSON_HEADER.length;
  let n = 0;
  while (produced < bytes) {
    let chunk = '';
    while (chunk.length < chunkChars) chunk += ndjsonEntry(n++);
    produced += chunk.length;
    yield chunk;
  }
}
