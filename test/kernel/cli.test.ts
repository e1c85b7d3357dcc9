import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { KernelErrors, WeftError, definePlugin, runCli, weftVersion, type BuiltinPlugins, type Command } from '../../kernel/index.js';
import { builtins as realBuiltins } from '../../plugins/builtins.js';
import { tempDir } from '../support/temp.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const packageVersion = (JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string }).version;

const command = (name: string, extra: Partial<Command> = {}): Command => ({
  name,
  summary: `the ${name} command`,
  run: ({ positionals, values, io }) => {
    io.stdout(`${name} ${JSON.stringify({ positionals, values })}\n`);
    return 0;
  },
  ...extra,
});

const tools = definePlugin({
  name: 'tools',
  version: '1.0.0',
  kernel: '^1',
  setup(ctx) {
    ctx.hooks.tap('kernel.commands', (commands) => {
      commands.add(command('greet', {
        args: '<name>',
        positionals: { min: 1, max: 1 },
        description: 'Greets someone by name.',
        options: { loud: { type: 'boolean', short: 'l', description: 'Shout' }, times: { type: 'string', value: '<n>', description: 'How often' } },
      }));
      commands.add(command('many', { args: '<file>...' }));
      commands.add(command('range', { args: '<a> [b] [c]', positionals: { min: 1, max: 3 } }));
      commands.add(command('none'));
      commands.add(command('exit three', { run: () => 3 }));
      commands.add(command('fail coded', { run: () => { throw new WeftError('TEST_CODED', 'it went wrong', { path: 'steps.a' }); } }));
      commands.add(command('fail plain', { run: async () => { throw new Error('plain failure'); } }));
      commands.add(command('fail text', { run: () => { throw 'text failure'; } }));
      commands.add(command('picky', { run: () => { throw new WeftError(KernelErrors.CLI_USAGE, '--mode must be fast or slow'); } }));
    });
  },
});

const testBuiltins: BuiltinPlugins = { tools: async () => ({ default: tools }) };

async function cli(argv: string[], options: { cwd?: string; builtins?: BuiltinPlugins; env?: Record<string, string> } = {}) {
  let out = '';
  let err = '';
  const code = await runCli(argv, {
    builtins: options.builtins ?? testBuiltins,
    io: { stdout: (t) => void (out += t), stderr: (t) => void (err += t), cwd: options.cwd ?? tempDir(), env: options.env ?? {} },
  });
  return { code, out, err };
}

const usage = suite('cli: usage');

usage('weft nonsense exits 2 with the usage on stderr (real built-ins)', async () => {
  const { code, out, err } = await cli(['nonsense'], { builtins: realBuiltins });
  assert.is(code, 2);
  assert.is(out, '');
  assert.match(err, /^error \[KERNEL_CLI_USAGE\]: unknown command "nonsense"\n\nweft .*\n\nUsage: weft <command> \[options\]/);
  assert.match(err, /plugins list +List plugins/);
});

usage('--version and -v print the package version without booting', async () => {
  assert.equal(await cli(['--version'], { builtins: {} }), { code: 0, out: `${packageVersion}\n`, err: '' });
  assert.is((await cli(['-v'])).out, `${packageVersion}\n`);
  assert.is(weftVersion(), packageVersion);
});

usage('--help, -h, help and no arguments list every command with its summary', async () => {
  for (const argv of [['--help'], ['-h'], ['help'], []]) {
    const { code, out } = await cli(argv);
    assert.is(code, 0, argv.join(' '));
    assert.match(out, `weft ${packageVersion}: AI-agent pipelines`);
    assert.match(out, /\n {2}greet +the greet command\n/);
    assert.match(out, /\n {2}fail coded +the fail coded command\n/);
    assert.match(out, /-v, --version +Print the version/);
  }
});

usage('an unknown global option exits 2', async () => {
  const { code, err } = await cli(['--nonsense']);
  assert.is(code, 2);
  assert.match(err, 'error [KERNEL_CLI_USAGE]: unknown option "--nonsense"');
});

