// The CLI's ParseOutput: list items go to temporary files as they are found, so that a parse of any
// size holds only the parser's bounded state; writeJson then prints the result with each list read
// back from its file, in the same JSON a parse in memory prints.
import { appendFileSync, createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ParseOutput, ParseWarningCode } from './line-parser.ts';
import { WarningLog } from './line-parser.ts';

// A record separator cannot appear raw in JSON.stringify output (it escapes control characters), so
// it can both separate items in a file and mark where a list goes in the printed result.
const SEPARATOR = '\u001e';
const MARKER = /"\\u001elist:([^"\\]*)\\u001e"/g;
const FLUSH_CHARS = 1 << 20;

class SpilledList {
  constructor(readonly name: string) {}
  toJSON(): string {
    return `${SEPARATOR}list:${encodeURIComponent(this.name)}${SEPARATOR}`;
  }
}

interface ListFile {
  readonly path: string;
  buffer: string;
  count: number;
}

export class SpilledOutput implements ParseOutput {
  readonly log = new WarningLog();
  private readonly dir = mkdtempSync(join(tmpdir(), 'sxl-parse-'));
  private readonly files = new Map<string, ListFile>();

  warn(code: ParseWarningCode, line: number, message: string): void {
    this.log.add({ code, line, message });
  }

  push(list: string, item: unknown): void {
    const file = this.file(list);
    file.buffer += (file.count === 0 ? '' : SEPARATOR) + JSON.stringify(item, null, 2);
    file.count++;
    if (file.buffer.length >= FLUSH_CHARS) this.flush(file);
  }

  list<T>(name: string): T[] {
    return new SpilledList(name) as unknown as T[];
  }

  /** Prints `value` as `JSON.stringify(value, null, 2)` would, with the lists read back in. */
  async writeJson(value: unknown, write: (text: string) => Promise<void>): Promise<void> {
    const text = JSON.stringify(value, null, 2) ?? 'null';
    let last = 0;
    for (const match of text.matchAll(MARKER)) {
      await write(text.slice(last, match.index));
      last = match.index + match[0].length;
      const lineStart = text.lastIndexOf('\n', match.index) + 1;
      const indent = /^ */.exec(text.slice(lineStart))![0];
      await this.writeList(decodeURIComponent(match[1]!), indent, write);
    }
    await write(text.slice(last));
  }

  /** Removes the temporary files. */
  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async writeList(
    name: string,
    indent: string,
    write: (text: string) => Promise<void>,
  ): Promise<void> {
    const file = this.files.get(name);
    if (file === undefined || file.count === 0) {
      await write('[]');
      return;
    }
    this.flush(file);
    const inner = `${indent}  `;
    const reindent = (chunk: string): string =>
      chunk.replaceAll('\n', `\n${inner}`).replaceAll(SEPARATOR, `,\n${inner}`);
    await write(`[\n${inner}`);
    for await (const chunk of createReadStream(file.path, { encoding: 'utf8', highWaterMark: 1 << 16 })) {
      await write(reindent(chunk as string));
    }
    await write(`\n${indent}]`);
  }

  private file(list: string): ListFile {
    let file = this.files.get(list);
    if (file === undefined) {
      file = { path: join(this.dir, `${this.files.size}.json`), buffer: '', count: 0 };
      writeFileSync(file.path, '');
      this.files.set(list, file);
    }
    return file;
  }

  private flush(file: ListFile): void {
    if (file.buffer === '') return;
    appendFileSync(file.path, file.buffer);
    file.buffer = '';
  }
}
