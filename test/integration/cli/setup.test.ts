import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** Issue 16: the README's set-up is `npm ci && npx citadel demo`, then `npm test`. */
const root = fileURLToPath(new URL('../../..', import.meta.url));
const read = <T>(file: string): T => JSON.parse(readFileSync(new URL(`../../../${file}`, import.meta.url), 'utf8')) as T;

interface PackageJson {
  version: string;
  scripts: Record<string, string>;
  allowScripts?: Record<string, boolean>;
}

describe('a newcomer’s set-up', () => {
  it('npm ci builds citadel (prepare), and npm test still builds before testing', () => {
    const { scripts } = read<PackageJson>('package.json');
    expect(scripts.prepare).toBe('npm run build');
    expect(scripts.test).toMatch(/npm run build/);
  });

  it('every dependency with an install script is declared in allowScripts, so npm ci prints no warning about it', () => {
    const lock = read<{ packages: Record<string, { version?: string; hasInstallScript?: boolean }> }>('package-lock.json');
    const allowed = read<PackageJson>('package.json').allowScripts ?? {};
    const withScripts = Object.entries(lock.packages).filter(([, entry]) => entry.hasInstallScript);
    expect(withScripts.length).toBeGreaterThan(0);
    for (const [path, entry] of withScripts) {
      const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
      expect(allowed[name] === true || allowed[`${name}@${entry.version}`] === true, `allowScripts lacks ${name}`).toBe(true);
    }
  });

  it('npx citadel runs this clone’s citadel from inside it, with nothing linked or installed globally', async () => {
    const { version } = read<PackageJson>('package.json');
    const out = await new Promise<string>((resolve, reject) => {
      execFile('npx', ['--no-install', 'citadel', '--version'], { cwd: root, timeout: 60_000 }, (error, stdout, stderr) => (error ? reject(new Error(stderr || error.message)) : resolve(stdout)));
    });
    expect(out).toBe(`${version}\n`);
  });
});
