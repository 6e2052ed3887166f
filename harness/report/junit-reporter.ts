// junit.xml: one testsuite per scenario and image, one testcase per iteration; <failure> when a
// check failed, <error> when the harness or infrastructure failed. The only module that imports
// junit-report-builder. Rewritten as iterations finish (at most once a second, and always when the
// run ends, however it ends) so that an interrupted run still leaves it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Builder } from 'junit-report-builder';
import type { IterationResult, RunEvent } from '../scenario/events.ts';
import { attachmentLines, attachmentProperties } from './junit-attachments.ts';
import { RewriteThrottle } from './rewrite-throttle.ts';
import { type SummaryWording, summarize } from './run-summary.ts';
import { writeFileAtomic } from './write-atomic.ts';

export interface JUnitRunFacts {
  /** Masks secrets in the finished XML (messages and transcripts carry guest output). */
  redact?: (text: string) => string;
  runId: string;
  backend: string;
  /** The backend's own facts (the sim: seed, quirks), one suite property each. */
  backendProperties?: Readonly<Record<string, string>>;
  builds: Record<string, string>;
  /** Wording of the rate sentence per scenario. */
  wording?: (scenario: string) => SummaryWording;
  /** Recorded as a suite property, e.g. `guest`. */
  sleepStrategy?: string;
}

/** Transcripts larger than this are cut in system-out (the full file is in the run directory). */
// The package is CommonJS with module.exports = the builder, while its types describe an ES default
// export. Required on the first report, so that CLI commands that write none start faster.
const requireJunit = (): Builder => createRequire(import.meta.url)('junit-report-builder') as Builder;

const TRANSCRIPT_LIMIT = 64 * 1024;

/**
 * The shortest time between two rewrites while iterations finish: each rewrite is the whole file,
 * so a long run (1000 iterations) must not pay for one per iteration.
 */
export const JUNIT_REWRITE_INTERVAL_MS = 1000;

export class JUnitReporter {
  private readonly results: IterationResult[] = [];
  /** system-out per iteration, made once: the transcript does not change after its iteration. */
  private readonly systemOuts = new Map<IterationResult, string>();
  /** Iterations in the file as last written; -1 before the first write. */
  private written = -1;
  private readonly rewrite = new RewriteThrottle(() => this.writeNow(), JUNIT_REWRITE_INTERVAL_MS);
  /** What run-started said: the incomplete run's testcase belongs to its first suite. */
  private run: { scenario: string; image: string; planned: number; at: string } | undefined;
  /** How the run ended; undefined while it runs (or after the harness was killed mid-run). */
  private end: { interrupted: boolean; exitCode: number } | undefined;

  constructor(
    private readonly runDir: string,
    private readonly facts: JUnitRunFacts,
  ) {}

  get path(): string {
    return join(this.runDir, 'junit.xml');
  }

  handle(event: RunEvent): void {
    if (event.type === 'iteration-finished') {
      this.results.push(event.result);
      this.rewrite.soon();
    } else if (event.type === 'run-started') {
      this.run = { scenario: event.scenario, image: event.image, planned: event.iterations, at: event.at };
      this.flush();
    } else if (event.type === 'run-finished') {
      this.end = { interrupted: event.interrupted, exitCode: event.exitCode };
      this.written = -1;
      this.flush();
    }
  }

  /** Writes unless the file already holds every iteration so far. */
  flush(): void {
    if (this.written !== this.results.length) this.write();
  }

  write(): void {
    this.rewrite.now();
  }

  private writeNow(): void {
    this.written = this.results.length;
    const xml = this.build();
    writeFileAtomic(this.path, this.facts.redact ? this.facts.redact(xml) : xml);
  }

