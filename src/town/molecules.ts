import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { moleculeError } from '../molecules/errors.js';
import { readRegularFile, refuseLink } from './private-fs.js';
import { parseMolecule, moleculeNamePattern } from '../molecules/parse.js';
import type { MoleculeLibrary, MoleculeTemplate } from '../molecules/types.js';

/** Where a molecule comes from: the package's `molecules/`, or the town's `.citadel/molecules/`. */
export type MoleculeOrigin = 'built-in' | 'town';

export interface MoleculeFile {
  readonly name: string;
  readonly path: string;
  /** The path as shown in messages: relative to the working directory when inside it. */
  readonly display: string;
  readonly origin: MoleculeOrigin;
  /** A town molecule that replaces a built-in of the same name. */
  readonly overrides: boolean;
  /**
   * The file name is not a usable molecule name (`My Mol.md`): listed with an error saying how
   * to rename it, rather than silently ignored, so "why is my molecule missing?" answers itself.
   */
  readonly invalidName?: boolean;
  /**
   * A town molecule that is a symbolic link (a clone could point it anywhere): never read,
   * listed with an error saying so — silently skipping it left "why is my molecule missing?".
   */
  readonly link?: boolean;
}

/** The package's built-in molecules (`<package>/molecules/`), found relative to this module. */
export function builtinMoleculesDir(): string {
  // dist/town/molecules.js (and src/town/molecules.ts under tsx) → <package>/molecules/
  return fileURLToPath(new URL('../../molecules/', import.meta.url));
}

export interface MoleculeLibraryOptions {
  /** The town's `.citadel/molecules/` (overrides built-ins by name); omitted outside a town. */
  readonly townDir?: string | undefined;
  /** Defaults to {@link builtinMoleculesDir}. */
  readonly builtinDir?: string;
  /** Paths in messages are shown relative to this directory when inside it. */
  readonly cwd: string;
}

/** A library over the search path, which also lists its files. Files are read and parsed on demand, once. */
export interface FileMoleculeLibrary extends MoleculeLibrary {
  files(): readonly MoleculeFile[];
  file(name: string): MoleculeFile | undefined;
}

/** Opens the molecule search path: the town's own molecules first, then the built-ins. */
export function openMoleculeLibrary(options: MoleculeLibraryOptions): FileMoleculeLibrary {
  const byName = new Map<string, MoleculeFile>();
  for (const file of listDir(options.builtinDir ?? builtinMoleculesDir(), 'built-in', options.cwd)) byName.set(file.name, file);
  if (options.townDir) {
    for (const file of listDir(options.townDir, 'town', options.cwd)) {
      byName.set(file.name, { ...file, overrides: byName.has(file.name) });
    }
  }
  const files = [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  const parsed = new Map<string, MoleculeTemplate>();
  return {
    files: () => files,
    file: (name) => byName.get(name),
    names: () => files.filter((f) => !f.invalidName && !f.link).map((f) => f.name),
    get(name) {
      const cached = parsed.get(name);
      if (cached) return cached;
      const file = byName.get(name);
      if (!file) return undefined;
      if (file.invalidName) {
        const renamed = name.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^[-_]+|-+$/g, '') || 'my-molecule';
        throw moleculeError({ file: file.display, line: 1 }, `"${name}" is not a molecule name (letters, digits, - and _, starting with a letter or digit): rename the file, e.g. to ${renamed}.md`);
      }
      if (file.link) {
        throw moleculeError({ file: file.display, line: 1 }, `${file.display} is a symbolic link: citadel reads town molecules only from regular files (a clone could point a link anywhere); replace it with a copy of the file`);
      }
      const text = file.origin === 'town' ? readRegularFile(file.path, 'a molecule must be a markdown file') : readFileSync(file.path, 'utf8');
      const template = parseMolecule(name, file.display, text);
      parsed.set(name, template);
      return template;
    },
  };
}

function listDir(dir: string, origin: MoleculeOrigin, cwd: string): MoleculeFile[] {
  // The town's folder is the repository's text: never followed through a link. (Links to
  // files inside it are listed below as errors: only regular files are molecules.)
  if (origin === 'town') refuseLink(dir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => (entry.isFile() || (origin === 'town' && entry.isSymbolicLink())) && entry.name.endsWith('.md'))
    .map((entry) => ({ name: entry.name.slice(0, -3), link: entry.isSymbolicLink() }))
    .filter(({ name }) => name.length > 0 && !name.startsWith('.'))
    .map(({ name, link }) => {
      const path = join(dir, `${name}.md`);
      const file: MoleculeFile = { name, path, display: displayPath(path, cwd), origin, overrides: false, ...(link ? { link } : {}) };
      return moleculeNamePattern.test(name) ? file : { ...file, invalidName: true };
    });
}

function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}
