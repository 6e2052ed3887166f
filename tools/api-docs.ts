// docs/api.md, the API reference of the package's two entries, generated from their .d.ts files:
// `npm run docs:api` writes it, `npx tsx tools/api-docs.ts --check` fails when it is stale. Each
// exported name gets its JSDoc and its declaration as tsc emitted it, grouped by what it is for.
// A small reader of tsc's own declaration output, not a TypeScript parser: top-level statements
// end at a `;` or, for interfaces and classes, at their closing brace.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { packageRoot } from '../harness/package-root.ts';
import { emitDeclarations } from './declarations.ts';

interface Statement {
  doc: string;
  text: string;
}

interface Declaration {
  name: string;
  kind: string;
  /** The source file, relative to the package (harness/x.ts). */
  source: string;
  statements: Statement[];
}

/** The package's entries: import specifier, declaration file under the types folder, one line about it. */
export const apiEntries = [
  {
    specifier: 'sysext-lab',
    file: 'harness/index.d.ts',
    about: 'The scenario API: everything a scenario file imports.',
  },
  {
    specifier: 'sysext-lab/run',
    file: 'harness/run.d.ts',
    about: 'The run API: run a scenario from a program, as `sysext-lab run` does.',
  },
] as const;

/** Splits a .d.ts file into its top-level statements, each with the JSDoc right above it. */
export function topLevelStatements(text: string): Statement[] {
  const statements: Statement[] = [];
  let i = 0;
  let doc = '';
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (text.startsWith('/**', i)) {
      const end = text.indexOf('*/', i);
      doc = text.slice(i, end + 2);
      i = end + 2;
    } else if (text.startsWith('//', i)) {
      i = text.indexOf('\n', i) === -1 ? text.length : text.indexOf('\n', i);
    } else {
      const start = i;
      const block = /^(?:export\s+)?(?:declare\s+)?(?:abstract\s+)?(?:interface|class|enum|namespace)\b/.test(
        text.slice(i, i + 80),
      );
      let depth = 0;
      for (; i < text.length; i++) {
        const ch = text[i]!;
        if (ch === "'" || ch === '"' || ch === '`') {
          for (i++; i < text.length && text[i] !== ch; i++) if (text[i] === '\\') i++;
        } else if (ch === '/' && text[i + 1] === '*') {
          i = text.indexOf('*/', i) + 1;
        } else if (ch === '{' || ch === '(' || ch === '[') {
          depth++;
        } else if (ch === '}' || ch === ')' || ch === ']') {
          depth--;
          if (depth === 0 && ch === '}' && block) {
            i++;
            break;
          }
        } else if (ch === ';' && depth === 0) {
          i++;
          break;
        }
      }
      statements.push({ doc, text: text.slice(start, i).trim() });
      doc = '';
    }
  }
  return statements;
}

const DECLARED =
  /^(?:export\s+)?(?:declare\s+)?(?:abstract\s+)?(function|class|interface|type|const|let|enum)\s+([A-Za-z_$][\w$]*)/;
const RE_EXPORT = /^export\s+(?:type\s+)?\{([^}]*)\}\s*from\s*'([^']+)'/;

/** The names an `export { a, type B as C } from './x.js'` statement exports: exported name -> local name. */
function reExported(list: string): Map<string, string> {
  const names = new Map<string, string>();
  for (const part of list.split(',')) {
    const words = part
      .trim()
      .replace(/^type\s+/, '')
      .split(/\s+as\s+/);
    if (!words[0]) continue;
    names.set((words[1] ?? words[0]).trim(), words[0].trim());
  }
  return names;
}

/** Finds `name` in `file` (a .d.ts), following re-exports. */
function declaration(typesDir: string, file: string, name: string): Declaration {
  const statements = topLevelStatements(readFileSync(join(typesDir, file), 'utf8'));
  const own = statements.filter((s) => DECLARED.exec(s.text)?.[2] === name);
  if (own.length > 0) {
    return {
      name,
      kind: DECLARED.exec(own[0]!.text)![1]!,
      source: file.replace(/\.d\.ts$/, '.ts'),
      statements: own,
    };
  }
  for (const s of statements) {
    const match = RE_EXPORT.exec(s.text);
    const local = match ? reExported(match[1]!).get(name) : undefined;
    if (match && local) {
      const target = relative(
        typesDir,
        resolve(typesDir, dirname(file), match[2]!.replace(/\.js$/, '.d.ts')),
      );
      return { ...declaration(typesDir, target, local), name };
    }
  }
  throw new Error(`${name} is exported by ${file} but declared nowhere its re-exports lead`);
}

const IMPORT = /^import\s+(?:type\s+)?\{([^}]*)\}\s*from\s*'([^']+)'/;

/**
 * The types a public declaration names that the entry does not export (an options bag, a result):
 * found in its file or through that file's imports, one level deep, so that a signature's own
 * parameters are explained and the reference does not grow into the internals.
 */
