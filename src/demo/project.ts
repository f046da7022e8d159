/**
 * The demo's small real project: a few source files and a test runner that is the town's
 * gate. Plain Node with no dependencies, so the gate runs on a fresh machine without an
 * install step. Kept as data (path → contents) so it is written in one place and tested.
 */
export const demoProjectFiles: Readonly<Record<string, string>> = {
  'README.md': `# textkit

A tiny text utility library, built by a town of citadel polecats.

Run the tests with \`node test/run.js\`.
`,
  'src/words.js': `// Word utilities.
export function countWords(text) {
  return text.split(/\\s+/).filter(Boolean).length;
}

export function capitalize(word) {
  return word.length === 0 ? word : word[0].toUpperCase() + word.slice(1);
}
`,
  'src/slug.js': `// Turns a title into a URL slug.
export function slugify(title) {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
`,
  'package.json': `{
  "name": "textkit",
  "version": "0.1.0",
  "private": true,
  "type": "module",
  "scripts": { "test": "node test/run.js" }
}
`,
  'src/index.js': `// The public API: one line per module.
export { countWords, capitalize } from './words.js';
export { slugify } from './slug.js';
`,
  'src/version.js': `// The release line (bumped by the release bead).
export const VERSION = '0.1.0';
`,
  'test/run.js': `// The gate: every test file under test/ named *.test.js, run in turn. Exit 1 on any failure.
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join, dirname } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
let failed = 0;
let passed = 0;
for (const file of readdirSync(here).filter((name) => name.endsWith('.test.js')).sort()) {
  const mod = await import(pathToFileURL(join(here, file)).href);
  for (const [name, test] of Object.entries(mod)) {
    try {
      await test();
      passed++;
    } catch (error) {
      failed++;
      console.error(\`FAIL \${file} \${name}: \${error.message}\`);
    }
  }
}
console.log(\`\${passed} passed, \${failed} failed\`);
process.exit(failed ? 1 : 0);
`,
  'test/words.test.js': `import assert from 'node:assert/strict';
import { countWords, capitalize } from '../src/words.js';

export function counts_words() {
  assert.equal(countWords('one two  three'), 3);
}

export function capitalizes() {
  assert.equal(capitalize('citadel'), 'Citadel');
}
`,
  'test/slug.test.js': `import assert from 'node:assert/strict';
import { slugify } from '../src/slug.js';

export function slugifies_titles() {
  assert.equal(slugify('Hello, World!'), 'hello-world');
}
`,
};

/** The gate the demo town runs on every merge request. */
export const demoGate: readonly string[] = ['node', 'test/run.js'];
