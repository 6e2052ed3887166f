// Replaying a hardware report: every raw output with a parser must parse, and its shape (the keys
// and kinds of what the parser read) must equal the shape the sim gives for the same command. So
// the first report from a real Mac tells at once where the parsers or the sim are wrong.
import { type RawOutput, rawOutputParsers } from './raw-outputs.ts';

/** Keys and kinds of a parsed value: `{a:string,b:[{c:number}]}`; an empty array matches any array. */
export function outputShape(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? '[]' : `[${outputShape(value[0])}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${k}:${outputShape(v)}`).join(',')}}`;
  }
  return typeof value;
}

function sameShape(a: string, b: string): boolean {
  // An empty list says nothing about its elements' shape.
  return (
    a === b ||
    (a.replace(/\[[^\]]*\]/g, '[]') === b.replace(/\[[^\]]*\]/g, '[]') &&
      (a.includes('[]') || b.includes('[]')))
  );
}

export interface ReplayedOutput {
  side: 'host' | 'guest';
  key: string;
  shape: string;
}

/** Parses every output that has a parser; throws naming the output and the parser's complaint. */
export function replayOutputs(outputs: readonly RawOutput[]): ReplayedOutput[] {
  const replayed: ReplayedOutput[] = [];
  for (const output of outputs) {
    const parse = rawOutputParsers[output.key];
    if (!parse) continue;
    try {
      replayed.push({ side: output.side, key: output.key, shape: outputShape(parse(output)) });
    } catch (error) {
      throw new Error(
        `Cannot read the recorded ${output.side} output ${output.key} (\`${output.command}\`): ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }
  return replayed;
}

/** Where the recorded shapes differ from the reference (the sim's), one sentence each. */
export function shapeDifferences(
  recorded: readonly ReplayedOutput[],
  reference: readonly ReplayedOutput[],
): string[] {
  const problems: string[] = [];
  for (const entry of recorded) {
    const match = reference.find((r) => r.side === entry.side && r.key === entry.key);
    if (!match) {
      problems.push(`${entry.side} ${entry.key}: the sim printed nothing for this command`);
      continue;
    }
    if (!sameShape(entry.shape, match.shape))
      problems.push(`${entry.side} ${entry.key}: recorded ${entry.shape}, the sim prints ${match.shape}`);
  }
  return problems;
}
