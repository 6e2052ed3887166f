// Loaded into every test worker (package.json, ava.require). A test file whose tests are over but which
// still holds a socket, a server, a child process or a timer keeps its worker alive, and ava waits for
// it without end: CI would run into its time limit instead of naming the file (a failed setup that
// skipped its teardown did exactly that). After a grace for what is still closing, the worker names what
// it holds and exits with code 1, which ava reports as a failure of that file.
import { registerCompletionHandler } from 'ava';

const GRACE_MS = 15_000;

registerCompletionHandler(() => {
  const timer = setTimeout(() => {
    // The worker's own stdio and IPC pipes are among them (three PipeWraps).
    const counts = new Map<string, number>();
    for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
    const held = [...counts].map(([kind, n]) => `${n} ${kind}`).join(', ');
    process.stderr.write(
      `This test file's worker still holds ${held} ${GRACE_MS / 1000} s after its last test: a test leaves something running (a timer, socket, server or child; end it with its test, in t.teardown).\n`,
    );
    process.exit(1);
  }, GRACE_MS);
  // Only what the tests left may keep the worker alive; this timer must not be the reason it waits.
  timer.unref();
});