usage('per-command help: weft <cmd> --help and weft help <cmd>', async () => {
  const expected = [
    'Usage: weft greet <name> [options]',
    '',
    'Greets someone by name.',
    '',
    'Options:',
    '  -l, --loud   Shout',
    '  --times <n>  How often',
    '  -h, --help   Show this help',
    '',
  ].join('\n');
  assert.equal(await cli(['greet', '--help']), { code: 0, out: expected, err: '' });
  assert.is((await cli(['help', 'greet'])).out, expected);
  assert.match((await cli(['none', '-h'])).out, 'Usage: weft none [options]\n\nthe none command\n');
});

usage('a group alone lists its commands; with --help too', async () => {
  for (const argv of [['fail'], ['fail', '--help'], ['help', 'fail']]) {
    const { code, out } = await cli(argv);
    assert.is(code, 0);
    assert.match(out, /^Usage: weft fail <command> \[options\]\n\nCommands:\n {2}fail coded +the fail coded command\n {2}fail plain/);
    assert.not.match(out, 'greet');
  }
});

usage('an unknown subcommand or option of a group exits 2 with the group usage', async () => {
  const sub = await cli(['fail', 'sideways']);
  assert.is(sub.code, 2);
  assert.match(sub.err, 'error [KERNEL_CLI_USAGE]: unknown command "fail sideways"\n\nUsage: weft fail <command>');
  const flag = await cli(['fail', '--json']);
  assert.is(flag.code, 2);
  assert.match(flag.err, 'error [KERNEL_CLI_USAGE]: unknown option "--json" for "fail"');
  assert.is((await cli(['help', 'nothing'])).code, 2);
});

usage.run();

const parsing = suite('cli: arguments');

parsing('options and positionals reach the command; the longest command name wins', async () => {
  const { code, out } = await cli(['greet', 'ada', '--loud', '--times', '2']);
  assert.is(code, 0);
  assert.is(out, 'greet {"positionals":["ada"],"values":{"loud":true,"times":"2"}}\n');
  assert.is((await cli(['exit', 'three'])).code, 3);
});

parsing('an unknown flag exits 2 with the command usage', async () => {
  const { code, err } = await cli(['greet', 'ada', '--shout']);
  assert.is(code, 2);
  assert.match(err, "error [KERNEL_CLI_USAGE]: Unknown option '--shout'");
  assert.match(err, 'Usage: weft greet <name> [options]');
});

parsing('a string option without its value exits 2', async () => {
  assert.is((await cli(['greet', 'ada', '--times'])).code, 2);
});

parsing('missing or extra positionals exit 2 saying how many are expected', async () => {
  const cases: Array<[string[], string]> = [
    [['greet'], '"greet" takes 1 argument(s), got 0'],
    [['greet', 'a', 'b'], '"greet" takes 1 argument(s), got 2'],
    [['none', 'x'], '"none" takes 0 argument(s), got 1'],
    [['range', 'a', 'b', 'c', 'd'], '"range" takes 1 to 3 argument(s), got 4'],
  ];
  for (const [argv, message] of cases) {
    const { code, err } = await cli(argv);
    assert.is(code, 2, argv.join(' '));
    assert.match(err, `error [KERNEL_CLI_USAGE]: ${message}\n\nUsage: weft ${argv[0]!}`);
  }
  assert.is((await cli(['many', 'a', 'b', 'c'])).code, 0);
  assert.is((await cli(['range', 'a', 'b'])).code, 0);
});

parsing('a command rejecting its arguments with KERNEL_CLI_USAGE exits 2 with its usage', async () => {
  assert.equal(await cli(['picky']), { code: 2, out: '', err: 'error [KERNEL_CLI_USAGE]: --mode must be fast or slow\n\nUsage: weft picky [options]\n' });
});

parsing('"takes at least" is said for open-ended commands', async () => {
  const plugin = definePlugin({
    name: 'atleast',
    version: '1.0.0',
    kernel: '^1',
    setup: (ctx) => ctx.hooks.tap('kernel.commands', (c) => c.add(command('merge', { args: '<file>...', positionals: { min: 2, max: Infinity } }))),
  });
  const { code, err } = await cli(['merge', 'one'], { builtins: { atleast: async () => ({ default: plugin }) } });
  assert.is(code, 2);
  assert.match(err, '"merge" takes at least 2 argument(s), got 1');
});

