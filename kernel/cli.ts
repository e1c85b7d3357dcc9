import { createRequire } from 'node:module';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { commandHelp, commandUsage, globalHelp, groupHelp } from './cli-help.js';
import { collectCommands, type Command, type CommandInvocation, type CommandIO } from './commands.js';
import { loadConfig } from './config.js';
import { KernelErrors, WeftError } from './errors.js';
import { createKernel, type Kernel } from './kernel.js';
import { loadPlugins, type BuiltinPlugins } from './loader.js';
import { createLogger } from './logger.js';
import { createPluginCatalog } from './plugin-catalog.js';
import type { ServiceReader } from './services.js';

/** Options of {@link runCli}. */
export interface CliOptions {
  /** The built-in plugins (the composition root, plugins/builtins.ts). */
  builtins: BuiltinPlugins;
  /** Streams, working directory and environment; default the process's own. */
  io?: Partial<CommandIO>;
}

/** Exit codes: 0 success, 1 a failure, 2 a command line that could not be understood. */
const USAGE = 2;

/** weft's version, from its package.json (found by the package's own name, from src or dist). */
export function weftVersion(): string {
  return (createRequire(import.meta.url)('weft/package.json') as { version: string }).version;
}

/**
 * Runs `weft <argv>`: loads the configuration and plugins, boots a kernel, collects commands from
 * the `kernel.commands` hook, runs the matching one and closes the kernel. Resolves to the exit
 * code; errors are printed as `error [CODE]: message`, never as a stack trace.
 */
export async function runCli(argv: readonly string[], options: CliOptions): Promise<number> {
  const io: CommandIO = {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    cwd: process.cwd(),
    env: process.env,
    ...options.io,
  };
  if (argv[0] === '--version' || argv[0] === '-v') {
    io.stdout(`${weftVersion()}\n`);
    return 0;
  }
  let kernel: Kernel | undefined;
  let code: number;
  try {
    kernel = await bootForCli(options.builtins, io);
    code = await dispatch(argv, collectCommands(kernel.hooks.get('kernel.commands')), io, kernel.services);
  } catch (e: unknown) {
    printError(e, io);
    code = 1;
  }
  try {
    await kernel?.close();
  } catch (e: unknown) {
    printError(e, io);
    code = 1;
  }
  return code;
}

async function bootForCli(builtins: BuiltinPlugins, io: CommandIO): Promise<Kernel> {
  const config = await loadConfig({ cwd: io.cwd, env: io.env });
  const result = await loadPlugins({ builtins, load: config.load, disabled: config.disabled, cwd: io.cwd });
  for (const failure of result.failed) io.stderr(`warning: ${failure.reason}\n`);
  const catalog = createPluginCatalog({ result, builtins, cwd: io.cwd, timings: () => kernel.bootTimings });
  const kernel = createKernel({
    // Disabled ones too: the kernel leaves them out, and knows their names are not typos.
    plugins: [...result.loaded, ...result.disabled].map((p) => p.definition),
    config,
    cwd: io.cwd,
    logger: createLogger(io.stderr),
    services: { 'kernel.plugins': catalog },
  });
  await kernel.boot();
  return kernel;
}

async function dispatch(argv: readonly string[], commands: Map<string, Command>, io: CommandIO, services: ServiceReader): Promise<number> {
  const [first, ...others] = argv;
  if (first === undefined || first === '--help' || first === '-h') {
    io.stdout(globalHelp(weftVersion(), commands.values()));
    return 0;
  }
  if (first === 'help') return others.length === 0 ? dispatch([], commands, io, services) : dispatch([...others, '--help'], commands, io, services);
  if (first.startsWith('-')) return usageError(io, `unknown option "${first}"`, globalHelp(weftVersion(), commands.values()));
  // Command words run up to the first flag; the longest run that names a command wins.
  const flag = argv.findIndex((a) => a.startsWith('-'));
  const words = flag === -1 ? [...argv] : argv.slice(0, flag);
  for (let n = words.length; n > 0; n--) {
    const command = commands.get(words.slice(0, n).join(' '));
    if (command !== undefined) return runCommand(command, argv.slice(n), io, services);
  }
  const members = [...commands.values()].filter((c) => c.name.startsWith(`${first} `));
  if (members.length === 0) return usageError(io, `unknown command "${first}"`, globalHelp(weftVersion(), commands.values()));
  const help = groupHelp(first, members);
  if (words.length > 1) return usageError(io, `unknown command "${words.join(' ')}"`, help);
  const unknown = argv.slice(1).find((a) => a !== '--help' && a !== '-h');
  if (unknown !== undefined) return usageError(io, `unknown option "${unknown}" for "${first}"`, help);
  io.stdout(help);
  return 0;
}

async function runCommand(command: Command, args: string[], io: CommandIO, services: ServiceReader): Promise<number> {
  const options: NonNullable<ParseArgsConfig['options']> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, { description: _description, value: _value, ...parse }] of Object.entries(command.options ?? {})) options[name] = parse;
  let parsed: { values: CommandInvocation['values']; positionals: string[] };
  try {
    // An option has one type, so parseArgs' `(string | boolean)[]` is really `string[]` or `boolean[]`.
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (e: unknown) {
    return usageError(io, (e as Error).message, commandHelp(command));
  }
  if (parsed.values['help'] === true) {
    io.stdout(commandHelp(command));
    return 0;
  }
  const { min, max } = command.positionals ?? { min: 0, max: command.args === undefined ? 0 : Infinity };
  const count = parsed.positionals.length;
  if (count < min || count > max) {
    const expected = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    return usageError(io, `"${command.name}" takes ${expected} argument(s), got ${count}`, commandUsage(command) + '\n');
  }
  try {
    return await command.run({ positionals: parsed.positionals, values: parsed.values, io, services });
  } catch (e: unknown) {
    // A command rejecting its arguments (a bad option value) is a usage error like any other.
    if (e instanceof WeftError && e.code === KernelErrors.CLI_USAGE) return usageError(io, e.message, commandUsage(command) + '\n');
    throw e;
  }
}

function usageError(io: CommandIO, message: string, usage: string): number {
  io.stderr(`error [${KernelErrors.CLI_USAGE}]: ${message}\n\n${usage}`);
  return USAGE;
}

/** Prints an error the way the CLI does: `error [CODE]: message`, plus `  at <path>` when known. */
export function printError(e: unknown, io: Pick<CommandIO, 'stderr'>): void {
  if (e instanceof WeftError) io.stderr(`error [${e.code}]: ${e.message}\n${e.path === undefined ? '' : `  at ${e.path}\n`}`);
  else io.stderr(`error: ${e instanceof Error ? e.message : String(e)}\n`);
}
