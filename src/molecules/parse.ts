import { listWords, moleculeError } from './errors.js';
import type { IncludeDecl, LocatedText, Location, MoleculeTemplate, NeedRef, StepDecl, StepRole, VarDecl } from './types.js';
import { stepRoles } from './types.js';
import { parseVarDecl, referencedVars } from './vars.js';
import { editDistance } from './distance.js';

/** A step id: letters, digits, `-` and `_` (dots are reserved for included namespaces). */
export const stepIdPattern = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
/** A molecule name (its file name without `.md`): the same alphabet, no dots. */
export const moleculeNamePattern = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

const topDirectives = ['Vars', 'Includes'] as const;
const stepDirectives = ['Needs', 'Acceptance', 'Gate', 'Role'] as const;
const allDirectives: readonly string[] = [...topDirectives, ...stepDirectives];

/** `Key: value` — a capitalised word and a colon at the start of a line. */
const directiveLine = /^([A-Z][A-Za-z-]*):(?:\s+(.*))?$/;
/** Any-case `word:` at the start of a line: a known directive written in the wrong case. */
const miscasedDirective = /^([A-Za-z][A-Za-z-]*):/;
const stepHeading = /^##\s+Step:?\s*(.*)$/;
const fence = /^\s*(```|~~~)/;

interface Line {
  readonly text: string;
  readonly at: Location;
}

/**
 * Parses one molecule file (docs/molecules.md, "The format"). `name` is the molecule's name
 * and `file` how the file is shown in errors. Throws a `file:line:` error for the first
 * problem found; checks that need other files (includes, `Needs` across them, cycles) are
 * `composeMolecule`'s.
 */
export function parseMolecule(name: string, file: string, text: string): MoleculeTemplate {
  // A byte-order mark (editors on Windows write one) is not part of the title line.
  const lines: Line[] = text.replace(/^\uFEFF/, '').split(/\r?\n/).map((t, i) => ({ text: t.replace(/\s+$/, ''), at: { file, line: i + 1 } }));
  let index = 0;
  const end = lines.length;
  const skipBlank = (): void => {
    while (index < end && lines[index]!.text === '') index++;
  };

  skipBlank();
  const titleLine = lines[index];
  const titleMatch = titleLine ? /^#\s+(.+)$/.exec(titleLine.text) : null;
  if (!titleLine || !titleMatch) {
    throw moleculeError(titleLine?.at ?? { file, line: 1 }, 'a molecule starts with its title line: `# Title`');
  }
  const title: LocatedText = { text: titleMatch[1]!.trim(), at: titleLine.at };
  index++;

  // Top directives: the `Key: value` lines right under the title.
  const vars: VarDecl[] = [];
  const includes: IncludeDecl[] = [];
  skipBlank();
  while (index < end) {
    const line = lines[nextNonBlank(lines, index)];
    const directive = line && directiveLine.exec(line.text);
    if (!line || !directive) break;
    index = nextNonBlank(lines, index);
    const key = directive[1]!;
    const value = (directive[2] ?? '').trim();
    index++;
    if (key !== 'Vars' && key !== 'Includes') {
      if ((stepDirectives as readonly string[]).includes(key)) {
        throw moleculeError(line.at, `\`${key}:\` belongs to a step: put it under a \`## Step: <id>\` heading`);
      }
      throw unknownDirective(line, key, 'at the top of a molecule', topDirectives);
    }
    // Either an inline value, or a list of `- item` lines under the directive.
    const items: Line[] = value ? [{ text: value, at: line.at }] : [];
    while (!value && index < end && /^\s*[-*]\s+/.test(lines[index]!.text)) {
      const item = lines[index]!;
      items.push({ text: item.text.replace(/^\s*[-*]\s+/, ''), at: item.at });
      index++;
    }
    if (items.length === 0) throw moleculeError(line.at, `\`${key}:\` is empty: give a value on the line or a \`- item\` list under it`);
    for (const item of items) {
      if (key === 'Vars') addVar(vars, parseVarDecl(item.text, item.at));
      else addInclude(includes, parseInclude(item.text, item.at));
    }
  }
  const declared = new Set(vars.map((v) => v.name));
  checkReferences(title, declared);

  // Description: prose up to the first step.
  const descriptionStart = index;
  const description = readProse(lines, descriptionStart, declared, false);
  index = description.next;

  const steps: StepDecl[] = [];
  const seen = new Map<string, Location>();
  while (index < end) {
    const heading = lines[index]!;
    const match = stepHeading.exec(heading.text)!;
    const id = match[1]!.trim();
    if (!id) throw moleculeError(heading.at, 'a step needs an id: `## Step: <id>`');
    if (!stepIdPattern.test(id)) {
      throw moleculeError(heading.at, `invalid step id "${id}": use letters, digits, - and _ (dots are for included namespaces)`);
    }
    const first = seen.get(id);
    if (first) throw moleculeError(heading.at, `duplicate step id "${id}" (first declared at line ${first.line})`);
    seen.set(id, heading.at);
    index++;
    const step = readStep(lines, index, id, heading.at, declared);
    steps.push(step.step);
    index = step.next;
  }
  if (steps.length === 0 && includes.length === 0) {
    throw moleculeError(title.at, 'a molecule needs at least one step: add a `## Step: <id>` section (or `Includes:` other molecules)');
  }
  return { name, file, title, description: description.text, vars, includes, steps };
}

