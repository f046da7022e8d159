// The data commands' bundle (part of `npm run build`, after tsc; docs/cli.md, "Startup"):
// dist/cli/data.cjs holds dist/cli/main.js and every module the commands agents and scripts run
// most can reach (ready, bead, mail, done, prime, hook, cv), commander included, as one CommonJS
// file. bin/citadel.js runs those commands from it (with a V8 code cache) instead of from ~50 ES
// modules: Node's ES module loader costs ~0.5 ms a module before any code runs. Every other
// command (the workstation, the daemon, init, demo, …) runs from dist/ as before.
//
// One copy of each module: nothing in the bundle imports a dist/ module at run time (a class such
// as CitadelError loaded twice would break instanceof), so the build fails if the bundle would
// leave any import to be resolved at run time other than Node's built-ins and the native
// packages loaded with require (better-sqlite3, fs-ext), or if it reaches code a data command must
// never load (the workstation, the daemon, ptys, MCP).
//
// The workstation's bundle (bare `citadel`, `citadel attach`): dist/cli/workstation.cjs holds
// dist/cli/main.js with the workstation, Ink, React and the panels — ~700 modules the workstation
// otherwise loads one by one before its first frame (docs/cli.md, "Startup"). Every command module
// is in it (the bare `citadel` registers them all) but only the workstation's and attach's actions
// reach their code; the others' `await import()`s are stubs. Same one-copy rule and the same checks.
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The commands bin/citadel.js runs from the bundle; keep in step with BUNDLED there. */
export const BUNDLED = ['ready', 'bead', 'mail', 'done', 'prime', 'hook', 'cv'];
/** Packages the bundle may require at run time: native code, loaded through createRequire. */
const NATIVE = ['better-sqlite3', 'fs-ext'];
/** Code a data command never loads (docs/cli.md, "Startup"; test/integration/cli/startup.test.ts). */
const FORBIDDEN = /(^|\/)dist\/(tui|daemon\/(?!polecat-env\.js)|mcp|scripted-agent|demo)\/|node_modules\/(?!commander\/)/;

const result = await build({
  entryPoints: [`${root}dist/cli/main.js`],
  outfile: `${root}dist/cli/data.cjs`,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: NATIVE,
  metafile: true,
  logLevel: 'warning',
  // Modules find files beside them through import.meta.url (package.json, molecules/, the native
  // packages): the bundle sits at dist/cli/, the same depth as every dist/<area>/ module, so
  // their relative paths still land on the same files.
  define: { 'import.meta.url': '__citadelBundleUrl' },
  banner: { js: '"use strict";\nconst __citadelBundleUrl = require("node:url").pathToFileURL(__filename).href;' },
  plugins: [
    {
      name: 'data-commands-only',
      setup(b) {
        // The registry's loaders of the other commands: a stub that says so (bin/citadel.js never
        // sends those commands here; a bare `citadel`, --help or an unknown word goes to dist/).
        b.onResolve({ filter: /^\.\/commands\/[a-z-]+\.js$/ }, (args) => {
          const name = /commands\/([a-z-]+)\.js$/.exec(args.path)[1];
          return BUNDLED.includes(name) ? undefined : { path: name, namespace: 'not-bundled' };
        });
        b.onLoad({ filter: /.*/, namespace: 'not-bundled' }, (args) => ({
          contents: `export function register() { throw new Error('citadel ${args.path} is not in the data bundle: run it from dist/cli/main.js'); }`,
          loader: 'js',
        }));
      },
    },
  ],
});

const problems = [];
for (const [input, info] of Object.entries(result.metafile.inputs)) {
  if (FORBIDDEN.test(input)) problems.push(`${input} is in the bundle (a data command must not load it)`);
  for (const imported of info.imports) {
    if (!imported.external) continue;
    const builtin = imported.path.startsWith('node:') || /^[a-z_]+$/.test(imported.path);
    if (!(builtin && imported.kind !== 'dynamic-import') && !NATIVE.includes(imported.path)) problems.push(`${input} imports ${imported.path} (${imported.kind}) at run time`);
  }
}
if (problems.length) {
  process.stderr.write(`bundle-cli: dist/cli/data.cjs would be wrong:\n  ${problems.join('\n  ')}\n`);
  process.exit(1);
}

// ---- The workstation's bundle ----

/** Packages the workstation's bundle may load at run time: native code, and yoga-layout (below). */
const WS_NATIVE = ['better-sqlite3', 'fs-ext', 'node-pty'];
/** Code the workstation never loads: MCP, the demo's scripted agents, execa. */
const WS_FORBIDDEN = /(^|\/)dist\/(mcp|scripted-agent|demo)\/|node_modules\/(execa|@modelcontextprotocol|ajv)\//;
const INK_RECONCILER = /node_modules\/ink\/build\/reconciler\.js$/;
const PANEL_SLOT = /\/dist\/tui\/shell\/panel-slot\.js$/;
const wsProblems = [];

