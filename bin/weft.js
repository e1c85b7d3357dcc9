#!/usr/bin/env node
// The `weft` command: the CLI shell over the compiled kernel and the built-in plugins.
import { runCli } from '../dist/kernel/cli.js';
import { builtins } from '../dist/plugins/builtins.js';

// Exits once the command is done and the kernel closed: a step left running past its timeout (a
// timer it never cleared, a promise that never settles) must not keep the process alive.
process.exit(await runCli(process.argv.slice(2), { builtins }));
