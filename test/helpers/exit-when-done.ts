// Loaded into every test worker (package.json, ava.require). A test file whose tests are over but which
// still holds a socket, a server, a child process or a timer keeps its worker alive, and ava waits for
// it without end: CI would run into its time limit instead of naming the file (a failed setup that
// skipped its teardown did exactly that). After a grace for what is still closing, the worker names what
// it holds, with where each timer, socket, server and child was made, and exits with code 1, which ava
// reports as a failure of that file.
import { createHook } from 'node:async_hooks';
import { registerCompletionHandler } from 'ava';

const GRACE_MS = 15_000;

// Where each of these was made. Only an Error is kept per resource: V8 formats its stack when it is
// read, so a test run pays a few percent for this, not a stack formatted for every timer.
const TRACKED = new Set(['Timeout', 'TCPWRAP', 'TCPSERVERWRAP', 'PROCESSWRAP']);
const made = new Map<number, { type: string; resource: unknown; where: Error }>();
createHook({
  init(id, type, _trigger, resource) {
    if (!TRACKED.has(type)) return;
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 30;
    made.set(id, { type, resource, where: new Error(type) });
    Error.stackTraceLimit = limit;
  },
  destroy(id) {
    made.delete(id);
  },
}).enable();

/** A tracked resource that can still keep the worker alive (a referenced handle or pending timer). */
function holds(resource: unknown): boolean {
  const handle = resource as { hasRef?: () => boolean; _destroyed?: boolean };
  return handle._destroyed !== true && handle.hasRef?.() !== false;
}

/** The frames of `where` that are not this hook's or Node's own (Node's, when it has no others). */
function origin(where: Error): string {
  const frames = (where.stack ?? '').split('\n').slice(1);
  const outside = frames.filter((line) => !line.includes('exit-when-done') && !line.includes('(node:'));
  return (outside.length > 0 ? outside : frames).slice(0, 8).join('\n');
}

registerCompletionHandler(() => {
  const timer = setTimeout(() => {
    // The worker's own stdio and IPC pipes are among them (three PipeWraps).
    const counts = new Map<string, number>();
    for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
    const held = [...counts].map(([kind, n]) => `${n} ${kind}`).join(', ');
    const origins = [...made.values()]
      .filter(({ resource }) => holds(resource))
      .slice(0, 5)
      .map(({ type, where }) => `  ${type}, made at:\n${origin(where)}`);
    process.stderr.write(
      `This test file's worker still holds ${held} ${GRACE_MS / 1000} s after its last test: a test leaves something running (a timer, socket, server or child; end it with its test, in t.teardown).\n${origins.join('\n')}\n`,
    );
    process.exit(1);
  }, GRACE_MS);
  // Only what the tests left may keep the worker alive; this timer must not be the reason it waits.
  timer.unref();
});