parsing.run();

const failures = suite('cli: failures');

failures('a WeftError from a command prints code, message and path, exit 1, no stack', async () => {
  assert.equal(await cli(['fail', 'coded']), { code: 1, out: '', err: 'error [TEST_CODED]: it went wrong\n  at steps.a\n' });
});

failures('other errors print their message, exit 1', async () => {
  assert.equal(await cli(['fail', 'plain']), { code: 1, out: '', err: 'error: plain failure\n' });
  assert.equal(await cli(['fail', 'text']), { code: 1, out: '', err: 'error: text failure\n' });
});

failures('a bad configuration fails before any command, naming the path', async () => {
  const cwd = tempDir({ 'weft.config.json': '{"boot_timeout_ms": "soon"}' });
  assert.equal(await cli(['none'], { cwd }), { code: 1, out: '', err: 'error [KERNEL_CONFIG_INVALID]: Invalid configuration: boot_timeout_ms must be an integer\n  at boot_timeout_ms\n' });
});

failures('the environment reaches the configuration', async () => {
  const { code, err } = await cli(['none'], { env: { WEFT_BOOT_TIMEOUT_MS: '0' } });
  assert.is(code, 1);
  assert.match(err, 'boot_timeout_ms must be >= 1');
});

failures('a plugin that fails to load is a warning; the others still run', async () => {
  const cwd = tempDir({ 'weft.config.json': '{"load": ["./gone.ts"]}' });
  const { code, out, err } = await cli(['none'], { cwd });
  assert.is(code, 0);
  assert.match(out, 'none');
  assert.match(err, /^warning: Plugin "\.\/gone\.ts" could not be loaded: /);
});

failures('a boot failure exits 1 and the kernel is closed', async () => {
  const log: string[] = [];
  const first = definePlugin({ name: 'first', version: '1.0.0', kernel: '^1', setup: (ctx) => ctx.onClose(() => void log.push('closed first')) });
  const broken = definePlugin({ name: 'broken', version: '1.0.0', kernel: '^1', dependsOn: ['first'], setup: () => { throw new Error('no'); } });
  const { code, err } = await cli(['none'], { builtins: { first: async () => ({ default: first }), broken: async () => ({ default: broken }) } });
  assert.is(code, 1);
  assert.is(err, 'error [KERNEL_PLUGIN_BOOT_FAILED]: Plugin "broken" failed to boot: no\n');
  assert.equal(log, ['closed first']);
});

failures('the kernel is always closed; a failing teardown turns success into exit 1', async () => {
  const leaky = definePlugin({ name: 'leaky', version: '1.0.0', kernel: '^1', setup: (ctx) => ctx.onClose(() => { throw new Error('stuck'); }) });
  const { code, out, err } = await cli(['none'], { builtins: { ...testBuiltins, leaky: async () => ({ default: leaky }) } });
  assert.is(code, 1);
  assert.match(out, 'none');
  assert.is(err, 'error [KERNEL_CLOSE_FAILED]: 1 teardown(s) failed while closing: leaky (stuck)\n');
});

failures('two plugins contributing one command name is KERNEL_COMMAND_DUPLICATE naming both', async () => {
  const copy = definePlugin({ name: 'copycat', version: '1.0.0', kernel: '^1', setup: (ctx) => ctx.hooks.tap('kernel.commands', (c) => c.add(command('greet'))) });
  const { code, err } = await cli(['none'], { builtins: { ...testBuiltins, copycat: async () => ({ default: copy }) } });
  assert.is(code, 1);
  assert.is(err, 'error [KERNEL_COMMAND_DUPLICATE]: Command "greet" is contributed by both tools and copycat; disable one of them\n');
});

failures.run();

const process_ = suite('cli: process');

