import test from 'ava';
import { LogPersistenceError } from '../../../harness/errors.ts';
import {
  logPersistenceDefaults,
  persistSubsystemLogging,
  verifyLogPersistence,
} from '../../../harness/macos/log-config.ts';
import { parseSubsystemLogMode, persistsLevel } from '../../../harness/parse/unified-log-config.ts';
import { GuestSession } from '../../../harness/ssh/guest-session.ts';
import { bootTestGuest } from '../../helpers/sim-guest.ts';

test('log config --status: the published forms, with and without PERSIST_ and extra words', (t) => {
  t.deepEqual(parseSubsystemLogMode("Mode for 'com.apple.appleevents'  DEBUG PERSIST_DEFAULT\n"), {
    subsystem: 'com.apple.appleevents',
    level: 'debug',
    persist: 'default',
    words: ['DEBUG', 'PERSIST_DEFAULT'],
  });
  // Apple's own sample prints the level alone: persistence unknown, so never "persisted".
  const bare = parseSubsystemLogMode("Mode for 'com.your_company.name' DEBUG");
  t.like(bare, { subsystem: 'com.your_company.name', level: 'debug' });
  t.is(bare?.persist, undefined);
  t.false(persistsLevel(bare!, 'info'));
  const full = parseSubsystemLogMode(
    "Mode for 'com.x'  DEBUG PERSIST_DEBUG SIGNPOST_BACKTRACES OVERSIZE_ON\n",
  )!;
  t.true(persistsLevel(full, 'debug'));
  t.true(persistsLevel(parseSubsystemLogMode("Mode for 'com.x'  INFO PERSIST_INFO")!, 'info'));
  t.false(persistsLevel(parseSubsystemLogMode("Mode for 'com.x'  INFO PERSIST_INFO")!, 'debug'));
  t.false(persistsLevel(parseSubsystemLogMode("Mode for 'com.x'  DEBUG PERSIST_DEFAULT")!, 'info'));
  t.is(parseSubsystemLogMode('System mode = INFO\n'), undefined);
  t.is(parseSubsystemLogMode(''), undefined);
});

test('persistSubsystemLogging on the sim: an unconfigured subsystem is a LogPersistenceError, configured it verifies', async (t) => {
  const testGuest = await bootTestGuest({});
  const guest = await GuestSession.connect(testGuest.endpoint, { label: 'sxl-test-1', timeoutMs: 10_000 });
  try {
    const error = await t.throwsAsync(verifyLogPersistence(guest, 'com.example.sxl.app.proxy'), {
      instanceOf: LogPersistenceError,
    });
    t.regex(
      error?.message ?? '',
      /^Logging of com\.example\.sxl\.app\.proxy is not persisted on .*: debug messages must be collected and persisted; log config --status said: INFO PERSIST_DEFAULT \(exit 0\)$/,
    );
    t.regex(
      error?.evidence['log-config.txt'] ?? '',
      /^\$ sudo -n log config --status --subsystem com\.example\.sxl\.app\.proxy\n/,
    );
    const done = await persistSubsystemLogging(guest, 'com.example.sxl.app.proxy');
    t.like(done, { subsystem: 'com.example.sxl.app.proxy', level: logPersistenceDefaults.level });
    t.deepEqual(done.mode.words, ['DEBUG', 'PERSIST_DEBUG']);
    // An unreadable mode is refused by log config itself: the error carries its exit and text.
    const bad = await t.throwsAsync(persistSubsystemLogging(guest, ''), { instanceOf: LogPersistenceError });
    t.regex(bad?.message ?? '', /log config exited 64: log: Missing value for --subsystem/);
  } finally {
    guest.close();
    await testGuest.guest.powerOff();
  }
});
