// `sysext-lab parse` as a user runs it: input piped from a slow producer (the EAGAIN of a
// non-blocking stdin), a file, auto detection, --help, --strict. Through the real CLI process.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { synthesize, syntheticInputs } from '../../../bench/parse-inputs.ts';
import { parseKinds, parseKindText } from '../../../harness/parse/registry.ts';
import { cli } from '../../helpers/sim-env.ts';
import { fixture } from './helpers.ts';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI; `feed` writes its stdin (and must end it). */
function runCli(args: string[], feed?: (stdin: NodeJS.WritableStream) => Promise<void>): Promise<Run> {
  const child = spawn('node', [cli, 'parse', ...args], { stdio: [feed ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  if (feed) void feed(child.stdin!);
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a slow producer piping more than 64 KB of launchctl list parses completely', async (t) => {
  t.timeout(90_000);
  const rows = Array.from(
    { length: 4000 },
    (_, n) => `${n % 3 === 0 ? '-' : 100 + n}\t0\tcom.example.job${n}\n`,
  );
  const run = await runCli(['launchctl-list'], async (stdin) => {
    // Nothing for a while, then the rows in uneven pieces: the reader must wait, not fail.
    await pause(300);
    stdin.write('PID\tStatus\tLabel\n');
    for (let at = 0; at < rows.length; at += 700) {
      stdin.write(rows.slice(at, at + 700).join(''));
      await pause(50);
    }
    stdin.end();
  });
  t.is(run.code, 0, run.stderr);
  const parsed = JSON.parse(run.stdout) as {
    jobs: { pid: number | null; label: string }[];
    warnings: unknown[];
  };
  t.is(parsed.jobs.length, 4000);
  t.deepEqual(parsed.jobs[3998], { pid: 4098, status: 0, label: 'com.example.job3998' });
  t.deepEqual(parsed.jobs[3999], { pid: null, status: 0, label: 'com.example.job3999' });
  t.deepEqual(parsed.warnings, []);
});

// Every kind, as `(sleep 1; cat f) | sysext-lab parse <kind>` feeds it: a pause, then more than the
// 64 KB of a pipe buffer in uneven pieces. The printed JSON must be what the parse in memory gives.
// (bench/parse-memory.ts --cli does the same with 100 MB and more, and measures the memory.)
test('every kind reads a slow producer on a pipe completely: the JSON equals the parse in memory', async (t) => {
  t.timeout(300_000);
  t.deepEqual(Object.keys(syntheticInputs).sort(), Object.keys(parseKinds).sort());
  for (const kind of Object.keys(parseKinds)) {
    const text = [...synthesize(syntheticInputs[kind]!, 200_000)].join('');
    const run = await runCli([kind], async (stdin) => {
      await pause(200);
      for (let at = 0, piece = 1; at < text.length; at += piece * 9_973, piece = (piece % 7) + 1) {
        stdin.write(text.slice(at, at + piece * 9_973));
        await pause(10);
      }
      stdin.end();
    });
    t.is(run.code, 0, `${kind}: ${run.stderr}`);
    const { result, warnings } = parseKindText(kind, text);
    const expected = result !== null && typeof result === 'object' ? { ...result, warnings } : result;
    t.deepEqual(JSON.parse(run.stdout), JSON.parse(JSON.stringify(expected)), kind);
  }
});

test('the printed JSON equals the in-memory result, lists read back from their spill files', async (t) => {
  t.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'sxl-parse-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'akd.txt');
  writeFileSync(file, fixture('launchctl-print-akd.txt'));
  const run = await runCli(['launchctl-print', file]);
  t.is(run.code, 0, run.stderr);
  const { parseLaunchctlPrint } = await import('../../../harness/parse/launchctl-print.ts');
  t.deepEqual(JSON.parse(run.stdout), {
    ...parseLaunchctlPrint(fixture('launchctl-print-akd.txt')),
    warnings: [],
  });
});

test('auto says which kind it chose; --strict turns warnings into exit 1; garbage is exit 2', async (t) => {
  t.timeout(60_000);
  const paste = fixture('scutil-nc-list-redacted.txt');
  const auto = await runCli([], async (stdin) => {
    stdin.end(paste);
  });
  t.is(auto.code, 0, auto.stderr);
  t.regex(auto.stderr, /auto: read as scutil-nc-list/);
  t.regex(auto.stderr, /warning: line 2: redacted-id/);
  t.is(JSON.parse(auto.stdout).services[0].id, null);
  const dir = mkdtempSync(join(tmpdir(), 'sxl-parse-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'sw_vers.txt'), fixture('sw-vers-rsr.txt'));
  const byFile = await runCli([join(dir, 'sw_vers.txt')]);
  t.is(byFile.code, 0, byFile.stderr);
  t.regex(byFile.stderr, /auto: read as sw-vers/);
  t.is(JSON.parse(byFile.stdout).productVersionExtra, '(a)');
  const strict = await runCli(['scutil-nc-list', '--strict'], async (stdin) => {
    stdin.end(paste);
  });
  t.is(strict.code, 1);
  const garbage = await runCli(['auto'], async (stdin) => {
    stdin.end('hello world\n');
  });
  t.is(garbage.code, 2);
  t.regex(garbage.stderr, /Cannot tell which command printed the input/);
});

test('parse --help lists every kind with its command and an example; parse <kind> --help shows one', async (t) => {
  t.timeout(60_000);
  const help = await runCli(['--help']);
  t.is(help.code, 0);
  for (const kind of ['systemextensions-list', 'pkgutil-pkg-info', 'unified-log', 'sw-vers']) {
    t.regex(help.stdout, new RegExp(`${kind} `));
  }
  t.regex(help.stdout, /e\.g\. systemextensionsctl list \| sysext-lab parse systemextensions-list/);
  const one = await runCli(['pmset-log', '--help']);
  t.is(one.code, 0);
  t.regex(one.stdout, /Reads the output of: pmset -g log/);
  const unknown = await runCli(['nope', '--help']);
  t.is(unknown.code, 2);
  t.regex(unknown.stderr, /Unknown parse kind "nope"/);
});

test('a reader that stops early (| head) ends the parse quietly with exit 0, not an EPIPE stack', async (t) => {
  t.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'sxl-parse-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'launchctl-list.txt');
  writeFileSync(file, [...synthesize(syntheticInputs['launchctl-list']!, 4_000_000)].join(''));
  const child = spawn('node', [cli, 'parse', 'launchctl-list', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  // Read the first piece of the JSON, then close the pipe as head does.
  child.stdout!.once('data', () => child.stdout!.destroy());
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  t.is(code, 0, stderr);
  t.notRegex(stderr, /EPIPE|Error/);
});

test('--strict with warnings is exit 1 even when the reader stops early (| head)', async (t) => {
  t.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'sxl-parse-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'launchctl-list.txt');
  // A long list whose last line is cut (no newline) and no row: a `truncated` warning, printed
  // after the jobs, so the reader is gone before it.
  writeFileSync(
    file,
    `${[...synthesize(syntheticInputs['launchctl-list']!, 4_000_000)].join('')}cut off here`,
  );
  const child = spawn('node', [cli, 'parse', 'launchctl-list', file, '--strict'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  child.stdout!.once('data', () => child.stdout!.destroy());
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  t.regex(stderr, /warning: line \d+: truncated/);
  t.is(code, 1, stderr);
  t.notRegex(stderr, /EPIPE|Error/);
});
