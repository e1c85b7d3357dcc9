#!/usr/bin/env node
// The `weft` command: the CLI shell over the compiled kernel and the built-in plugins.
import { runCli } from '../dist/kernel/cli.js';
import { builtins } from '../dist/plugins/builtins.js';

process.exitCode = await runCli(process.argv.slice(2), { builtins });
