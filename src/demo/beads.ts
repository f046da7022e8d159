/**
 * The demo town's work: a dozen beads for textkit (src/demo/project.ts), with dependencies,
 * each carrying its change as code blocks the scripted agent applies (src/scripted-agent/recipe.ts), so
 * every merge is a real function with its test. Two beads are scripted to show the bounce path:
 *
 * - `reverse` and `title-case` both add a line to the end of src/index.js, and are the first two
 *   slung (the only priority-1 beads), so both branch from the same main: whichever lands second conflicts, is
 *   bounced, and its rework keeps both lines.
 * - `truncate` is labelled `scripted:untested`: its first attempt is off by one and skips the
 *   gates, so the refinery's gate fails it; the rework writes the fixed version and passes.
 */
export interface DemoBead {
  /** A short name for `needs` between demo beads (the real id is made at creation). */
  readonly key: string;
  readonly title: string;
  readonly type: 'feature' | 'task' | 'chore' | 'bug';
  readonly priority: 0 | 1 | 2 | 3 | 4;
  readonly labels: readonly string[];
  /** Keys of demo beads, or `@molecule` for the poured molecule's epic. */
  readonly needs: readonly string[];
  readonly body: string;
}

const FENCE = '```';

/** A code block the scripted agent applies: the whole file, lines appended, or a first try. */
function block(mode: 'file' | 'append', path: string, code: string, firstTry = false): string {
  const lang = path.endsWith('.js') ? 'js' : path.endsWith('.json') ? 'json' : 'md';
  return `${FENCE}${lang} ${mode}=${path}${firstTry ? ' first-try' : ''}\n${code.replace(/^\n/, '').replace(/\n$/, '')}\n${FENCE}`;
}

const body = (...parts: string[]): string => parts.join('\n\n');

