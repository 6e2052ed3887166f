// Masks secrets (the SSH password, registry credentials, tokens named by environment variables) in
// everything the harness writes. Files are rewritten as streams, so a 1 GB log never sits in memory.
// Text gets a label, `[REDACTED:NAME]`; other files get a same-length mask of `*`, which keeps binary
// layouts intact. A .gz/.tgz (a sysdiagnose) is redacted inside: gunzip, mask, gzip again; the tar
// stays valid because member sizes do not change (a secret inside a tar header name would break that
// header's checksum: it is masked anyway, since a readable archive with the secret is worse).
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { type Readable, Transform, type TransformCallback, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';

export interface Secret {
  /** What it is, for the label and for reports: `SSH_PASSWORD`, `TART_REGISTRY_PASSWORD`. */
  name: string;
  value: string;
}

export interface RedactorOptions {
  /**
   * Secrets shorter than this are not masked: masking `admin` (the Cirrus images' default password)
   * would mangle every `/Users/admin` path, and so short a value protects nothing anyway.
   * @default 6
   */
  minLength?: number;
}

export interface FromEnvironmentOptions extends RedactorOptions {
  /** The guest's SSH password. */
  sshPassword?: string;
  /** Further secrets by value, e.g. those a backend names (its SSH password, an API token). */
  secrets?: readonly Secret[];
  /** Environment variables holding tokens (e.g. `GITHUB_TOKEN`). */
  tokenEnvNames?: readonly string[];
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
}

/** Environment variables always treated as secrets when set (tart's registry login, tart-cli.md). */
export const registryCredentialEnv = ['TART_REGISTRY_USERNAME', 'TART_REGISTRY_PASSWORD'] as const;

const TEXT_EXTENSIONS = new Set([
  '.txt',
  '.log',
  '.ndjson',
  '.json',
  '.md',
  '.xml',
  '.html',
  '.csv',
  '.plist',
]);

interface Pattern {
  name: string;
  bytes: Buffer;
}

export class Redactor {
  /** Secrets not masked, and why; the caller may print them as a notice (names only). */
  readonly ignored: { name: string; reason: string }[] = [];
  private readonly patterns: Pattern[];
  private readonly maxLength: number;

  constructor(secrets: readonly Secret[], options: RedactorOptions = {}) {
    const minLength = options.minLength ?? 6;
    const patterns = new Map<string, Pattern>();
    for (const secret of secrets) {
      if (secret.value.length < minLength) {
        this.ignored.push({ name: secret.name, reason: `shorter than ${minLength} characters` });
        continue;
      }
      for (const variant of variants(secret.value)) {
        if (!patterns.has(variant)) patterns.set(variant, { name: secret.name, bytes: Buffer.from(variant) });
      }
    }
    // Longest first, so a secret that contains another is masked whole.
    this.patterns = [...patterns.values()].sort((a, b) => b.bytes.length - a.bytes.length);
    this.maxLength = Math.max(0, ...this.patterns.map((p) => p.bytes.length));
  }

  static fromEnvironment(options: FromEnvironmentOptions = {}): Redactor {
    const env = options.env ?? process.env;
    const secrets: Secret[] = [];
    if (options.sshPassword) secrets.push({ name: 'SSH_PASSWORD', value: options.sshPassword });
    for (const secret of options.secrets ?? []) if (secret.value) secrets.push(secret);
    for (const name of [...registryCredentialEnv, ...(options.tokenEnvNames ?? [])]) {
      const value = env[name];
      if (value) secrets.push({ name, value });
    }
    return new Redactor(secrets, options);
  }

  /** True when there is something to mask. */
  get active(): boolean {
    return this.patterns.length > 0;
  }

  redact(text: string): string {
    if (!this.active) return text;
    const out = new Masker(this.patterns, this.maxLength, 'label');
    return Buffer.concat([out.push(Buffer.from(text)), out.end()]).toString('utf8');
  }

  /** A stream that masks as data flows through; `count()` tells how many secrets it masked. */
  stream(style: 'label' | 'same-length'): Transform & { count(): number } {
    const masker = new Masker(this.patterns, this.maxLength, style);
    const transform = new Transform({
      transform(chunk: Buffer, _encoding, callback: TransformCallback) {
        callback(null, masker.push(chunk));
      },
      flush(callback: TransformCallback) {
        callback(null, masker.end());
      },
    });
    return Object.assign(transform, { count: () => masker.count });
  }

  /** Rewrites a file in place with its secrets masked; returns how many were masked. */
  async redactFile(path: string, options: { signal?: AbortSignal } = {}): Promise<number> {
    if (!this.active) return 0;
    const extension = extname(path).toLowerCase();
    const gzipped = extension === '.gz' || extension === '.tgz';
    const masking = this.stream(gzipped || !TEXT_EXTENSIONS.has(extension) ? 'same-length' : 'label');
    const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.redacting`);
    const stages: (Readable | Transform | Writable)[] = [createReadStream(path)];
    if (gzipped) stages.push(createGunzip(), masking, createGzip());
    else stages.push(masking);
    stages.push(createWriteStream(temporary));
    try {
      await pipeline(stages, { signal: options.signal });
    } catch (error) {
      await rm(temporary, { force: true });
      // A file named .gz that is not gzip at all is masked as the bytes it is.
      if (gzipped && !(await startsWithGzipMagic(path))) return this.redactAsBinary(path, options);
      // A truncated or corrupt archive cannot be searched: it must not stay on disk unredacted.
      await rm(path, { force: true });
      throw new RedactionError(path, error);
    }
    if (masking.count() === 0) {
      // Nothing to mask: keep the original bytes (and its hash) untouched.
      await rm(temporary, { force: true });
      return 0;
    }
    await rename(temporary, path);
    return masking.count();
  }

  /** Same-length masking of the raw bytes (a file whose name says gzip but whose bytes do not). */
  private async redactAsBinary(path: string, options: { signal?: AbortSignal }): Promise<number> {
    const masking = this.stream('same-length');
    const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.redacting`);
    try {
      await pipeline([createReadStream(path), masking, createWriteStream(temporary)], {
        signal: options.signal,
      });
    } catch (error) {
      await rm(temporary, { force: true });
      await rm(path, { force: true });
      throw new RedactionError(path, error);
    }
    if (masking.count() === 0) {
      await rm(temporary, { force: true });
      return 0;
    }
    await rename(temporary, path);
    return masking.count();
  }
}