process_('without io, output goes to the process streams', async () => {
  const out: string[] = [];
  const err: string[] = [];
  const [stdout, stderr] = [process.stdout.write, process.stderr.write];
  process.stdout.write = ((t: string) => out.push(t) > 0) as typeof process.stdout.write;
  process.stderr.write = ((t: string) => err.push(t) > 0) as typeof process.stderr.write;
  try {
    await runCli(['none'], { builtins: testBuiltins, io: { cwd: tempDir(), env: {} } });
    await runCli(['nonsense'], { builtins: testBuiltins, io: { cwd: tempDir(), env: {} } });
  } finally {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
  }
  assert.match(out.join(''), 'none {"positionals":[],"values":{}}');
  assert.match(err.join(''), 'error [KERNEL_CLI_USAGE]: unknown command "nonsense"');
});

process_('bin/weft.js --version in a subprocess', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [`${root}bin/weft.js`, '--version']);
  assert.is(stdout, `${packageVersion}\n`);
});

process_('bin/weft.js exits once the result is printed, even with a timed-out step still holding a timer', async () => {
  const dir = tempDir();
  writeFileSync(`${dir}/steps.mjs`, 'export async function Forever() { setInterval(() => {}, 1000); await new Promise(() => {}); }\n');
  writeFileSync(`${dir}/p.json`, JSON.stringify({ name: 'forever', steps: [{ id: 'f', step_class: 'Forever', timeout_ms: 100 }], flow: { start_at: 'f', transitions: [] } }));
  writeFileSync(`${dir}/weft.config.json`, JSON.stringify({ plugins: { storage: { runs: 'memory', memory: 'memory', kv: 'memory', catalog: 'memory', records: 'memory' } } }));
  const started = Date.now();
  const outcome = await promisify(execFile)(process.execPath, [`${root}bin/weft.js`, 'run', 'p.json', '--steps', './steps.mjs', '--json'], { cwd: dir, timeout: 20_000 }).catch((e: { code: number; stdout: string }) => e);
  assert.is((outcome as { code?: number }).code, 1);
  assert.is(JSON.parse(outcome.stdout).error.code, 'PIPELINE_STEP_TIMEOUT');
  assert.ok(Date.now() - started < 15_000, 'it exits instead of waiting for the timer');
});

process_('bin/weft.js prints a result larger than a pipe holds whole, and ends quietly when its reader goes away', async () => {
  const dir = tempDir();
  const ids = Array.from({ length: 300 }, (_, i) => `s${i}`);
  writeFileSync(`${dir}/steps.mjs`, "export async function A() { return { text: 'x'.repeat(4000) }; }\n");
  writeFileSync(`${dir}/p.json`, JSON.stringify({ name: 'big', steps: ids.map((id) => ({ id, step_class: 'A' })), flow: { start_at: 's0', transitions: ids.slice(1).map((to, i) => ({ from: ids[i], to })) } }));
  // The embedded store of this folder, whatever DATABASE_URL or REDIS_URL the suite runs with.
  const { DATABASE_URL: _d, REDIS_URL: _r, ...env } = process.env;
  const weft = (...args: string[]) => spawn(process.execPath, [`${root}bin/weft.js`, ...args], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const collect = (stream: NodeJS.ReadableStream) => {
    let text = '';
    stream.on('data', (chunk: Buffer) => void (text += chunk.toString()));
    return () => text;
  };
  const run = weft('run', 'p.json', '--steps', './steps.mjs', '--run-id', 'big-1', '--json');
  const out = collect(run.stdout);
  // 'close', not 'exit': the process may exit before its output is all read.
  await once(run, 'close');
  assert.is((JSON.parse(out()) as { execution_path: string[] }).execution_path.length, 300, 'the whole result arrived');
  // The stored run read back to a reader that leaves after the first chunk.
  const show = weft('runs', 'show', 'big-1', '--json');
  show.stdout.once('data', () => show.stdout.destroy());
  const err = collect(show.stderr);
  const [code] = (await once(show, 'exit')) as [number];
  assert.is(err(), '');
  assert.is(code, 0);
});

process_.run();
