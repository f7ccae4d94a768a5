#!/usr/bin/env node
// Prints the scrypt hash of a password for passwordAuth's `passwordHash`: the
// password is read from standard input (asked for without echo on a
// terminal, or piped in), never from the command line, where it would stay
// in the shell's history and the process list.
import { stderr, stdin, stdout } from 'node:process';
import { hashPassword } from '../dist/index.js';

async function readHidden(prompt) {
  stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  let text = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off('data', onData);
          stderr.write('\n');
          return resolve(text);
        }
        if (char === '\u0003') {
          stdin.setRawMode(false);
          stderr.write('\n');
          return reject(new Error('cancelled'));
        }
        if (char === '\u007f') text = text.slice(0, -1);
        else text += char;
      }
    };
    stdin.on('data', onData);
  });
}

async function readPiped() {
  let text = '';
  stdin.setEncoding('utf8');
  for await (const chunk of stdin) text += chunk;
  return text.replace(/\r?\n$/, '');
}

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  stdout.write(
    'Usage: qadmin-hash-password\n\nReads a password from standard input and prints its scrypt hash for\npasswordAuth({ users: [{ username, passwordHash, role }] }).\n\n  echo -n "$PASSWORD" | qadmin-hash-password\n',
  );
  process.exit(0);
}

try {
  const password = stdin.isTTY ? await readHidden('Password: ') : await readPiped();
  if (password.length < 12) {
    stderr.write('qadmin-hash-password: use at least 12 characters\n');
    process.exit(1);
  }
  if (stdin.isTTY && (await readHidden('Again: ')) !== password) {
    stderr.write('qadmin-hash-password: the two passwords differ\n');
    process.exit(1);
  }
  stdout.write(`${await hashPassword(password)}\n`);
} catch (error) {
  stderr.write(`qadmin-hash-password: ${error instanceof Error ? error.message : error}\n`);
  process.exit(1);
}
