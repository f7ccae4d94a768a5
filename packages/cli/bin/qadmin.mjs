#!/usr/bin/env node
// The `qadmin` command. Everything lives in dist so that it is typed and tested;
// this file only hands over the arguments and the exit code. process.exit, not
// exitCode: once `serve` has closed what it opened, a client library's stray
// timer must not hold the process past its shutdown deadline.
import { main } from '../dist/index.js';

process.exit(await main(process.argv.slice(2)));
