import { verifyPassword } from '@qadmin/core';
import { describe, expect, it } from 'vitest';
import { runQadmin } from './qadmin';

describe('qadmin', () => {
  it('--help lists the commands; serve --help lists every flag', async () => {
    const main = await runQadmin(['--help']);
    expect(main.code).toBe(0);
    expect(main.stdout).toMatch(/serve .*\n[\s\S]*hash-password/);
    const serve = await runQadmin(['serve', '--help']);
    expect(serve.code).toBe(0);
    for (const flag of [
      '--demo',
      '--redis',
      '--prefix',
      '--postgres',
      '--pgboss-schema',
      '--collector',
      '--state-dir',
      '--host',
      '--port',
      '--base-path',
      '--read-only',
      '--title',
      '--no-ui',
      '--config',
      '--unsafe-anonymous-writes',
    ]) {
      expect(serve.stdout).toContain(flag);
    }
  });

  it('--version prints the package version', async () => {
    const { version } = (await import('../package.json', { with: { type: 'json' } })).default;
    const result = await runQadmin(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(version);
  });

  it('an unknown command exits 2', async () => {
    const result = await runQadmin(['serv']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown command "serv"');
  });
});

describe('qadmin hash-password', () => {
  it('prints the scrypt hash of a piped password', async () => {
    const result = await runQadmin(['hash-password'], { stdin: 'correct horse battery\n' });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+\n$/);
    expect(result.stdout).not.toContain('correct horse');
    // The newline echo adds is no part of the password.
    expect(await verifyPassword('correct horse battery', result.stdout.trim())).toBe(true);
  });

  it('refuses a password under 12 characters', async () => {
    const result = await runQadmin(['hash-password'], { stdin: 'too-short' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('at least 12 characters');
    expect(result.stdout).toBe('');
  });

  it('takes no password on the command line', async () => {
    const result = await runQadmin(['hash-password', '--password', 'correct horse battery']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown flag --password');
  });
});
