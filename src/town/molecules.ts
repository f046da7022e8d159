import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
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
    names: () => files.map((f) => f.name),
    get(name) {
      const cached = parsed.get(name);
      if (cached) return cached;
      const file = byName.get(name);
      if (!file) return undefined;
      const template = parseMolecule(name, file.display, readFileSync(file.path, 'utf8'));
      parsed.set(name, template);
      return template;
    },
  };
}

function listDir(dir: string, origin: MoleculeOrigin, cwd: string): MoleculeFile[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.md'))
    .map((entry) => entry.name.slice(0, -3))
    .filter((name) => moleculeNamePattern.test(name))
    .map((name) => {
      const path = join(dir, `${name}.md`);
      return { name, path, display: displayPath(path, cwd), origin, overrides: false };
    });
}

function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}
