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
import { build } from 'esbuild';
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
