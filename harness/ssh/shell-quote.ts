// The only place that turns arguments into guest shell text. Every interpolated argument goes
// through quoteArg, so names like `[T] TEXT.app`, quotes and `$(...)` reach the guest literally.

/** Quotes one argument for zsh/sh: single quotes, with embedded single quotes as '\''. */
export function quoteArg(arg: string): string {
  if (arg === '') return "''";
  // Plain words stay readable in transcripts; anything else is quoted.
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** Builds a command line from argv, quoting every element. */
export function shellCommand(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('shellCommand needs at least the program name');
  return argv.map(quoteArg).join(' ');
}
