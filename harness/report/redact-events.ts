// Masks secrets in every RunEvent before any reporter sees it: the console's FAIL line, junit.xml,
// the JSON files and report.html then encode text that holds no secret. Masking the encoded text
// instead misses a secret that the encoding changed (`Sec&amp;ret&lt;tag>` in XML, `\"` in JSON).
import type { RunEvent } from '../scenario/events.ts';
import type { Redactor } from './redact.ts';
import type { Reporter } from './reporter.ts';

/** A reporter that hands each event, with every string in it masked, to `next`. */
export function redactingReporter(redactor: Redactor, next: Reporter): Reporter {
  if (!redactor.active) return next;
  return { handle: (event) => next.handle(redactValue(redactor, event) as RunEvent) };
}

/** A copy of plain data (objects, arrays, strings) with secrets masked in every string. */
export function redactValue(redactor: Redactor, value: unknown): unknown {
  if (typeof value === 'string') return redactor.redact(value);
  if (Array.isArray(value)) return value.map((item) => redactValue(redactor, item));
  if (value === null || typeof value !== 'object' || !isPlain(value)) return value;
  const copy: Record<string, unknown> = {};
  // Keys too: findings and evidence are keyed by names that may come from guest output.
  for (const [key, item] of Object.entries(value)) copy[redactor.redact(key)] = redactValue(redactor, item);
  return copy;
}

function isPlain(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