export const demoBeads: readonly DemoBead[] = [
  {
    key: 'reverse',
    title: 'Add reverseWords(text)',
    type: 'feature',
    priority: 1,
    labels: ['api'],
    needs: [],
    body: body(
      'Reverse the order of the words in a text, keeping single spaces between them. Export it from src/index.js.',
      block('file', 'src/reverse.js', String.raw`
// Reverses the order of words: "one two three" → "three two one".
export function reverseWords(text) {
  return text.split(/\s+/).filter(Boolean).reverse().join(' ');
}
`),
      block('file', 'test/reverse.test.js', String.raw`
import assert from 'node:assert/strict';
import { reverseWords } from '../src/index.js';

export function reverses_words() {
  assert.equal(reverseWords('one  two three'), 'three two one');
}
`),
      block('append', 'src/index.js', String.raw`export { reverseWords } from './reverse.js';`),
    ),
  },
  {
    key: 'title-case',
    title: 'Add titleCase(text)',
    type: 'feature',
    priority: 1,
    labels: ['api'],
    needs: [],
    body: body(
      'Capitalize every word of a title, reusing capitalize() from src/words.js. Export it from src/index.js.',
      block('file', 'src/title-case.js', String.raw`
import { capitalize } from './words.js';

// "the town of citadel" → "The Town Of Citadel".
export function titleCase(text) {
  return text.split(' ').map(capitalize).join(' ');
}
`),
      block('file', 'test/title-case.test.js', String.raw`
import assert from 'node:assert/strict';
import { titleCase } from '../src/index.js';

export function title_cases() {
  assert.equal(titleCase('the town of citadel'), 'The Town Of Citadel');
}
`),
      block('append', 'src/index.js', String.raw`export { titleCase } from './title-case.js';`),
    ),
  },
  {
    key: 'truncate',
    title: 'Add truncate(text, max) with an ellipsis',
    type: 'feature',
    priority: 2,
    labels: ['api', 'scripted:untested'],
    needs: [],
    body: body(
      'Shorten a text to at most `max` characters, ending with "…" when it was cut. The result must never be longer than `max`.',
      '(Demo script: the agent\'s first try is off by one and skips the gates, so the refinery bounces it.)',
      block('file', 'src/truncate.js', String.raw`
// Shortens text to at most max characters, ending with an ellipsis when cut.
export function truncate(text, max) {
  return text.length <= max ? text : text.slice(0, max) + '…';
}
`, true),
      block('file', 'src/truncate.js', String.raw`
// Shortens text to at most max characters, ending with an ellipsis when cut.
export function truncate(text, max) {
  return text.length <= max ? text : text.slice(0, max - 1) + '…';
}
`),
      block('file', 'test/truncate.test.js', String.raw`
import assert from 'node:assert/strict';
import { truncate } from '../src/truncate.js';

export function keeps_short_texts() {
  assert.equal(truncate('hi', 4), 'hi');
}

export function cuts_to_max_with_an_ellipsis() {
  assert.equal(truncate('citadel', 4), 'cit…');
}
`),
    ),
  },
  {
    key: 'sentences',
    title: 'Count sentences: sentenceCount(text)',
    type: 'feature',
    priority: 2,
    labels: ['api'],
    needs: [],
    body: body(
      'Count sentences ending in ".", "!" or "?"; a trailing fragment without punctuation counts as one.',
      block('file', 'src/sentences.js', String.raw`
// Counts sentences: runs of text ending in . ! or ?, plus a trailing fragment.
export function sentenceCount(text) {
  return text.split(/[.!?]+/).filter((part) => part.trim() !== '').length;
}
`),
      block('file', 'test/sentences.test.js', String.raw`
import assert from 'node:assert/strict';
import { sentenceCount } from '../src/sentences.js';

export function counts_sentences() {
  assert.equal(sentenceCount('One. Two! Three? Four'), 4);
  assert.equal(sentenceCount(''), 0);
}
`),
    ),
  },
  {
    key: 'frequency',
    title: 'Word frequencies: wordFrequency(text)',
    type: 'feature',
    priority: 2,
    labels: ['api'],
    needs: [],
    body: body(
      'Return a Map from lower-cased word to its count, in order of first appearance.',
      block('file', 'src/frequency.js', String.raw`
// Counts each lower-cased word.
export function wordFrequency(text) {
  const counts = new Map();
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? []) counts.set(word, (counts.get(word) ?? 0) + 1);
  return counts;
}
`),
      block('file', 'test/frequency.test.js', String.raw`
import assert from 'node:assert/strict';
import { wordFrequency } from '../src/frequency.js';

export function counts_each_word() {
  assert.deepEqual([...wordFrequency('The cat saw the dog.')], [['the', 2], ['cat', 1], ['saw', 1], ['dog', 1]]);
}
`),
    ),
  },
  {
    key: 'reading-time',
    title: 'Estimate reading time: readingTime(text)',
    type: 'feature',
    priority: 2,
    labels: ['api'],
    needs: [],
    body: body(
      'Minutes to read a text at 200 words a minute, rounded up, at least 1. Reuse countWords().',
      block('file', 'src/reading-time.js', String.raw`
import { countWords } from './words.js';

// Whole minutes at 200 words per minute (at least one).
export function readingTime(text) {
  return Math.max(1, Math.ceil(countWords(text) / 200));
}
`),
      block('file', 'test/reading-time.test.js', String.raw`
import assert from 'node:assert/strict';
import { readingTime } from '../src/reading-time.js';

export function rounds_up_to_whole_minutes() {
  assert.equal(readingTime('word '.repeat(201)), 2);
  assert.equal(readingTime(''), 1);
}
`),
    ),
  },
  {
    key: 'empty-input',
    title: 'Test countWords on empty and blank input',
    type: 'chore',
    priority: 2,
    labels: ['tests'],
    needs: [],
    body: body(
      'countWords("") and countWords("   ") must be 0; nothing covers it yet.',
      block('file', 'test/words-edge.test.js', String.raw`
import assert from 'node:assert/strict';
import { countWords } from '../src/words.js';

export function empty_text_has_no_words() {
  assert.equal(countWords(''), 0);
  assert.equal(countWords('   \n\t'), 0);
}
`),
    ),
  },
  {
    key: 'palindrome',
    title: 'Add isPalindrome(text)',
    type: 'feature',
    priority: 3,
    labels: ['api'],
    needs: [],
    body: body(
      'True when the letters and digits read the same both ways, ignoring case and punctuation.',
      block('file', 'src/palindrome.js', String.raw`
// Ignores case, spaces and punctuation.
export function isPalindrome(text) {
  const letters = text.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
  return letters === [...letters].reverse().join('');
}
`),
      block('file', 'test/palindrome.test.js', String.raw`
import assert from 'node:assert/strict';
import { isPalindrome } from '../src/palindrome.js';

export function finds_palindromes() {
  assert.equal(isPalindrome('A man, a plan, a canal: Panama'), true);
  assert.equal(isPalindrome('citadel'), false);
}
`),
    ),
  },
  {
    key: 'pad',
    title: 'Add padCenter(text, width)',
    type: 'feature',
    priority: 3,
    labels: ['api'],
    needs: [],
    body: body(
      'Center a text in `width` columns with spaces; the extra space goes to the right.',
      block('file', 'src/pad.js', String.raw`
// Centers text in width columns; an odd leftover space goes right.
export function padCenter(text, width) {
  const room = Math.max(0, width - text.length);
  const left = Math.floor(room / 2);
  return ' '.repeat(left) + text + ' '.repeat(room - left);
}
`),
      block('file', 'test/pad.test.js', String.raw`
import assert from 'node:assert/strict';
import { padCenter } from '../src/pad.js';

export function centers_text() {
  assert.equal(padCenter('ab', 5), ' ab  ');
  assert.equal(padCenter('toolong', 3), 'toolong');
}
`),
    ),
  },
  {
    key: 'cli',
    title: 'Command-line entry point: textkit <command> <text>',
    type: 'feature',
    priority: 2,
    labels: ['cli'],
    needs: ['reverse', 'title-case'],
    body: body(
      'A small CLI over the public API: `textkit reverse TEXT`, `textkit title TEXT`, `textkit slug TEXT`, `textkit count TEXT`.',
      block('file', 'src/cli.js', String.raw`
import { countWords, reverseWords, slugify, titleCase } from './index.js';

const commands = { reverse: reverseWords, title: titleCase, slug: slugify, count: (text) => String(countWords(text)) };

// Runs one command; returns what to print, or throws with the usage.
export function run(args) {
  const [name, ...words] = args;
  const command = commands[name];
  if (!command) throw new Error('usage: textkit ' + Object.keys(commands).join('|') + ' TEXT');
  return command(words.join(' '));
}
`),
      block('file', 'bin/textkit.js', String.raw`
#!/usr/bin/env node
import { run } from '../src/cli.js';

try {
  console.log(run(process.argv.slice(2)));
} catch (error) {
  console.error(error.message);
  process.exit(2);
}
`),
      block('file', 'test/cli.test.js', String.raw`
import assert from 'node:assert/strict';
import { run } from '../src/cli.js';

export function runs_commands() {
  assert.equal(run(['title', 'hello', 'town']), 'Hello Town');
  assert.equal(run(['reverse', 'a', 'b']), 'b a');
  assert.throws(() => run(['nope']), /usage/);
}
`),
    ),
  },
  {
    key: 'docs',
    title: 'Document the API in the README',
    type: 'task',
    priority: 2,
    labels: ['docs'],
    needs: ['reverse', 'title-case', 'truncate', 'sentences', 'frequency', 'reading-time'],
    body: body(
      'List every exported function with a one-line example, once they have all landed.',
      block('append', 'README.md', String.raw`
## API

- countWords('one two') → 2
- capitalize('town') → 'Town'
- slugify('Hello, World!') → 'hello-world'
- reverseWords('one two') → 'two one'
- titleCase('the town') → 'The Town'
- truncate('citadel', 4) → 'cit…'
- sentenceCount('One. Two!') → 2
- wordFrequency('a b a') → Map { a → 2, b → 1 }
- readingTime(text) → minutes at 200 words a minute
`),
    ),
  },
  {
    key: 'release',
    title: 'Release 0.2.0: changelog and version bump',
    type: 'chore',
    priority: 2,
    labels: ['release'],
    needs: ['cli', 'docs', 'empty-input', 'palindrome', 'pad', '@molecule'],
    body: body(
      'When everything else has landed (including the slug fix): bump the version to 0.2.0 and write the changelog.',
      block('file', 'src/version.js', String.raw`
// The release line (bumped by the release bead).
export const VERSION = '0.2.0';
`),
      block('file', 'CHANGELOG.md', String.raw`
# Changelog

## 0.2.0

- New: reverseWords, titleCase, truncate, sentenceCount, wordFrequency, readingTime, isPalindrome, padCenter.
- New: the textkit command line (bin/textkit.js).
- Fixed: slugify keeps accented letters (Café → cafe).
`),
      block('file', 'test/version.test.js', String.raw`
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { VERSION } from '../src/version.js';

export function version_matches_the_changelog() {
  assert.equal(VERSION, '0.2.0');
  assert.match(readFileSync(new URL('../CHANGELOG.md', import.meta.url), 'utf8'), /## 0\.2\.0/);
}
`),
    ),
  },
];

/** The molecule the demo pours, and its variables. */
export const demoMolecule = {
  name: 'quick-fix',
  vars: { issue: 'slugify drops accented letters (Café → caf)', test_command: 'node test/run.js' },
  /** Appended to the body of the molecule's `fix` step: the change itself. */
  fixRecipe: body(
    block('file', 'src/slug.js', String.raw`
// Turns a title into a URL slug; accents are folded (é → e) rather than dropped.
export function slugify(title) {
  return title
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
`),
    block('file', 'test/slug-accents.test.js', String.raw`
import assert from 'node:assert/strict';
import { slugify } from '../src/slug.js';

export function folds_accents() {
  assert.equal(slugify('Café crème'), 'cafe-creme');
}
`),
  ),
} as const;