  build(): string {
    const builder = requireJunit().newBuilder();
    const suites = new Map<string, ReturnType<typeof builder.testSuite>>();
    const summaries = summarize(this.results, this.facts.wording);
    for (const result of this.results) {
      const key = `${result.scenario}\0${result.image}`;
      let suite = suites.get(key);
      if (!suite) {
        suite = builder
          .testSuite()
          .name(`${result.scenario} @ ${result.image}`)
          .timestamp(new Date(result.startedAt));
        suite.property('scenario', result.scenario);
        suite.property('image', result.image);
        suite.property('backend', this.facts.backend);
        suite.property('run-id', this.facts.runId);
        for (const [name, value] of Object.entries(this.facts.backendProperties ?? {}))
          suite.property(name, value);
        for (const [role, description] of Object.entries(this.facts.builds))
          suite.property(`build.${role}`, description);
        if (this.facts.sleepStrategy !== undefined)
          suite.property('sleep-strategy', this.facts.sleepStrategy);
        const summary = summaries.find((s) => s.id === result.scenario && s.image === result.image);
        if (summary) {
          suite.property('iterations', String(summary.iterations));
          suite.property('pass', String(summary.pass));
          suite.property('fail', String(summary.fail));
          suite.property('other-failures', String(summary.otherFailures));
          suite.property('errors', String(summary.error));
          suite.property('failure-rate', summary.failureRate === null ? 'n/a' : String(summary.failureRate));
          suite.property('ci95', `[${summary.ci95[0].toFixed(4)}, ${summary.ci95[1].toFixed(4)}]`);
          suite.property('summary', summary.sentence);
          for (const [name, values] of Object.entries(summary.findings ?? {})) {
            for (const [value, count] of Object.entries(values))
              suite.property(`${name}.${value}`, String(count));
          }
          for (const [name, m] of Object.entries(summary.measurements ?? {})) {
            for (const key of ['count', 'min', 'median', 'max'] as const)
              suite.property(`${name}.${key}`, String(m[key]));
          }
        }
        suites.set(key, suite);
      }
      const testCase = suite
        .testCase()
        .className(`sysext-lab.${result.scenario}`)
        .name(`${result.scenario} iteration ${result.iteration}`)
        .time(result.durationMs / 1000)
        .standardOutput(this.cachedSystemOut(result));
      if (result.outcome === 'fail') testCase.failure(result.message, result.failedCheck);
      else if (result.outcome === 'error') testCase.error(result.message, result.errorType);
      for (const { name, value } of attachmentProperties(result.artifacts, this.runDir))
        suite.property(name, value);
    }
    const incomplete = this.incompleteMessage();
    if (incomplete && this.run) {
      // Until the run ends (and when it ended early), an error testcase says so: a file left by a
      // harness killed with SIGKILL must not read as green (tests="0" failures="0" errors="0").
      const key = `${this.run.scenario}\0${this.run.image}`;
      const suite =
        suites.get(key) ??
        builder
          .testSuite()
          .name(`${this.run.scenario} @ ${this.run.image}`)
          .timestamp(new Date(this.run.at))
          .property('run-id', this.facts.runId);
      suite
        .testCase()
        .className(`sysext-lab.${this.run.scenario}`)
        .name(`${this.run.scenario} run incomplete`)
        .error(incomplete, this.end?.interrupted ? 'InterruptedError' : 'RunIncomplete');
    }
    // junit-report-builder puts `skipped` on <testsuites>, which the Jenkins xUnit schema
    // (junit-10.xsd) does not allow there; it stays on each <testsuite>, where it is allowed.
    return builder.build().replace(/^(<testsuites\b[^>]*?) skipped="\d+"/m, '$1');
  }

  /** Why the file does not hold the whole run, or undefined when it does. */
  private incompleteMessage(): string | undefined {
    const done = this.results.length;
    if (!this.end) {
      return `Run ${this.facts.runId} has not finished: ${done} iteration(s) recorded so far. If no sysext-lab process is running it, the harness was killed; \`sysext-lab reap\` finishes its files`;
    }
    if (this.end.interrupted) {
      return `Run ${this.facts.runId} was interrupted (exit code ${this.end.exitCode}) after ${done} iteration(s)${this.run ? ` of ${this.run.planned} planned` : ''}`;
    }
    // The file is green only when the run is: an exit code that is not 0 with nothing failed or
    // errored in the file (a crash before or between iterations) is said as such.
    if (this.end.exitCode !== 0 && this.results.every((r) => r.outcome === 'pass')) {
      return `Run ${this.facts.runId} ended with exit code ${this.end.exitCode} after ${done} iteration(s)${this.run ? ` of ${this.run.planned} planned` : ''}: see the console or run.json`;
    }
    return undefined;
  }

  private cachedSystemOut(result: IterationResult): string {
    let text = this.systemOuts.get(result);
    if (text === undefined) {
      text = this.systemOut(result);
      this.systemOuts.set(result, text);
    }
    return text;
  }

  private systemOut(result: IterationResult): string {
    const lines = [`VM ${result.vm}, outcome ${result.outcome}`];
    for (const [name, value] of Object.entries(result.findings ?? {})) lines.push(`${name}: ${value}`);
    for (const step of result.steps) {
      lines.push(
        `step ${step.ok ? 'ok  ' : 'FAIL'} ${step.name} (${step.durationMs} ms)${step.error ? `: ${step.error}` : ''}`,
      );
    }
    if (result.message) lines.push(`${result.outcome}: ${result.message}`);
    // Jenkins' JUnit Attachments plugin and GitLab read these lines; paths are relative to junit.xml.
    if (result.artifacts.length > 0) lines.push('', attachmentLines(result.artifacts, this.runDir));
    const transcriptFile = `iterations/${result.iteration}/transcript.log`;
    // A passing iteration's transcript stays in its file: a long run would carry megabytes of them.
    if (result.outcome === 'pass') lines.push('', `transcript: ${transcriptFile}`);
    else lines.push('', '--- transcript ---', this.readTranscript(transcriptFile));
    // XML 1.0 cannot carry most control characters, whatever the escaping.
    return lines.join('\n').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '\uFFFD');
  }

  private readTranscript(file: string): string {
    let transcript: string;
    try {
      transcript = readFileSync(join(this.runDir, file), 'utf8');
    } catch {
      return '(no transcript)';
    }
    if (transcript.length <= TRANSCRIPT_LIMIT) return transcript;
    return `(first ${TRANSCRIPT_LIMIT} characters; full file: ${file})\n${transcript.slice(0, TRANSCRIPT_LIMIT)}`;
  }
}
