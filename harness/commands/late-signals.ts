// A second Ctrl-C often lands just after a run has cleaned up, while the CLI prints its last lines
// and exits: with no listener left it would kill the process and turn the run's exit code into a
// death by signal (what a CI job or a wrapping script then sees).

/**
 * Called when a command takes its own signal listeners off: one late signal of each kind is
 * absorbed (the run's results and exit code stand); another kills as usual, so a CLI that hangs can
 * still be stopped. Listeners do not keep the process alive.
 */
export function absorbLateSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    if (!process.listeners(signal).includes(onLateSignal)) process.once(signal, onLateSignal);
  }
}

function onLateSignal(signal: NodeJS.Signals): void {
  process.stderr.write(`\n${signal}: the run had already finished; its results and exit code stand\n`);
}
