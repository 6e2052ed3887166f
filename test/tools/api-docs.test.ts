// docs/api.md is generated from the public entries' declarations: a change of the API (a new export,
// an option, its JSDoc) without `npm run docs:api` leaves it stale, and this test says so.
import { readFileSync } from 'node:fs';
import test from 'ava';
import { apiReferencePath, generateApiReference, topLevelStatements } from '../../tools/api-docs.ts';

test('docs/api.md is what npm run docs:api generates from the current declarations', (t) => {
  const generated = generateApiReference();
  t.true(
    readFileSync(apiReferencePath, 'utf8') === generated,
    'docs/api.md is stale: run `npm run docs:api`',
  );
  // Every export of both entries has its section.
  for (const name of ['defineScenario', 'ScenarioContext', 'CheckFailedError', 'runCommand', 'RunOptions']) {
    t.regex(generated, new RegExp(`^#### \`${name}\` \\(`, 'm'), name);
  }
});

test('the declaration reader splits statements at their end, whatever braces and strings they hold', (t) => {
  const statements = topLevelStatements(`import type { A } from './a.js';
/** Doc of f. */
export declare function f(x: { a: '}'; b: [number, string] }): Promise<void>;
export interface I {
    /** member */
    m(): { n: number };
}
export type T = { kind: 'x;y' } | A;
`);
  t.deepEqual(
    statements.map((s) => [s.doc, s.text.split('\n')[0]]),
    [
      ['', "import type { A } from './a.js';"],
      ['/** Doc of f. */', "export declare function f(x: { a: '}'; b: [number, string] }): Promise<void>;"],
      ['', 'export interface I {'],
      ['', "export type T = { kind: 'x;y' } | A;"],
    ],
  );
});
