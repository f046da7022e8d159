import { describe, expect, it } from 'vitest';
import { parseDestination, shellQuote, validateHostName, validateRemotePath } from '../../../src/remote/names.js';
import { sshArgv } from '../../../src/remote/ssh.js';

describe('host names, destinations and paths', () => {
  it('takes user@host[:path], host alone, and ssh config aliases', () => {
    expect(parseDestination('me@gpu.example.com')).toEqual({ destination: 'me@gpu.example.com', path: undefined });
    expect(parseDestination('gpu')).toEqual({ destination: 'gpu', path: undefined });
    expect(parseDestination('dev@10.0.0.7:/srv/citadel/')).toEqual({ destination: 'dev@10.0.0.7', path: '/srv/citadel' });
    expect(parseDestination('dev@lab:towns/x')).toEqual({ destination: 'dev@lab', path: 'towns/x' });
  });

  it('refuses anything ssh could read as an option, and hostile paths', () => {
    for (const bad of ['-oProxyCommand=touch /tmp/x', 'me@-oProxyCommand=x', '-l@host', 'me@', '@host', 'me@ho st', 'me@host:-rf', 'me@host:a/../b', 'me@host:', 'me@host:a\nb', 'me@..', 'm;e@host']) {
      expect(() => parseDestination(bad), bad).toThrow(/invalid/);
    }
    for (const bad of ['', 'Gpu', '-x', 'a b', 'a/b', '1gpu', 'x'.repeat(33)]) expect(() => validateHostName(bad), bad).toThrow(/invalid host name/);
    expect(() => validateRemotePath('x'.repeat(161))).toThrow(/160 bytes/);
  });

  it('passes the destination after -- and quotes every remote argument for the remote shell', () => {
    const argv = sshArgv({ destination: 'me@gpu', ssh_config: null }, ['citadel', 'host', 'serve', '--dir', "it's here; rm -rf ~"]);
    expect(argv.slice(0, 2)).toEqual(['ssh', '-T']);
    expect(argv).toContain('BatchMode=yes');
    expect(argv[argv.indexOf('--') + 1]).toBe('me@gpu');
    expect(argv.at(-1)).toBe(`citadel host serve '--dir' 'it'\\''s here; rm -rf ~'`);
    expect(shellQuote('$(reboot)')).toBe(`'$(reboot)'`);
    expect(shellQuote('')).toBe(`''`);
  });
});
