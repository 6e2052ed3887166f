/** A complete top-level JSON object found by the scanner, still as text. */
export interface ScannedObject {
  readonly text: string;
  /** 1-based line on which the object starts. */
  readonly line: number;
  /** True when the object sat inside a top-level `[ ... ]` array (`--style json`), false for NDJSON. */
  readonly inArray: boolean;
}

/** Why the scanner stopped: a character outside any object that is not array framing, or a huge object. */
export interface ScanProblem {
  readonly line: number;
  readonly expected: string;
}

/**
 * Finds top-level JSON objects in text fed line by line, for both `[{...},{...}]` (json) and one
 * object per line (ndjson). Holds only the object being read, so memory stays bounded by
 * `maxObjectChars` however long the input is.
 */
export class JsonObjectScanner {
  private depth = 0;
  private inString = false;
  private escaped = false;
  private inArray = false;
  private buffer = '';
  private startLine = 0;

  constructor(private readonly maxObjectChars: number) {}

  /** True while an object is open: an excerpt that ends now loses that object. */
  get inObject(): boolean {
    return this.depth > 0;
  }

  /** Feeds one line (without its line ending); returns complete objects or the first problem. */
  feed(line: string, lineNumber: number): { objects: ScannedObject[]; problem: ScanProblem | null } {
    const objects: ScannedObject[] = [];
    let start = this.depth > 0 ? 0 : -1;
    for (let index = 0; index < line.length; index++) {
      const char = line[index]!;
      if (this.depth === 0) {
        if (char === '{') {
          this.depth = 1;
          this.startLine = lineNumber;
          start = index;
        } else if (char === '[') this.inArray = true;
        else if (char === ']') this.inArray = false;
        else if (char !== ',' && char !== ' ' && char !== '\t') {
          return { objects, problem: { line: lineNumber, expected: 'a JSON object "{ ... }"' } };
        }
        continue;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (char === '\\') this.escaped = true;
        else if (char === '"') this.inString = false;
      } else if (char === '"') this.inString = true;
      else if (char === '{' || char === '[') this.depth++;
      else if (char === '}' || char === ']') {
        this.depth--;
        if (this.depth === 0) {
          const text = this.buffer + line.slice(start, index + 1);
          this.buffer = '';
          start = -1;
          objects.push({ text, line: this.startLine, inArray: this.inArray });
        }
      }
    }
    if (this.depth > 0 && start >= 0) {
      this.buffer += `${line.slice(start)}\n`;
      if (this.buffer.length > this.maxObjectChars) {
        return {
          objects,
          problem: {
            line: this.startLine,
            expected: `a JSON object shorter than ${this.maxObjectChars} characters`,
          },
        };
      }
    }
    return { objects, problem: null };
  }
}
