import type { Command } from './commands.js';

const GLOBAL_OPTIONS: Array<[string, string]> = [
  ['-h, --help', 'Show help (also `weft <command> --help` and `weft help <command>`)'],
  ['-v, --version', 'Print the version'],
];

/** `weft --help`: every command, one line each. */
export function globalHelp(version: string, commands: Iterable<Command>): string {
  return [
    `weft ${version}: AI-agent pipelines on a plugin microkernel`,
    '',
    'Usage: weft <command> [options]',
    '',
    'Commands:',
    ...table([...commands].map((c) => [c.name, c.summary])),
    '',
    'Options:',
    ...table(GLOBAL_OPTIONS),
    '',
  ].join('\n');
}

/** `weft plugins`: the commands of one group (`members`, whose names start with `group`). */
export function groupHelp(group: string, members: readonly Command[]): string {
  return [`Usage: weft ${group} <command> [options]`, '', 'Commands:', ...table(members.map((c) => [c.name, c.summary])), ''].join('\n');
}

/** `weft <command> --help`: usage line, description, options. */
export function commandHelp(command: Command): string {
  const options = Object.entries(command.options ?? {}).map(([name, option]): [string, string] => {
    const flag = `${option.short === undefined ? '' : `-${option.short}, `}--${name}${option.value === undefined ? '' : ` ${option.value}`}`;
    return [flag, option.description];
  });
  return [
    commandUsage(command),
    '',
    command.description ?? command.summary,
    '',
    'Options:',
    ...table([...options, ['-h, --help', 'Show this help']]),
    '',
  ].join('\n');
}

/** The one-line usage of a command: `Usage: weft plugins enable <name> [options]`. */
export function commandUsage(command: Command): string {
  return `Usage: weft ${command.name}${command.args === undefined ? '' : ` ${command.args}`} [options]`;
}

function table(rows: Array<[string, string]>): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
}
