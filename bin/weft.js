#!/usr/bin/env node
// The `weft` command: the CLI shell over the compiled kernel and the built-in plugins.
import { runCli } from '../dist/kernel/cli.js';
import { builtins } from '../dist/plugins/builtins.js';

// A reader that went away (`weft runs list | head`) ends the command quietly, as for other tools.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(0);
  });
}

// Exits once the command is done, the kernel closed and what it printed has reached the reader (a
// pipe takes a large result in several writes): a step left running past its timeout (a timer it
// never cleared, a promise that never settles) must not keep the process alive.
const code = await runCli(process.argv.slice(2), { builtins });
await Promise.all([process.stdout, process.stderr].map((stream) => new Promise((done) => stream.write('', done))));
process.exit(code);
