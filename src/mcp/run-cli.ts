import { main } from '../cli/main.js';

/** The outcome of one in-process `citadel … --json` call. */
export interface CliOutcome {
  code: number;
  stdout: string;
  /** The error the CLI reported (`{"error":{code,message}}` on stderr), if any. */
  error?: { code: string; message: string };
}

export interface CliWorld {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** `citadel mcp --town DIR`: every call acts on that town. */
  town?: string | undefined;
}

/**
 * Runs a citadel command through the CLI's own `main`, in this process, with `--json`, and
 * captures what it prints. This is what keeps MCP tools thin: same parsing, validation,
 * mutators and error messages as the command line. Calls are serialised (main reads the
 * process-wide exit code).
 */
export function createCliRunner(world: CliWorld): (argv: readonly string[]) => Promise<CliOutcome> {
  let queue: Promise<unknown> = Promise.resolve();
  return (argv) => {
    const next = queue.then(() => runOnce(world, withJson(world.town === undefined ? argv : [`--town=${world.town}`, ...argv])));
    queue = next.catch(() => undefined);
    return next;
  };
}

async function runOnce(world: CliWorld, argv: string[]): Promise<CliOutcome> {
  let stdout = '';
  let stderr = '';
  const saved = process.exitCode;
  process.exitCode = undefined;
  try {
    const code = await main(argv, {
      cwd: world.cwd,
      env: world.env,
      stdout: (text) => {
        stdout += text;
      },
      stderr: (text) => {
        stderr += text;
      },
    });
    return { code, stdout, ...(code !== 0 ? { error: parseError(stderr) } : {}) };
  } finally {
    process.exitCode = saved;
  }
}

/** `--json` goes before a `--` (after it, it would be an argument). */
function withJson(argv: readonly string[]): string[] {
  const end = argv.indexOf('--');
  return end < 0 ? [...argv, '--json'] : [...argv.slice(0, end), '--json', ...argv.slice(end)];
}

function parseError(stderr: string): { code: string; message: string } {
  for (const line of stderr.split('\n').reverse()) {
    try {
      const parsed = JSON.parse(line) as { error?: { code?: unknown; message?: unknown } };
      if (parsed.error && typeof parsed.error.message === 'string') {
        return { code: String(parsed.error.code ?? 'failed'), message: parsed.error.message };
      }
    } catch {
      // not the JSON error line
    }
  }
  return { code: 'failed', message: stderr.trim() || 'failed' };
}
