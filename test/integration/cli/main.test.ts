import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/temp.js';

describe('the citadel binary', () => {
  it('prints help listing the commands and exits 0', async () => {
    const dir = tempDir();
    try {
      const result = await runCli(['--help'], { cwd: dir.path });
      expect(result.code).toBe(0);
      for (const name of ['init', 'bead', 'ready', 'sling', 'refinery', 'mail', 'molecule', 'doctor']) {
        expect(result.stdout).toContain(name);
      }
    } finally {
      dir.dispose();
    }
  });

  it('reports an unknown option as a usage error (exit 2), in the JSON error shape with --json', async () => {
    const dir = tempDir();
    try {
      const result = await runCli(['--bogus', '--json'], { cwd: dir.path });
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      const error = JSON.parse(result.stderr) as { error: { code: string; message: string } };
      expect(error.error.code).toBe('usage');
      expect(error.error.message).toContain('--bogus');
    } finally {
      dir.dispose();
    }
  });
});

describe('a command that needs a subcommand', () => {
  it('shows its help on stderr and exits 2 when called alone', async () => {
    const dir = tempDir();
    try {
      const result = await runCli(['bead'], { cwd: dir.path });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('Usage: citadel bead');
      expect(result.stderr).toContain('create');
    } finally {
      dir.dispose();
    }
  });
});
