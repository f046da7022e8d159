import { moleculeError } from './errors.js';
import type { Location, VarDecl } from './types.js';

/** A variable name: a letter, then letters, digits, `_` or `-`. */
export const varNamePattern = /^[A-Za-z][A-Za-z0-9_-]*$/;

/** `{{name}}`, spaces allowed inside the braces; `\{{` is a literal `{{`. */
const reference = /(\\?)\{\{\s*([^{}]*?)\s*\}\}/g;

/**
 * Parses one `Vars:` entry: `name (required) — description`, `name (default: value) — …`,
 * `name (optional) — …` (default ""), or `name — …` (required). The description separator
 * may be `—`, `--`, `-` or `:`.
 */
export function parseVarDecl(text: string, at: Location): VarDecl {
  const match = /^([^\s(—:]+)\s*(?:\(([^)]*)\))?\s*(?:(?:—|--|-|:)\s*(.*))?$/.exec(text.trim());
  if (!match) {
    throw moleculeError(at, `cannot read the variable "${text.trim()}": write \`Vars: name (required) — what it is\` or \`Vars: name (default: value) — what it is\``);
  }
  const [, name = '', marker, description = ''] = match;
  if (!varNamePattern.test(name)) {
    throw moleculeError(at, `invalid variable name "${name}": use a letter, then letters, digits, - or _`);
  }
  const base = { name, description: description.trim(), at };
  if (marker === undefined) return { ...base, required: true, default: undefined };
  const flag = marker.trim();
  if (flag === 'required') return { ...base, required: true, default: undefined };
  if (flag === 'optional') return { ...base, required: false, default: '' };
  const withDefault = /^default\s*(?::|=)\s*(.*)$/.exec(flag);
  if (withDefault) return { ...base, required: false, default: unquote(withDefault[1]!.trim()) };
  throw moleculeError(at, `variable "${name}": unknown marker "(${flag})": expected (required), (optional) or (default: VALUE)`);
}

function unquote(value: string): string {
  const quoted = /^"(.*)"$/.exec(value) ?? /^'(.*)'$/.exec(value);
  return quoted ? quoted[1]! : value;
}

/** The variable names a text refers to (escaped `\{{…}}` excluded), in order, with repeats. */
export function referencedVars(text: string): string[] {
  const names: string[] = [];
  for (const match of text.matchAll(reference)) {
    if (match[1] !== '\\') names.push(match[2]!);
  }
  return names;
}

/**
 * Replaces every `{{name}}` with its value. A name without a value is left as written
 * (`molecule show` without `--var`); `\{{` becomes a literal `{{`.
 */
export function substitute(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(reference, (whole, escape: string, name: string) => {
    if (escape === '\\') return whole.slice(1);
    return Object.hasOwn(values, name) ? values[name]! : whole;
  });
}