/**
 * A file could not be searched for secrets (a truncated or corrupt .gz, a read error): it has been
 * removed, so that nothing unredacted stays on disk. The caller reports it.
 */
export class RedactionError extends Error {
  override name = 'RedactionError';
  constructor(
    readonly path: string,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`Redaction failed for ${path}, so it was removed: ${reason}`, { cause });
  }
}

async function startsWithGzipMagic(path: string): Promise<boolean> {
  const handle = await open(path, 'r').catch(() => undefined);
  if (!handle) return false;
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

/** The forms a secret takes in our files: raw, JSON-escaped (ndjson, with `\/`), URL-encoded, XML/HTML-escaped. */
function variants(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1);
  return [
    ...new Set([
      value,
      json,
      json.replaceAll('/', '\\/'),
      // Other JSON writers escape more as \uXXXX: everything outside ASCII (Python's ensure_ascii),
      // or <, >, & (Go's encoding/json) and ' (HTML-safe serialisers) as well; either case of hex.
      unicodeEscaped(json, /[^\x20-\x7e]/gu, 'lower'),
      unicodeEscaped(json, /[^\x20-\x7e]/gu, 'upper'),
      unicodeEscaped(json, /[^\x20-\x7e]|[<>&]/gu, 'lower'),
      unicodeEscaped(json, /[^\x20-\x7e]|[<>&]/gu, 'upper'),
      unicodeEscaped(json, /[^\x20-\x7e]|[<>&']/gu, 'lower'),
      unicodeEscaped(json, /[^\x20-\x7e]|[<>&']/gu, 'upper'),
      encodeURIComponent(value),
      ...markupEscaped(value),
    ]),
  ];
}

/** `text` with each character matching `which` written as JSON's \uXXXX (UTF-16 units, as JSON has them). */
function unicodeEscaped(text: string, which: RegExp, hexCase: 'lower' | 'upper'): string {
  return text.replace(which, (char) =>
    [...Array(char.length).keys()]
      .map((k) => {
        const hex = char.charCodeAt(k).toString(16).padStart(4, '0');
        return `\\u${hexCase === 'upper' ? hex.toUpperCase() : hex}`;
      })
      .join(''),
  );
}

/** XML text and attribute escaping (junit.xml) and HTML's (report.html, `'` as `&#39;` or `&#x27;`). */
function markupEscaped(value: string): string[] {
  const text = value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
  const attribute = text.replaceAll('"', '&quot;');
  return [
    text,
    attribute,
    attribute.replaceAll("'", '&#39;'),
    attribute.replaceAll("'", '&#x27;'),
    attribute.replaceAll("'", '&apos;'),
  ];
}

/** Byte-level search and replace across chunk boundaries: keeps the last maxLength-1 bytes back. */
class Masker {
  count = 0;
  private carry = Buffer.alloc(0);

  constructor(
    private readonly patterns: readonly Pattern[],
    private readonly maxLength: number,
    private readonly style: 'label' | 'same-length',
  ) {}

  push(chunk: Buffer): Buffer {
    const buffer = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    return this.scan(buffer, Math.max(0, buffer.length - (this.maxLength - 1)));
  }

  end(): Buffer {
    return this.scan(this.carry, this.carry.length);
  }

  /** Masks matches that start before `safe` (they lie wholly in `buffer`); the rest waits. */
  private scan(buffer: Buffer, safe: number): Buffer {
    const parts: Buffer[] = [];
    let position = 0;
    for (;;) {
      let best: { index: number; pattern: Pattern } | undefined;
      for (const pattern of this.patterns) {
        const index = buffer.indexOf(pattern.bytes, position);
        if (index !== -1 && index < safe && (!best || index < best.index)) best = { index, pattern };
      }
      if (!best) break;
      // Secrets that overlap this one (a start inside it, an end beyond) are masked with it, so
      // that no tail of the second stays readable.
      let end = best.index + best.pattern.bytes.length;
      for (let k = best.index + 1; k < end; k += 1) {
        for (const pattern of this.patterns) {
          const patternEnd = k + pattern.bytes.length;
          if (patternEnd <= end || patternEnd > buffer.length) continue;
          if (buffer.subarray(k, patternEnd).equals(pattern.bytes)) {
            end = patternEnd;
            this.count += 1;
          }
        }
      }
      parts.push(buffer.subarray(position, best.index), this.replacement(best.pattern, end - best.index));
      position = end;
      this.count += 1;
    }
    const emitEnd = Math.max(position, safe);
    parts.push(buffer.subarray(position, emitEnd));
    this.carry = Buffer.from(buffer.subarray(emitEnd));
    return Buffer.concat(parts);
  }

  private replacement(pattern: Pattern, length: number): Buffer {
    return this.style === 'label' ? Buffer.from(`[REDACTED:${pattern.name}]`) : Buffer.alloc(length, '*');
  }
}
