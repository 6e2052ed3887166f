// screencapture -x FILE: a PNG of the (headless) display. The Cirrus base images grant
// ScreenCapture to sshd-keygen-wrapper (real-mac-review.md item 1); without a GUI session there is
// no display to capture.
import { hasGuiSession } from '../model/gui-session.ts';
import { type CommandContext, type CommandTable, fail, ok } from '../shell/types.ts';

// A valid 1x1 grey PNG: the sim draws no UI, but evidence code must get a real image file.
const BLANK_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgYAAAAAMAASsJTYQAAAAASUVORK5CYII=',
  'base64',
);

async function screencapture(ctx: CommandContext) {
  const files = ctx.argv.slice(1).filter((arg) => !/^-[xCcSomMiWwtTaUk]+$/.test(arg));
  const file = files[0];
  // [RECONSTRUCTED] usage and the no-display text.
  if (file === undefined || files.length > 1)
    return fail('screencapture: illegal usage, file required if not going to clipboard\n');
  if (!hasGuiSession(ctx.machine.state)) return fail('could not create image from display\n');
  try {
    await ctx.fs.writeFile(file, BLANK_PNG);
  } catch (error) {
    return fail(
      `screencapture: cannot write file to intended destination, ${file}: ${(error as Error).message}\n`,
    );
  }
  return ok();
}

export const screencaptureCommands: CommandTable = { screencapture };