function readStep(
  lines: readonly Line[],
  start: number,
  id: string,
  at: Location,
  declared: ReadonlySet<string>,
): { step: StepDecl; next: number } {
  let index = start;
  while (index < lines.length && lines[index]!.text === '') index++;
  const needs: NeedRef[] = [];
  const acceptance: LocatedText[] = [];
  let gate: LocatedText | undefined;
  let role: StepRole = 'polecat';
  let roleAt: Location | undefined;
  while (index < lines.length) {
    const line = lines[nextNonBlank(lines, index)];
    const directive = line && directiveLine.exec(line.text);
    if (!line || !directive) break;
    index = nextNonBlank(lines, index) + 1;
    const key = directive[1]!;
    const value = (directive[2] ?? '').trim();
    switch (key) {
      case 'Needs':
        for (const name of value.split(',').map((n) => n.trim())) {
          if (!name) throw moleculeError(line.at, '`Needs:` lists step ids separated by commas, e.g. `Needs: reproduce, design`');
          if (!name.split('.').every((part) => stepIdPattern.test(part))) {
            throw moleculeError(line.at, `invalid step id "${name}" in \`Needs:\``);
          }
          if (!needs.some((n) => n.name === name)) needs.push({ name, at: line.at });
        }
        break;
      case 'Acceptance':
      case 'Gate': {
        if (!value) throw moleculeError(line.at, `\`${key}:\` is empty`);
        const text = { text: value, at: line.at };
        checkReferences(text, declared);
        if (key === 'Acceptance') acceptance.push(text);
        else if (gate) {
          throw moleculeError(line.at, `\`Gate:\` given twice in step "${id}" (first at line ${gate.at.line}): a step has one gate command; run several checks from one script`);
        } else gate = checkGate(text);
        break;
      }
      case 'Role':
        if (roleAt) throw moleculeError(line.at, `\`Role:\` given twice in step "${id}" (first at line ${roleAt.line})`);
        if (!(stepRoles as readonly string[]).includes(value)) {
          throw moleculeError(line.at, `unknown role "${value}": expected ${listWords(stepRoles, false).replace(' and ', ' or ')}`);
        }
        role = value as StepRole;
        roleAt = line.at;
        break;
      case 'Vars':
      case 'Includes':
        throw moleculeError(line.at, `\`${key}:\` belongs at the top of the molecule, under its title`);
      default:
        throw unknownDirective(line, key, `in step "${id}"`, stepDirectives);
    }
  }
  const body = readProse(lines, index, declared, true);
  return { step: { id, at, needs, acceptance, gate, role, body: body.text }, next: body.next };
}

/**
 * Reads prose up to the next `## Step:` heading (or the end). Inside prose, a known directive
 * at the start of a line is a mistake (it would silently be text), and a `#`/`##` heading
 * other than a step is refused so a typo in `## Step:` cannot swallow a step. Fenced code is
 * taken as is.
 */
function readProse(
  lines: readonly Line[],
  start: number,
  declared: ReadonlySet<string>,
  inStep: boolean,
): { text: LocatedText; next: number } {
  let index = start;
  let inFence = false;
  const body: Line[] = [];
  for (; index < lines.length; index++) {
    const line = lines[index]!;
    if (fence.test(line.text)) inFence = !inFence;
    else if (!inFence) {
      if (stepHeading.test(line.text)) break;
      if (/^##?\s/.test(line.text) || /^##?$/.test(line.text)) {
        throw moleculeError(line.at, `unexpected heading "${line.text}": steps are \`## Step: <id>\`; use ### or deeper for headings inside prose`);
      }
      const miscased = body.every((l) => l.text === '') ? miscasedDirective.exec(line.text) : null;
      const known = miscased && allDirectives.find((d) => d.toLowerCase() === miscased[1]!.toLowerCase());
      if (known && known !== miscased[1]) {
        // Right where directives go, `needs: a` would otherwise silently be prose (a lost dependency).
        throw moleculeError(line.at, `"${miscased[1]}:" is not read as a directive: directives are capitalised, write \`${known}:\``);
      }
      const directive = directiveLine.exec(line.text);
      if (directive && allDirectives.includes(directive[1]!)) {
        const where = inStep ? 'right under its `## Step:` heading' : 'right under the title';
        throw moleculeError(line.at, `\`${directive[1]}:\` after prose is not read as a directive: move it ${where}, before the prose`);
      }
    }
    checkReferences({ text: line.text, at: line.at }, declared);
    body.push(line);
  }
  while (body.length > 0 && body[0]!.text === '') body.shift();
  while (body.length > 0 && body.at(-1)!.text === '') body.pop();
  const at = body[0]?.at ?? lines[Math.min(start, lines.length - 1)]!.at;
  return { text: { text: body.map((l) => l.text).join('\n'), at }, next: index };
}

