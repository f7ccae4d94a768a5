/**
 * `qadmin hash-password`: the scrypt hash of a password for `auth.users` of
 * the config file. The password comes from standard input (asked for without
 * echo on a terminal, or piped in), never from the command line, where it
 * would stay in the shell's history and the process list.
 */
import { hashPassword } from '@qadmin/core';
import { UsageError } from './errors';

/** The shortest password accepted, as the first-run setup of the issue asks. */
export const MIN_PASSWORD_LENGTH = 12;

type Input = NodeJS.ReadStream;

function readHidden(stdin: Input, stderr: NodeJS.WritableStream, prompt: string): Promise<string> {
  stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  let text = '';
  return new Promise((resolve, reject) => {
    const finish = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      stderr.write('\n');
      if (error) reject(error);
      else resolve(text);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') return finish();
        if (char === '\u0003' || char === '\u0004') return finish(new UsageError('cancelled'));
        if (char === '\u007f' || char === '\b') text = text.slice(0, -1);
        else text += char;
      }
    };
    stdin.on('data', onData);
  });
}

async function readPiped(stdin: Input): Promise<string> {
  let text = '';
  stdin.setEncoding('utf8');
  for await (const chunk of stdin) text += chunk;
  // `echo` adds a newline that is no part of the password.
  return text.replace(/\r?\n$/, '');
}

/**
 * Reads a password and prints its hash from core's `hashPassword`. Throws a
 * {@link UsageError} for a short password or two that differ.
 *
 * @example
 * ```ts
 * await hashPasswordCommand(process.stdin, process.stdout, process.stderr);
 * ```
 */
export async function hashPasswordCommand(
  stdin: Input,
  stdout: NodeJS.WritableStream,
  stderr: NodeJS.WritableStream,
): Promise<void> {
  const password = stdin.isTTY
    ? await readHidden(stdin, stderr, 'Password: ')
    : await readPiped(stdin);
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new UsageError(`use at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (stdin.isTTY && (await readHidden(stdin, stderr, 'Again: ')) !== password) {
    throw new UsageError('the two passwords differ');
  }
  stdout.write(`${await hashPassword(password)}\n`);
}