function referencedTypes(typesDir: string, d: Declaration, known: Set<string>): Declaration[] {
  const file = d.source.replace(/\.ts$/, '.d.ts');
  const statements = topLevelStatements(readFileSync(join(typesDir, file), 'utf8'));
  const names = new Set(
    d.statements.flatMap((s) =>
      [...s.text.replace(/\/\*\*[\s\S]*?\*\//g, '').matchAll(/\b([A-Z][A-Za-z0-9]*)\b/g)].map((m) => m[1]!),
    ),
  );
  const found: Declaration[] = [];
  for (const name of names) {
    if (known.has(name) || name === d.name) continue;
    if (statements.some((s) => DECLARED.exec(s.text)?.[2] === name && /^export\b/.test(s.text))) {
      found.push(declaration(typesDir, file, name));
      continue;
    }
    for (const s of statements) {
      const match = IMPORT.exec(s.text);
      const local = match ? reExported(match[1]!).get(name) : undefined;
      if (!match || !local || !match[2]!.startsWith('.')) continue;
      const target = relative(
        typesDir,
        resolve(typesDir, dirname(file), match[2]!.replace(/\.js$/, '.d.ts')),
      );
      try {
        found.push({ ...declaration(typesDir, target, local), name });
      } catch {
        // Declared in a way this reader does not follow (a namespace import): left out.
      }
    }
  }
  return found;
}

/** Which heading a declaration goes under, by the folder it comes from. */
function group(source: string): string {
  if (source.startsWith('harness/scenario/')) return 'Defining a scenario';
  if (source.startsWith('harness/checks/')) return 'Checks';
  if (source.startsWith('harness/macos/')) return 'macOS operations';
  if (source === 'harness/errors.ts') return 'Errors';
  if (source.startsWith('harness/ssh/')) return 'The guest session';
  return 'Utilities';
}
const GROUP_ORDER = [
  'Defining a scenario',
  'Checks',
  'macOS operations',
  'The guest session',
  'Errors',
  'Utilities',
];

function docText(doc: string): string {
  return doc
    .replace(/^\/\*\*\s?|\s*\*\/$/g, '')
    .split('\n')
    .map((line) => line.replace(/^\s*\* ?/, ''))
    .join('\n')
    .trim();
}

/** The whole reference, as markdown. */
export function apiReference(typesDir: string): string {
  const out = [
    '# API reference',
    '',
    "Generated from the package's `.d.ts` files by `npm run docs:api` (tools/api-docs.ts): do not edit.",
    'Each exported name with its JSDoc and its declaration, grouped by what it is for.',
    '',
  ];
  for (const entry of apiEntries) {
    const statements = topLevelStatements(readFileSync(join(typesDir, entry.file), 'utf8'));
    const names = statements.flatMap((s) => {
      const match = RE_EXPORT.exec(s.text);
      return match ? [...reExported(match[1]!).keys()] : [];
    });
    const declarations = names.map((name) => declaration(typesDir, entry.file, name));
    out.push(`## \`${entry.specifier}\``, '', entry.about, '');
    out.push(
      [...declarations]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((d) => `\`${d.name}\``)
        .join(', '),
      '',
    );
    const groups = [...new Set(declarations.map((d) => group(d.source)))].sort(
      (a, b) => GROUP_ORDER.indexOf(a) - GROUP_ORDER.indexOf(b),
    );
    for (const heading of groups) {
      if (entry.specifier === 'sysext-lab') out.push(`### ${heading}`, '');
      const inGroup = declarations
        .filter((d) => group(d.source) === heading)
        .sort((a, b) => a.name.localeCompare(b.name));
      for (const d of inGroup) {
        out.push(`#### \`${d.name}\` (${d.kind}, ${d.source})`, '');
        const doc = d.statements.map((s) => docText(s.doc)).find(Boolean);
        if (doc) out.push(doc, '');
        out.push('```ts', ...d.statements.map((s) => s.text), '```', '');
      }
    }
    // The options and results those signatures name, which the entry does not export by name.
    const known = new Set(declarations.map((d) => d.name));
    const referenced = new Map<string, Declaration>();
    for (const d of declarations) {
      for (const r of referencedTypes(typesDir, d, known))
        if (!referenced.has(r.name)) referenced.set(r.name, r);
    }
    if (referenced.size > 0) {
      out.push(`### Types the ${entry.specifier === 'sysext-lab' ? 'scenario' : 'run'} API refers to`, '');
      out.push('Not exported by name (use them through the functions that take or return them).', '');
      for (const d of [...referenced.values()].sort((a, b) => a.name.localeCompare(b.name))) {
        out.push(`#### \`${d.name}\` (${d.kind}, ${d.source})`, '');
        const doc = d.statements.map((s) => docText(s.doc)).find(Boolean);
        if (doc) out.push(doc, '');
        out.push('```ts', ...d.statements.map((s) => s.text), '```', '');
      }
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** Declarations into a temporary folder, the reference from them, formatted as the project's lint wants it. */
export function generateApiReference(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sxl-api-'));
  try {
    emitDeclarations(dir);
    const biome = join(packageRoot(), 'node_modules', '@biomejs', 'biome', 'bin', 'biome');
    return execFileSync(process.execPath, [biome, 'format', '--stdin-file-path', 'docs/api.md'], {
      cwd: packageRoot(),
      input: apiReference(dir),
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const apiReferencePath = join(packageRoot(), 'docs', 'api.md');

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename ?? '')) {
  const text = generateApiReference();
  if (process.argv.includes('--check')) {
    const current = existsSync(apiReferencePath) ? readFileSync(apiReferencePath, 'utf8') : '';
    if (current !== text) {
      process.stderr.write('docs/api.md is stale: run `npm run docs:api`\n');
      process.exitCode = 1;
    }
  } else {
    writeFileSync(apiReferencePath, text);
  }
}