const wsResult = await build({
  entryPoints: [`${root}dist/cli/main.js`],
  outfile: `${root}dist/cli/workstation.cjs`,
  minifyWhitespace: true,
  minifySyntax: true,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: WS_NATIVE,
  metafile: true,
  logLevel: 'warning',
  banner: { js: '"use strict";\nconst __citadelBundleUrl = require("node:url").pathToFileURL(__filename).href;' },
  plugins: [
    {
      name: 'workstation-only',
      setup(b) {
        // The other commands' actions (bin/citadel.js sends only a bare `citadel` and `attach` here).
        b.onResolve({ filter: /.*/ }, (args) => {
          if (args.kind !== 'dynamic-import' || !/\/dist\/cli\/commands\/[a-z-]+\.js$/.test(args.importer) || /\/commands\/(workstation|attach)\.js$/.test(args.importer)) return undefined;
          return { path: `${args.importer}:${args.path}`, namespace: 'not-bundled' };
        });
        b.onLoad({ filter: /.*/, namespace: 'not-bundled' }, (args) => ({
          contents: `throw new Error(${JSON.stringify(`${args.path} is not in the workstation bundle: run it from dist/cli/main.js`)});`,
          loader: 'js',
        }));
        // yoga-layout's module awaits its WebAssembly at the top, which CommonJS cannot: bin/citadel.js
        // imports it (as an ES module, beside compiling the bundle) and hands it over.
        b.onResolve({ filter: /^yoga-layout$/ }, () => ({ path: 'yoga-layout', namespace: 'yoga' }));
        b.onLoad({ filter: /.*/, namespace: 'yoga' }, () => ({
          contents: 'const yoga = globalThis.__citadelYoga; if (!yoga) throw new Error("yoga-layout was not loaded before the workstation bundle"); export default yoga.default;',
          loader: 'js',
        }));
        // Ink awaits at its top only when DEV=true (React devtools, a package citadel lacks): the
        // bundle takes the branch it would take then without them, and never imports at run time
        // (a vm.Script has no loader for import()). The build fails if Ink changed.
        b.onLoad({ filter: INK_RECONCILER }, async (args) => {
          const text = await readFile(args.path, 'utf8');
          const devtools = "await import('./devtools.js');";
          const packageJson = '? await loadPackageJson()';
          const fs = "await import('node:fs')";
          if (!text.includes(devtools) || !text.includes(packageJson) || !text.includes(fs)) {
            wsProblems.push(`${args.path} no longer has the top-level awaits the bundle replaces`);
            return undefined;
          }
          return {
            contents: text.replace(devtools, "throw Object.assign(new Error('react-devtools-core is not bundled'), { code: 'ERR_MODULE_NOT_FOUND' });").replace(packageJson, '? { name: undefined, version: undefined }').replace(fs, "require('node:fs')"),
            loader: 'js',
          };
        });
        // React, its reconciler and scheduler in their production builds only (bin/citadel.js
        // takes this bundle only when NODE_ENV is unset or production; launch-workstation sets it).
        b.onLoad({ filter: /node_modules\/(react|react-reconciler|scheduler)\/.*\.js$/ }, async (args) => ({
          contents: (await readFile(args.path, 'utf8')).replaceAll('process.env.NODE_ENV', '"production"'),
          loader: 'js',
        }));
        // The shell imports the panels through a variable (they may be missing); in the bundle
        // they are there, so the specifier is written out for esbuild to follow.
        b.onLoad({ filter: PANEL_SLOT }, async (args) => {
          const text = await readFile(args.path, 'utf8');
          const dynamic = 'await import(specifier)';
          if (!text.includes(dynamic) || !text.includes("const specifier = '../panels/index.js';")) {
            wsProblems.push(`${args.path} no longer imports the panels the way the bundle expects`);
            return undefined;
          }
          return { contents: text.replace(dynamic, "await import('../panels/index.js')"), loader: 'js' };
        });
        // Each dist/ module keeps its own import.meta.url (themes/, bin/citadel.js, createRequire):
        // dist/tui/<area>/ is deeper than dist/cli/, so the bundle's URL would not do.
        b.onLoad({ filter: /\/dist\/.*\.js$/ }, async (args) => {
          const text = await readFile(args.path, 'utf8');
          if (!text.includes('import.meta')) return undefined;
          const own = JSON.stringify(relative(`${root}dist/cli`, args.path));
          return { contents: text.replaceAll('import.meta.url', `new URL(${own}, __citadelBundleUrl).href`), loader: 'js' };
        });
      },
    },
  ],
});

for (const [input, info] of Object.entries(wsResult.metafile.inputs)) {
  if (WS_FORBIDDEN.test(input)) wsProblems.push(`${input} is in the bundle (the workstation does not load it)`);
  if (!input.includes(':') && !INK_RECONCILER.test(input) && (await readFile(`${root}${input}`, 'utf8')).includes('import.meta') && !input.startsWith('dist/')) {
    wsProblems.push(`${input} uses import.meta, which a CommonJS bundle does not have`);
  }
  for (const imported of info.imports) {
    if (!imported.external) continue;
    const builtin = imported.path.startsWith('node:') || /^[a-z_]+$/.test(imported.path);
    if (!(builtin && imported.kind !== 'dynamic-import') && !WS_NATIVE.includes(imported.path)) wsProblems.push(`${input} imports ${imported.path} (${imported.kind}) at run time`);
  }
}
// import() with a computed specifier is not in the metafile, and a vm.Script cannot run one.
const wsText = await readFile(`${root}dist/cli/workstation.cjs`, 'utf8');
for (const match of wsText.matchAll(/[^\w$.`]import\((?!\))/g)) wsProblems.push(`an import() is left to run time: ${JSON.stringify(wsText.slice(match.index, match.index + 60))}`);
if (!wsResult.metafile.inputs['dist/tui/panels/index.js']) wsProblems.push('the panels (dist/tui/panels/index.js) are not in the bundle');
if (wsProblems.length) {
  process.stderr.write(`bundle-cli: dist/cli/workstation.cjs would be wrong:\n  ${wsProblems.join('\n  ')}\n`);
  process.exit(1);
}
