import type { SyncHook } from 'tapable';
import { KernelErrors, WeftError } from './errors.js';
import type { ServiceReader } from './services.js';

/** One option of a CLI command, as `node:util` parseArgs understands it. */
export interface CommandOption {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  description: string;
  /** Placeholder shown in help, e.g. `<json>`. */
  value?: string;
}

/** Streams and environment a command runs with. */
export interface CommandIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
}

/** What a command handler receives. */
export interface CommandInvocation {
  positionals: string[];
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  io: CommandIO;
  services: ServiceReader;
}

/** A CLI command contributed by a plugin through the `kernel.commands` hook. */
export interface Command {
  /** Words after `weft`, e.g. `run` or `plugins list`. */
  name: string;
  summary: string;
  /** Positional arguments as shown in usage, e.g. `<file>` or `<folder>...`. */
  args?: string;
  /** Minimum and maximum number of positionals (default 0 and 0 unless `args` is set). */
  positionals?: { min: number; max: number };
  options?: Record<string, CommandOption>;
  /** Longer help text. */
  description?: string;
  /** Runs the command; resolves to the process exit code. */
  run(invocation: CommandInvocation): Promise<number> | number;
  /** Plugin that contributed it (filled in by the kernel). */
  plugin?: string;
}

/** Collects commands during the `kernel.commands` hook. */
export interface CommandRegistry {
  /** Adds a command; throws KERNEL_COMMAND_DUPLICATE when another plugin took the name. */
  add(command: Command): void;
}

/**
 * Calls the `kernel.commands` hook once and returns the commands by name, each labelled with the
 * plugin whose tap added it (an interceptor sees which tap is running).
 */
export function collectCommands(hook: SyncHook<[CommandRegistry]>): Map<string, Command> {
  const commands = new Map<string, Command>();
  let plugin = '';
  hook.intercept({ tap: (tap) => void (plugin = tap.name) });
  hook.call({
    add(command) {
      const existing = commands.get(command.name);
      if (existing !== undefined) {
        throw new WeftError(KernelErrors.COMMAND_DUPLICATE, `Command "${command.name}" is contributed by both ${existing.plugin!} and ${plugin}; disable one of them`, { data: { command: command.name, plugins: [existing.plugin, plugin] } });
      }
      commands.set(command.name, { ...command, plugin });
    },
  });
  return commands;
}
