import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CitadelError } from '../common/errors.js';
import { childEnv } from '../common/child-env.js';

/**
 * Signing a CV's head with the user's SSH key through OpenSSH's own `ssh-keygen -Y sign` and
 * `-Y verify` (OpenSSH 8.1+): an existing tool and the keys people already have, not a crypto
 * stack of citadel's. Always spawned with argv arrays, never a shell; the message goes on
 * standard input. The namespace keeps a CV signature from passing as any other (a git commit's,
 * a file's).
 */
export const SIGN_NAMESPACE = 'citadel-cv';
const TIMEOUT_MS = 60_000;

function keygen(args: readonly string[], input: string, env: NodeJS.ProcessEnv): { status: number; stdout: string; stderr: string } {
  const result = spawnSync('ssh-keygen', args, { input, encoding: 'utf8', timeout: TIMEOUT_MS, env: childEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CitadelError('unavailable', 'ssh-keygen not found: install OpenSSH (8.1 or later) to sign or verify a CV with an SSH key');
    throw new CitadelError('failed', `ssh-keygen ${args[0]} ${args[1]} failed: ${result.error.message}`);
  }
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

/** The last line ssh-keygen wrote to stderr: its reason, on one line. */
const reasonOf = (stderr: string): string => stderr.trim().split('\n').filter(Boolean).at(-1) ?? 'no reason given';

/** Signs `message` with the private key file `key` (or its `.pub`, with the key in ssh-agent); returns the armored signature. */
export function signMessage(message: string, key: string, env: NodeJS.ProcessEnv): string {
  const result = keygen(['-Y', 'sign', '-f', key, '-n', SIGN_NAMESPACE], message, env);
  if (result.status !== 0 || !result.stdout.includes('BEGIN SSH SIGNATURE')) {
    throw new CitadelError('failed', `could not sign with ${key}: ${reasonOf(result.stderr)}`);
  }
  return result.stdout;
}

/**
 * Verifies `armored` over `message` for `principal` (or, when none is given, the principal the
 * allowed-signers file holds for the key) against an allowed-signers file (ssh-keygen(1),
 * "ALLOWED SIGNERS"). Returns ssh-keygen's own line ("Good "citadel-cv" signature for … with
 * ED25519 key SHA256:…"); throws a one-line CitadelError('invalid') when it does not verify.
 */
export function verifySignature(message: string, armored: string, allowedSigners: string, principal: string | null, env: NodeJS.ProcessEnv, name: string): { principal: string; line: string } {
  const dir = mkdtempSync(join(tmpdir(), 'citadel-cv-'));
  try {
    const sig = join(dir, 'head.sig');
    writeFileSync(sig, armored, { mode: 0o600 });
    let who = principal;
    if (who === null) {
      const found = keygen(['-Y', 'find-principals', '-s', sig, '-f', allowedSigners], '', env);
      who = found.status === 0 ? (found.stdout.trim().split('\n')[0] ?? '') : '';
      if (!who) throw new CitadelError('invalid', `${name} does not verify: its head was not signed by any key in ${allowedSigners} (${reasonOf(found.stderr || found.stdout)})`);
    }
    const result = keygen(['-Y', 'verify', '-f', allowedSigners, '-I', who, '-n', SIGN_NAMESPACE, '-s', sig], message, env);
    if (result.status !== 0) throw new CitadelError('invalid', `${name} does not verify: the signature on its head is not ${who}'s in ${allowedSigners} (${reasonOf(result.stderr || result.stdout)})`);
    return { principal: who, line: result.stdout.trim().split('\n')[0] ?? '' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