/** The index of the first non-blank line at or after `index` (directive blocks may hold blank lines). */
function nextNonBlank(lines: readonly Line[], index: number): number {
  let i = index;
  while (i < lines.length && lines[i]!.text === '') i++;
  return i;
}

function parseInclude(text: string, at: Location): IncludeDecl {
  const match = /^(\S+)(?:\s+as\s+(\S+))?(?:\s+after\s+(.+))?$/.exec(text.trim());
  if (!match) {
    throw moleculeError(at, `cannot read the include "${text.trim()}": write \`Includes: name\`, \`Includes: name as prefix\` or \`Includes: name [as prefix] after step, step\``);
  }
  const [, name = '', prefix, afterList] = match;
  if (!moleculeNamePattern.test(name)) throw moleculeError(at, `invalid molecule name "${name}" in \`Includes:\``);
  if (prefix !== undefined && !stepIdPattern.test(prefix)) {
    throw moleculeError(at, `invalid prefix "${prefix}": use letters, digits, - and _`);
  }
  const after: NeedRef[] = [];
  for (const step of afterList?.split(',').map((s) => s.trim()) ?? []) {
    if (!step.split('.').every((part) => stepIdPattern.test(part))) throw moleculeError(at, `invalid step id "${step}" after \`after\``);
    after.push({ name: step, at });
  }
  return { name, prefix, after, at };
}

function addVar(vars: VarDecl[], decl: VarDecl): void {
  const first = vars.find((v) => v.name === decl.name);
  if (first) throw moleculeError(decl.at, `variable "${decl.name}" declared twice (first at line ${first.at.line})`);
  // A default may use the variables declared above it (`b (default: {{a}}-x)`): they are filled
  // in order at pour time, so a later or unknown one would be left as a literal `{{name}}`.
  for (const name of referencedVars(decl.default ?? '')) {
    if (!vars.some((v) => v.name === name)) {
      throw moleculeError(decl.at, `the default of "${decl.name}" uses {{${name}}}, which is not declared above it: declare ${name} first, on an earlier \`Vars:\` line`);
    }
  }
  vars.push(decl);
}

function addInclude(includes: IncludeDecl[], decl: IncludeDecl): void {
  const first = includes.find((i) => i.name === decl.name);
  if (first) throw moleculeError(decl.at, `"${decl.name}" is included twice (first at line ${first.at.line}); a molecule's steps appear once`);
  const samePrefix = decl.prefix !== undefined && includes.find((i) => i.prefix === decl.prefix);
  if (samePrefix) throw moleculeError(decl.at, `prefix "${decl.prefix}" is already used by "${samePrefix.name}" (line ${samePrefix.at.line})`);
  includes.push(decl);
}

/**
 * Gates run without a shell (the refinery splits them into an argv: words, '…' and "…"), so
 * shell syntax outside quotes is refused here, where it can be pointed at, not at merge time.
 */
function checkGate(gate: LocatedText): LocatedText {
  let quote: string | null = null;
  for (const ch of gate.text) {
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if ('|&;<>`$'.includes(ch)) {
      throw moleculeError(gate.at, `\`Gate:\` runs without a shell, so "${ch}" is not supported: put the commands in a script (e.g. \`Gate: npm run check\`)`);
    }
  }
  if (quote) throw moleculeError(gate.at, `\`Gate:\` has an unterminated ${quote} quote`);
  return gate;
}

/** Every `{{name}}` must be declared in this file's `Vars:`, so each molecule can be poured alone. */
function checkReferences(text: LocatedText, declared: ReadonlySet<string>): void {
  for (const name of referencedVars(text.text)) {
    if (!declared.has(name)) {
      throw moleculeError(text.at, `unknown variable {{${name}}}: declare it at the top, e.g. \`Vars: ${name || 'name'} (required) — what it is\``);
    }
  }
}

function unknownDirective(line: Line, key: string, where: string, known: readonly string[]): Error {
  const typed = key.toLowerCase();
  const hint =
    key.length >= 3 &&
    (allDirectives.find((d) => d.toLowerCase() === typed || d.toLowerCase().startsWith(typed.slice(0, 4))) ??
      allDirectives.find((d) => editDistance(d.toLowerCase(), typed) <= (typed.length <= 5 ? 1 : 2)));
  const suggestion = hint ? `: did you mean \`${hint}:\`?` : '';
  return moleculeError(
    line.at,
    `unknown directive "${key}:" ${where}${suggestion} (known: ${known.join(', ')}; a prose line right under a heading must not start with \`Word:\`)`,
  );
}
